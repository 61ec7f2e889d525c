/**
 * The shipped mapping with some of its settings changed, for the test files that need another setting
 * (no lookback, small batches). The YAML is parsed and edited as a document (not as text, where a
 * `.replace()` silently does nothing once the shipped file changes), and the written file is read back
 * through the engine's own mapping parser to prove that every setting took effect and that every
 * database of the shipped mapping is still there.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { expect } from "vitest";
import { parseDocument } from "yaml";
import { parseMapping, type Settings } from "../../../src/config/index.js";

export const SHIPPED_MAPPING = "config/notion_mapping.yaml";

type TopLevelSettings = { [K in keyof Settings as NonNullable<Settings[K]> extends number | string | boolean ? K : never]?: Settings[K] };

/** Writes the shipped mapping with `settings` set to `file`; `env` resolves the database ids. Returns `file`. */
export function writeMapping(file: string, settings: TopLevelSettings, env: Readonly<Record<string, string>>): string {
  const shipped = readFileSync(SHIPPED_MAPPING, "utf8");
  const doc = parseDocument(shipped);
  expect(doc.errors, `${SHIPPED_MAPPING} parses`).toEqual([]);
  for (const [name, value] of Object.entries(settings)) doc.setIn(["settings", name], value);
  writeFileSync(file, doc.toString());

  const written = parseMapping(readFileSync(file, "utf8"), file, env);
  const original = parseMapping(shipped, SHIPPED_MAPPING, env);
  const took = Object.fromEntries(Object.keys(settings).map((name) => [name, written.settings[name as keyof Settings]]));
  expect(took, `the settings of ${file}`).toEqual(settings);
  expect(
    written.databases.map((d) => d.key),
    `the databases of ${file}`,
  ).toEqual(original.databases.map((d) => d.key));
  // Nothing but the settings changed: the databases are the shipped ones, column for column.
  expect(written.databases.map((d) => d.mappingHash)).toEqual(original.databases.map((d) => d.mappingHash));
  return file;
}
