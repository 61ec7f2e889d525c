import type { DatabaseDraft, MappingDraft } from "./draft.js";

/** A YAML string scalar: JSON's double-quoted form is valid YAML and escapes what must be escaped. */
const quoted = (text: string): string => JSON.stringify(text);
/** Text for a comment: one line, whatever the name holds. */
const inComment = (text: string): string => JSON.stringify(text).slice(1, -1);

/** The environment lines of a draft (`NAME=id`), which a shell or Node's `--env-file` reads as they are. */
export function variableLines(draft: MappingDraft): string[] {
  return draft.databases.flatMap((d) => [
    `${d.variables.database}=${d.databaseId}`,
    ...(d.variables.dataSource ? [`${d.variables.dataSource}=${d.dataSourceId}`] : []),
  ]);
}

/** The draft as `config/notion_mapping.yaml`: the loader's format, with comments naming each Notion property. */
export function renderMapping(draft: MappingDraft, written: Date): string {
  const lines = [
    `# notion-delta-sync mapping: a draft written by \`mapping init\` at ${written.toISOString()}.`,
    "# Review it (column names, types, rules), then `verify` and `sync`. Format: docs/mapping.md.",
    "#",
    "# The ids are read from the environment (`mapping init` prints these lines on stdout):",
    ...variableLines(draft).map((line) => `#   ${line}`),
    "",
  ];
  for (const database of draft.databases) lines.push(...databaseLines(database), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

function databaseLines(database: DatabaseDraft): string[] {
  const lines = [
    `# Notion data source "${inComment(database.title)}" (${database.dataSourceId})`,
    `${database.key}:`,
    `  database_id: "\${${database.variables.database}}"`,
    ...(database.variables.dataSource ? [`  data_source_id: "\${${database.variables.dataSource}}"`] : []),
    "  columns:",
  ];
  for (const column of database.columns) {
    lines.push(
      `    - notion_property: ${quoted(column.notionProperty)}  # ${inComment(column.note)}`,
      `      column_name: ${quoted(column.name)}`,
      `      column_type: ${quoted(column.type)}`,
      ...(column.extract ? [`      extract: ${quoted(column.extract)}`] : []),
      ...(column.references ? [`      references: ${quoted(column.references)}`] : []),
      ...(column.values ? [`      values: [${column.values.map(quoted).join(", ")}]`] : []),
    );
  }
  for (const skipped of database.skipped) lines.push(`  # not mapped: "${inComment(skipped.property)}": ${inComment(skipped.reason)}`);
  return lines;
}
