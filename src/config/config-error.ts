import { SyncError } from "../errors.js";

/** One problem found in the mapping or the environment, located as precisely as it can be. */
export interface ConfigIssue {
  /** The file or `environment`. */
  readonly source: string;
  /** A dotted path such as `programs.columns[2].column_type`, or the variable name. */
  readonly path: string;
  readonly message: string;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.path ? `${issue.source}: ${issue.path}: ${issue.message}` : `${issue.source}: ${issue.message}`;
}

/** Every problem of a configuration, collected and reported together (the CLI exits 2). */
export class ConfigError extends SyncError {
  override readonly name = "ConfigError";
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${formatIssue(issue)}`);
    super("config_invalid", `invalid configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`);
    this.issues = issues;
  }
}
