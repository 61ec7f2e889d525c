import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * Every `npm …` command the documents show runs as written: its script exists in package.json, and the
 * subcommand and every flag it passes are ones the command's --help lists. (The demo, sync, verify,
 * dq, watermarks and start commands run for real in the e2e tests.)
 */
const DOCUMENTS = [
  "README.md",
  "CONTRIBUTING.md",
  "src/sandbox/README.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const scripts = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts;
const BUILTIN = new Set(["ci", "test", "start", "install"]);

interface Shown {
  readonly document: string;
  readonly script: string;
  readonly flags: readonly string[];
  /** The word right after `--`, when it is not a flag (`watermarks -- show`). */
  readonly subcommand: string | undefined;
}

function commandsIn(document: string): Shown[] {
  const text = readFileSync(document, "utf8");
  const found: Shown[] = [];
  for (const match of text.matchAll(/npm (?:run ([a-z][a-z:-]*)|(test|start|ci))(?: -- ([^`|\n]*))?/g)) {
    const script = match[1] ?? match[2]!;
    const flags = [...(match[3] ?? "").matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]);
    const subcommand = /^([a-z][a-z-]*)(?=\s|$)/.exec(match[3] ?? "")?.[1];
    found.push({ document, script, flags, subcommand });
  }
  return found;
}

const shown = DOCUMENTS.flatMap(commandsIn);
const helpCache = new Map<string, string>();
function helpOf(script: string): string {
  const cached = helpCache.get(script);
  if (cached !== undefined) return cached;
  const [command, ...args] = scripts[script]!.split(" ");
  const argv = command === "tsx" ? ["--import", "tsx", ...args, "--help"] : [...args, "--help"];
  const result = spawnSync(process.execPath, argv, { encoding: "utf8" });
  const help = `${result.stdout}${result.stderr}`;
  helpCache.set(script, help);
  return help;
}

describe("the commands the documents show", () => {
  it("are found in every document", () => {
    expect(shown.length).toBeGreaterThan(30);
    expect(new Set(shown.map((s) => s.document)).size).toBeGreaterThanOrEqual(5);
  });

  it.each(
    shown.map(
      (s) => [`${s.document}: npm ${BUILTIN.has(s.script) ? s.script : `run ${s.script}`}${s.flags.length ? ` -- ${s.flags.join(" ")}` : ""}`, s] as const,
    ),
  )("%s exists", (_name, s) => {
    if (BUILTIN.has(s.script) && s.script !== "test" && s.script !== "start") return;
    expect(Object.keys(scripts), `no script "${s.script}" in package.json`).toContain(s.script);
  });

  it("name only subcommands their command's --help lists", () => {
    const withSubcommand = shown.filter((x) => x.subcommand !== undefined);
    expect(withSubcommand.length).toBeGreaterThan(0);
    const unknown: string[] = [];
    for (const s of withSubcommand) {
      const help = scripts[s.script]?.match(/^(node|tsx) /) ? helpOf(s.script) : "";
      if (!help.includes(`-- ${s.subcommand!}`)) unknown.push(`${s.document}: npm run ${s.script} -- ${s.subcommand!}`);
    }
    expect(unknown).toEqual([]);
  });

  it("pass only flags their command's --help lists", () => {
    const unknown: string[] = [];
    for (const s of shown.filter((x) => x.flags.length > 0 && scripts[x.script]?.match(/^(node|tsx) /))) {
      const help = helpOf(s.script);
      for (const flag of s.flags) if (!help.includes(flag)) unknown.push(`${s.document}: npm run ${s.script} -- ${flag}`);
    }
    expect(unknown).toEqual([]);
  });
});
