import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { formatColumnType, parseColumnType } from "./column-type.js";
import { ConfigError, type ConfigIssue } from "./config-error.js";
import { interpolate, type UnsetVariable } from "./interpolate.js";
import type { ColumnConfig, DatabaseConfig, Mapping } from "./mapping.js";
import { checkRules, toColumn } from "./mapping-column.js";
import { lineOf, toTree } from "./yaml-tree.js";
import { RESERVED_COLUMNS } from "./system-columns.js";
import { columnSchema, databaseSchema, IDENTIFIER, IDENTIFIER_HINT, settingsSchema, type RawColumn, type RawDatabase } from "./mapping-schema.js";
import { parseNotionId } from "./notion-id.js";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads, interpolates and validates the mapping. Every problem is collected and thrown together as
 * one ConfigError whose issues name the file, the database key and the column.
 */
/**
 * `idsOptional`: commands that never call Notion (dq) accept unset database id variables.
 * `idsFor`: only these databases' id variables are required (`sync --database KEY`).
 */
export interface MappingOptions {
  readonly idsOptional?: boolean;
  readonly idsFor?: readonly string[];
}

export function loadMapping(file: string, env: Env, options: MappingOptions = {}): Mapping {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found (set MAPPING_PATH or create it)" : String(error);
    throw new ConfigError([{ source: file, path: "", message: reason }]);
  }
  return parseMapping(text, file, env, options);
}

export function parseMapping(text: string, file: string, env: Env, options: MappingOptions = {}): Mapping {
  const issues: ConfigIssue[] = [];
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  for (const error of doc.errors) {
    const at = error.linePos?.[0];
    issues.push({ source: file, path: at ? `line ${at.line}, column ${at.col}` : "", message: `YAML syntax error: ${error.message.split("\n")[0]}` });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const tree = toTree(doc, file);
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) {
    throw new ConfigError([{ source: file, path: "", message: "must be a YAML mapping of database keys to database definitions" }]);
  }
  const unset: UnsetVariable[] = [];
  const resolved = interpolate(tree, env, unset) as Record<string, unknown>;
  const idPath = /^[^.]+\.(database_id|data_source_id)$/;
  const placeholder = "00000000-0000-0000-0000-000000000000";
  for (const { variable, path, secret } of unset) {
    if (secret) {
      issues.push({ source: file, path, message: `${variable} is a secret: the mapping cannot use it (its value would end up in messages and logs)` });
      continue;
    }
    const databaseKey = path.split(".")[0] ?? "";
    const idNeeded = !options.idsOptional && (options.idsFor === undefined || options.idsFor.includes(databaseKey));
    if (!idNeeded && idPath.test(path)) {
      // Never sent to Notion: a stand-in keeps the database in the mapping for warehouse-only commands.
      const [key, field] = path.split(".") as [string, string];
      (resolved[key] as Record<string, unknown>)[field] = placeholder;
      continue;
    }
    issues.push({ source: file, path, message: `environment variable ${variable} is not set (used by "${databaseKey}")` });
  }

  // A value emptied by an unset variable is reported once, as the unset variable.
  const unsetPaths = new Set(unset.map((u) => u.path));
  const { settings: rawSettings, ...rawDatabases } = resolved;
  const settings = settingsSchema.safeParse(rawSettings ?? {});
  if (!settings.success) pushZodIssues(issues, file, "settings", settings.error);

  const keys = Object.keys(rawDatabases);
  if (keys.length === 0) issues.push({ source: file, path: "", message: "defines no database (add a top-level key per Notion database)" });
  const databases: DatabaseConfig[] = [];
  for (const key of keys) {
    if (!IDENTIFIER.test(key) || key.length > 64) {
      issues.push({ source: file, path: key, message: `database key ${JSON.stringify(key)} ${IDENTIFIER_HINT}` });
      continue;
    }
    const database = checkDatabase(key, rawDatabases[key], keys, file, issues, unsetPaths, (index) => lineOf(doc, lines, [key, "columns", index]));
    if (database) databases.push(database);
  }
  if (issues.length > 0 || !settings.success) throw new ConfigError(issues);
  return Object.freeze({ file, settings: Object.freeze(settings.data), databases: Object.freeze(databases) });
}

/**
 * Checks one database entry as far as it can go: the entry's own fields, then every column on its
 * own, so that one bad column never hides the problems of the others.
 */
function checkDatabase(
  key: string,
  rawEntry: unknown,
  allKeys: readonly string[],
  file: string,
  issues: ConfigIssue[],
  unsetPaths: ReadonlySet<string>,
  lineOfColumn: (index: number) => number | undefined,
): DatabaseConfig | undefined {
  const before = issues.length;
  const entry = databaseSchema.safeParse(rawEntry);
  if (!entry.success) pushZodIssues(issues, file, key, entry.error, rawEntry, unsetPaths);
  const candidate = (rawEntry as { columns?: unknown } | null)?.columns;
  const rawColumns: unknown[] = entry.success ? entry.data.columns : Array.isArray(candidate) ? candidate : [];
  const parsedColumns: (RawColumn | undefined)[] = rawColumns.map((column, index) => {
    const parsed = columnSchema.safeParse(column);
    if (parsed.success) return parsed.data;
    pushZodIssues(issues, file, `${key}.columns[${index}]`, parsed.error, undefined, unsetPaths, columnName(column));
    const text = (column as { column_type?: unknown } | null)?.column_type;
    const type = typeof text === "string" ? parseColumnType(text) : undefined;
    if (typeof type === "string") issues.push({ source: file, path: `${key}.columns[${index}] (${columnName(column) ?? "?"}).column_type`, message: type });
    return undefined;
  });
  const fallback: RawDatabase = { database_id: "", columns: rawColumns };
  const database = buildDatabase(key, entry.success ? entry.data : fallback, parsedColumns, allKeys, file, issues, lineOfColumn, before);
  return entry.success ? database : undefined;
}

