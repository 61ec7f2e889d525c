import { expect } from "vitest";
import type { Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "./duckdb-file.js";
import { expectedRow, silverSelect, type OracleColumn } from "./oracle.js";

/**
 * Compares a whole silver table of a DuckDB file with the oracle's reading of the sandbox's complete
 * pages (trashed ones too, marked deleted), row by row and column by column.
 */
export async function expectSilverEqualsSandbox(sandbox: Sandbox, duckdbPath: string, key: string, columns: OracleColumn[]): Promise<void> {
  const users = new Map(sandbox.store.users().map((u) => [u["id"] as string, u as Record<string, any>]));
  const pages = sandbox.store.listPages(sandbox.databases[key]!.dataSourceId, { includeTrashed: true }) as Record<string, any>[];
  const expected = pages
    .map((p) => expectedRow(p, columns, users, sandbox.store.getPage(p.id, { truncated: true })))
    .sort((a, b) => String(a.page_id).localeCompare(String(b.page_id)));
  const rows = await queryFile(duckdbPath, silverSelect(`ppm_silver.${key}`, columns));
  const actual = rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])));
  expect(actual.map((r) => r.page_id)).toEqual(expected.map((r) => r.page_id));
  for (let i = 0; i < expected.length; i += 1) expect(actual[i], `${key} row ${String(expected[i]!.page_id)}`).toEqual(expected[i]);
}
