import type { DialectCapabilities, SqlFunctions } from "./dialect.js";
import type { ColumnSpec, Row, TableSpec } from "./table-spec.js";
import type { WarehouseErrorKind } from "./warehouse-error.js";

/**
 * What the pipeline needs from a warehouse, whatever the engine. Implemented once over a Dialect
 * (`sql-warehouse.ts`). All writes are idempotent: re-running a batch leaves the tables as they were.
 */
export interface Warehouse {
  /** Creates schemas and tables that are absent and adds columns a table lacks; returns the tables it created (`schema.name`). */
  ensureTables(tables: readonly TableSpec[]): Promise<string[]>;
  tableExists(table: Pick<TableSpec, "schema" | "name">): Promise<boolean>;
  /** The silver version (`_row_hash`, `last_edited_time`) of each of the given pages that exists. */
  currentVersions(silver: TableSpec, pageIds: readonly string[]): Promise<Map<string, CurrentVersion>>;
  /** The `(page_id, _row_hash)` pairs of the given pages that bronze holds, as `id:hash` strings. */
  bronzeVersions(bronze: TableSpec, pageIds: readonly string[]): Promise<Set<string>>;
  /**
   * Writes one batch: bronze versions absent by (page_id, _row_hash) are inserted; silver rows are
   * inserted, or updated when the source is newer or equally new with another hash; quarantine rows
   * are appended. Committed together where the engine has transactions, else in that order (each
   * step is idempotent, and the watermark moves only after the last one).
   */
  writeBatch(batch: BatchWrite): Promise<BatchResult>;
  /**
   * The reconcile: marks the live silver rows of a database that its full pass did not see as
   * deleted (`_is_deleted`, `_deleted_at` = `at`, a changed hash so a page that comes back is
   * rewritten), then forgets the database's seen ids (this run's and any an interrupted pass left).
   * Returns how many rows it marked.
   */
  markUnseen(silver: TableSpec, seen: TableSpec, scope: { readonly runId: string; readonly databaseKey: string; readonly at: string }): Promise<number>;
  /**
   * The live pages of `dependent` tied to the rows of `changed` that run `runId` wrote, through
   * relation columns on either side (ids of related pages, as ARRAY<STRING> or a joined STRING).
   */
  relatedPages(link: RelatedPages): Promise<string[]>;
  /** Every row of a small table (state: watermarks, the lease), by its spec's columns. */
  readRows(table: TableSpec): Promise<Record<string, unknown>[]>;
  /** Inserts rows, or replaces the rows with the same key (state: watermarks, the lease). */
  upsertRows(table: TableSpec, rows: readonly Row[]): Promise<void>;
  /** Deletes the rows whose `column` holds one of `values` (e.g. a database's watermark on reset). */
  deleteRows(table: TableSpec, column: string, values: readonly string[]): Promise<number>;
  /** Appends rows (run records, seen ids). */
  insertRows(table: TableSpec, rows: readonly Row[]): Promise<void>;
  /**
   * Takes the lease of each key that is free, expired (by the warehouse's clock) or already the
   * claimant's, in one conditional MERGE; returns who holds each key afterwards.
   */
  takeLeases(table: TableSpec, claim: LeaseClaim): Promise<LeaseHolder[]>;
  /** Extends the owner's leases of the given keys; returns how many it still held. */
  renewLeases(table: TableSpec, renewal: { readonly owner: string; readonly keys: readonly string[]; readonly ttlSeconds: number }): Promise<number>;
  /** Gives up every lease the owner holds. */
  releaseLeases(table: TableSpec, owner: string): Promise<void>;
  /**
   * The newest bronze version, edited no later than `notAfter`, of each page whose id sorts after
   * `after`, in page-id order, at most `limit`.
   */
  newestBronze(
    bronze: TableSpec,
    range: { readonly after: string; readonly notAfter: string; readonly limit: number },
  ): Promise<{ readonly pageId: string; readonly pageJson: string }[]>;
  /** In a rebuilt silver table, the rows the live one holds as not seen by a full read stay deleted; returns how many. */
  keepUnseen(rebuilt: TableSpec, silver: TableSpec): Promise<number>;
  /** Replaces `target` by the rows and column types of `rebuilt`, in one statement. */
  replaceTable(target: TableSpec, rebuilt: TableSpec): Promise<void>;
  dropTable(table: TableSpec): Promise<void>;
  /** The columns whose type in the warehouse differs from the spec's (none when the table does not exist). */
  typeChanges(table: TableSpec): Promise<TypeChange[]>;
  /** What the engine needs beyond its own locking (see DialectCapabilities). */
  readonly capabilities: DialectCapabilities;
  /** The same connection as a SQL session, for data quality, reports and the worker. */
  readonly sql: SqlSession;
  close(): Promise<void>;
}