function columnName(column: unknown): string | undefined {
  const name = (column as { column_name?: unknown } | null)?.column_name;
  return typeof name === "string" ? name : undefined;
}

function buildDatabase(
  key: string,
  raw: RawDatabase,
  parsedColumns: readonly (RawColumn | undefined)[],
  allKeys: readonly string[],
  file: string,
  issues: ConfigIssue[],
  lineOfColumn: (index: number) => number | undefined,
  before: number,
): DatabaseConfig | undefined {
  const databaseId = parseNotionId(raw.database_id);
  // An empty id was already reported (an unset variable, or a structurally invalid entry).
  if (!databaseId && raw.database_id !== "") {
    issues.push({ source: file, path: `${key}.database_id`, message: `${JSON.stringify(raw.database_id)} is not a Notion database id or URL` });
  }
  const dataSourceId = raw.data_source_id === undefined ? undefined : parseNotionId(raw.data_source_id);
  if (raw.data_source_id !== undefined && !dataSourceId) {
    issues.push({ source: file, path: `${key}.data_source_id`, message: `${JSON.stringify(raw.data_source_id)} is not a Notion data source id` });
  }
  const seen = new Map<string, number>();
  const columns: ColumnConfig[] = [];
  parsedColumns.forEach((column, index) => {
    if (!column) return;
    const at = `${key}.columns[${index}] (${column.column_name})`;
    const previous = seen.get(column.column_name);
    if (previous !== undefined) issues.push({ source: file, path: at, message: `duplicate column_name "${column.column_name}" (also columns[${previous}])` });
    seen.set(column.column_name, index);
    if (RESERVED_COLUMNS.includes(column.column_name)) {
      issues.push({ source: file, path: at, message: `column_name "${column.column_name}" is reserved for the engine (${RESERVED_COLUMNS.join(", ")})` });
    }
    const type = parseColumnType(column.column_type);
    if (typeof type === "string") {
      issues.push({ source: file, path: `${at}.column_type`, message: type });
      return;
    }
    if (column.references !== undefined && !allKeys.includes(column.references)) {
      issues.push({ source: file, path: `${at}.references`, message: `"${column.references}" is not a database key of this mapping` });
    }
    checkRules(column, type, `${at}`, file, issues);
    columns.push(toColumn(column, type, lineOfColumn(index)));
  });
  if (issues.length > before || !databaseId) return undefined;
  const mappingHash = createHash("sha256")
    .update(
      JSON.stringify({
        databaseId,
        dataSourceId: dataSourceId ?? null,
        columns: columns.map(({ line: _line, ...rest }) => ({ ...rest, type: formatColumnType(rest.type) })),
      }),
    )
    .digest("hex");
  return Object.freeze({ key, databaseId, dataSourceId, columns: Object.freeze(columns), mappingHash });
}

function pushZodIssues(
  issues: ConfigIssue[],
  file: string,
  prefix: string,
  error: z.ZodError,
  raw?: unknown,
  skip: ReadonlySet<string> = new Set(),
  label?: string,
): void {
  for (const issue of error.issues) {
    const path = [prefix, ...issue.path.map(String)].reduce((acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : `${acc}.${part}`));
    if (skip.has(path)) continue;
    const column = label ?? columnNameAt(raw, issue.path);
    const keys = issue.code === "unrecognized_keys" ? ` (${issue.keys.join(", ")})` : "";
    issues.push({ source: file, path: column ? `${path} (${column})` : path, message: `${issue.message}${keys}` });
  }
}

function columnNameAt(raw: unknown, path: readonly PropertyKey[]): string | undefined {
  if (path[0] !== "columns" || typeof path[1] !== "number") return undefined;
  const columns = (raw as { columns?: unknown } | undefined)?.columns;
  const column = Array.isArray(columns) ? (columns[path[1]] as { column_name?: unknown } | undefined) : undefined;
  return typeof column?.column_name === "string" ? column.column_name : undefined;
}

/**
 * The database keys of a mapping file, without resolving `${VAR}`s or checking columns: enough for
 * commands that only touch state (watermarks), which must work in a disaster without the full setup.
 */
export function readDatabaseKeys(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError([{ source: file, path: "", message: "file not found (set MAPPING_PATH or create it)" }]);
  }
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first)
    throw new ConfigError([
      {
        source: file,
        path: first.linePos?.[0] ? `line ${first.linePos[0].line}, column ${first.linePos[0].col}` : "",
        message: `YAML syntax error: ${first.message.split("\n")[0]}`,
      },
    ]);
  const tree = toTree(doc, file);
  if (tree === null || typeof tree !== "object" || Array.isArray(tree))
    throw new ConfigError([{ source: file, path: "", message: "must be a YAML mapping of database keys to database definitions" }]);
  const keys = Object.keys(tree).filter((key) => key !== "settings");
  const bad = keys.filter((key) => !IDENTIFIER.test(key));
  if (bad.length > 0) throw new ConfigError(bad.map((key) => ({ source: file, path: key, message: `database key ${JSON.stringify(key)} ${IDENTIFIER_HINT}` })));
  return keys;
}
