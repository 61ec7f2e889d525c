import { BRONZE_COLUMNS as B, SILVER_COLUMNS as S } from "../config/index.js";
import type { SqlFunctions } from "./dialect.js";
import { SEEN_COLUMNS } from "./sync-tables.js";
import type { TableSpec } from "./table-spec.js";

/**
 * The SQL of the sync's writes and reads, as pure text builders over a dialect's quoting: the same
 * statements on every engine. Values never enter the text; they travel as staged rows or parameters.
 */
export interface SqlText {
  readonly q: (name: string) => string;
  readonly tableName: (table: Pick<TableSpec, "schema" | "name">) => string;
  readonly fn: SqlFunctions;
}

/**
 * Bronze: a version is inserted only if its (page_id, _row_hash) is absent. A version written again (the
 * page set back to it after another within the same minute, so with the same last_edited_time) takes
 * this write's `_ingested_at` and `_run_id`: the newest bronze version stays the one silver holds, which
 * is what a rebuild derives silver from.
 */
export function mergeBronzeSql({ q, tableName }: SqlText, table: TableSpec, source: string): string {
  const on = table.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(" AND ");
  const cols = table.columns.map((c) => q(c.name));
  const [ingested, run] = [q(B.ingestedAt), q(B.runId)];
  return (
    `MERGE INTO ${tableName(table)} t USING ${dedupe(q, table, source, [S.rowHash])} s ON ${on} ` +
    `WHEN MATCHED AND t.${ingested} < s.${ingested} THEN UPDATE SET ${ingested} = s.${ingested}, ${run} = s.${run} ` +
    `WHEN NOT MATCHED THEN INSERT (${cols.join(", ")}) VALUES (${cols.map((c) => `s.${c}`).join(", ")})`
  );
}

/** Silver: a row is inserted, or updated when the source is newer, or equally new with another hash. */
export function mergeSilverSql({ q, tableName }: SqlText, table: TableSpec, source: string): string {
  const cols = table.columns.map((c) => q(c.name));
  const updates = table.columns.filter((c) => c.name !== S.pageId).map((c) => `${q(c.name)} = s.${q(c.name)}`);
  const edited = q(S.lastEditedTime);
  const newer = `s.${edited} > t.${edited} OR (s.${edited} = t.${edited} AND s.${q(S.rowHash)} <> t.${q(S.rowHash)})`;
  return (
    `MERGE INTO ${tableName(table)} t USING ${dedupe(q, table, source, [S.lastEditedTime])} s ON t.${q(S.pageId)} = s.${q(S.pageId)} ` +
    `WHEN MATCHED AND (${newer}) THEN UPDATE SET ${updates.join(", ")} ` +
    `WHEN NOT MATCHED THEN INSERT (${cols.join(", ")}) VALUES (${cols.map((c) => `s.${c}`).join(", ")})`
  );
}

/** Upsert by the table's key: every column replaced where the key exists, else inserted. */
export function upsertSql({ q, tableName }: SqlText, table: TableSpec, source: string): string {
  const on = table.key.map((k) => `t.${q(k)} = s.${q(k)}`).join(" AND ");
  const cols = table.columns.map((c) => q(c.name));
  const updates = table.columns.filter((c) => !table.key.includes(c.name)).map((c) => `${q(c.name)} = s.${q(c.name)}`);
  return (
    `MERGE INTO ${tableName(table)} t USING (SELECT ${cols.join(", ")} FROM ${source}) s ON ${on} ` +
    `WHEN MATCHED THEN UPDATE SET ${updates.join(", ")} WHEN NOT MATCHED THEN INSERT (${cols.join(", ")}) VALUES (${cols.map((c) => `s.${c}`).join(", ")})`
  );
}

/** One source row per target key (Delta rejects several; DuckDB would silently pick one). */
function dedupe(q: SqlText["q"], table: TableSpec, source: string, newestBy: readonly string[]): string {
  const cols = table.columns.map((c) => q(c.name)).join(", ");
  const partition = (table.key.includes(S.rowHash) ? table.key : [S.pageId]).map(q).join(", ");
  const order = newestBy.map((c) => `${q(c)} DESC`).join(", ");
  return `(SELECT ${cols} FROM (SELECT ${cols}, row_number() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS ${q("_rn")} FROM ${source}) d WHERE ${q("_rn")} = 1)`;
}

/** The given pages' silver versions (`source` holds their ids). */
export function currentVersionsSql({ q, tableName }: SqlText, silver: TableSpec, source: string): string {
  return `SELECT t.${q(S.pageId)} AS page_id, t.${q(S.rowHash)} AS row_hash, t.${q(S.lastEditedTime)} AS last_edited_time FROM ${tableName(silver)} t JOIN ${source} i ON t.${q(S.pageId)} = i.${q(S.pageId)}`;
}

/** The given pages' bronze versions (`source` holds their ids). */
export function bronzeVersionsSql({ q, tableName }: SqlText, bronze: TableSpec, source: string): string {
  return `SELECT t.${q(S.pageId)} AS page_id, t.${q(S.rowHash)} AS row_hash FROM ${tableName(bronze)} t JOIN ${source} i ON t.${q(S.pageId)} = i.${q(S.pageId)}`;
}

/**
 * The reconcile: one MERGE (Delta runs no UPDATE with a subquery) marks the live rows that the full
 * pass did not see (parameters `run`, `key`, `at`), and changes their hash so a page that comes back is rewritten.
 */
export function markUnseenSql({ q, tableName, fn }: SqlText, silver: TableSpec, seen: TableSpec): string {
  const p = fn.param;
  return (
    `MERGE INTO ${tableName(silver)} t USING (SELECT ${q(S.pageId)} FROM ${tableName(seen)} WHERE ${q(SEEN_COLUMNS.runId)} = ${p("run")} AND ${q(SEEN_COLUMNS.databaseKey)} = ${p("key")}) v ` +
    `ON t.${q(S.pageId)} = v.${q(S.pageId)} WHEN NOT MATCHED BY SOURCE AND NOT t.${q(S.isDeleted)} THEN UPDATE SET ${q(S.isDeleted)} = TRUE, ` +
    `${q(S.deletedAt)} = CAST(${p("at")} AS TIMESTAMP), ${q(S.syncedAt)} = CAST(${p("at")} AS TIMESTAMP), ${q(S.runId)} = ${p("run")}, ${q(S.rowHash)} = 'unseen:' || t.${q(S.rowHash)}`
  );
}

/** Forgets a database's seen ids (parameter `key`): this run's, and those an interrupted pass left. */
export function forgetSeenSql({ q, tableName, fn }: SqlText, seen: TableSpec): string {
  return `DELETE FROM ${tableName(seen)} WHERE ${q(SEEN_COLUMNS.databaseKey)} = ${fn.param("key")}`;
}