/**
 * Raw SQL on the warehouse, for data quality, reports and the worker's status (never the sync's
 * writes, which go through the operations above). Values travel as named parameters.
 */
export interface SqlSession {
  /** Creates schemas and tables that are absent and adds columns a table lacks; returns the tables it created (`schema.name`). */
  ensureTables(tables: readonly TableSpec[]): Promise<string[]>;
  tableExists(table: Pick<TableSpec, "schema" | "name">): Promise<boolean>;
  insertRows(table: TableSpec, rows: readonly Row[]): Promise<void>;
  /** Replaces all rows of a table with the given ones, atomically where the engine can. */
  replaceRows(table: TableSpec, rows: readonly Row[]): Promise<void>;
  /** A statement that writes (e.g. INSERT … SELECT of the data-quality checks); returns the rows it affected where the engine says. */
  execute(sql: string, params?: Readonly<Record<string, unknown>>): Promise<number | undefined>;
  /** A read-only query with named parameters. */
  query(sql: string, params?: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>[]>;
  /** The engine's quoting and qualification, for callers that write SQL. */
  tableName(table: Pick<TableSpec, "schema" | "name">): string;
  quote(identifier: string): string;
  /** Engine-specific SQL fragments. */
  readonly functions: SqlFunctions;
}

export interface TypeChange {
  readonly column: string;
  /** The type in the warehouse. */
  readonly have: string;
  /** The mapping's type, in the engine's words. */
  readonly want: string;
}

/** A claim on the leases of some databases (`pipeline/run-lease.ts`). */
export interface LeaseClaim {
  readonly owner: string;
  readonly runId: string;
  readonly host: string;
  readonly keys: readonly string[];
  readonly ttlSeconds: number;
}

/** Who holds a database's lease, and until when (the warehouse's time). */
export interface LeaseHolder {
  readonly databaseKey: string;
  readonly owner: string;
  readonly runId: string;
  readonly host: string;
  readonly expiresAt: string;
}

export interface RelatedPages {
  readonly dependent: TableSpec;
  readonly changed: TableSpec;
  readonly runId: string;
  /** Columns of `dependent` holding ids of `changed` pages. */
  readonly dependentColumns: readonly ColumnSpec[];
  /** Columns of `changed` holding ids of `dependent` pages. */
  readonly changedColumns: readonly ColumnSpec[];
}

/** What a warehouse reports while it works (retries), for logs and metrics. */
export interface WarehouseObserver {
  retry?(info: { readonly attempt: number; readonly kind: WarehouseErrorKind; readonly message: string }): void;
  /** Opening the warehouse waits for it to start (a stopped SQL warehouse answers 503 meanwhile). */
  waiting?(info: { readonly attempt: number; readonly waitMs: number; readonly waitedMs: number; readonly budgetMs: number; readonly message: string }): void;
}

export interface CurrentVersion {
  readonly rowHash: string;
  readonly lastEditedTime: string;
}

export interface BatchWrite {
  readonly bronze: { readonly table: TableSpec; readonly rows: readonly Row[] };
  readonly silver: { readonly table: TableSpec; readonly rows: readonly Row[] };
  readonly quarantine: { readonly table: TableSpec; readonly rows: readonly Row[] };
  /** State that describes this batch (the watermark), upserted by key after it: in the same transaction where the engine has them. */
  readonly state?: { readonly table: TableSpec; readonly rows: readonly Row[] };
}

export interface BatchResult {
  readonly bronzeInserted: number;
  readonly silverUpserted: number;
}
