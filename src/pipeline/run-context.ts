import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import type { DataSourceSchema, NotionGateway } from "../notion/index.js";
import type { EventBus } from "../observability/events.js";
import type { Watermark, WatermarkStore } from "../state/index.js";
import type { UserDirectory } from "../transform/types.js";
import type { Warehouse } from "../warehouse/index.js";
import type { RunLease } from "./run-lease.js";
import type { WarehouseTrust } from "./warehouse-trust.js";

/** What one run shares across its databases. */
export interface RunContext {
  readonly runId: string;
  readonly config: AppConfig;
  readonly gateway: NotionGateway;
  /** Undefined in a dry run (nothing is written) and until something needed it (`openWarehouse`): a quiet run opens none. */
  readonly warehouse: Warehouse | undefined;
  /** Read and validate only: no warehouse, no watermark, no lock. */
  readonly dryRun: boolean;
  /** Whether a quiet sync of a database may leave the warehouse closed (`warehouse-trust.ts`). */
  readonly trust: WarehouseTrust;
  /**
   * Opens the run's warehouse at its first need, once (its tables, the stored watermarks, the leases,
   * the run records kept while it was not open); later calls return it.
   */
  openWarehouse(): Promise<Warehouse>;
  /** True for the error `openWarehouse` failed with: the run fails (it could not start writing), not one database. */
  openFailure(error: unknown): boolean;
  readonly watermarks: WatermarkStore;
  readonly events: EventBus;
  readonly logger: Logger;
  readonly full: boolean;
  /** Databases whose schema this run checks even when no page changed (`SyncRunOptions.schemaDue`). */
  readonly schemaDue: ReadonlySet<string>;
  /** The workspace's users, read once per run and only when a column extracts a name or an e-mail. */
  users(): Promise<UserDirectory>;
  /** Aborted on shutdown: the database in progress stops after its current batch. */
  readonly signal: AbortSignal;
  readonly now: () => Date;
  /** Each database's data source schema, as resolved in this run (by database key). */
  readonly schemas: Map<string, DataSourceSchema>;
  /**
   * The warehouse's copy of each database's watermark, read when the run opened it (undefined before, and in a
   * dry run); a write by another step than the database's own sync keeps it current (`recent-forget.ts`).
   */
  readonly storedWatermarks: Map<string, Watermark> | undefined;
  /** The run's leases across hosts, where the warehouse needs them (Databricks); renewed after every batch. */
  readonly lease: RunLease | undefined;
  /** Databases another process holds the lease of, with "lease held by …": skipped this run. */
  readonly leaseRefused: ReadonlyMap<string, string>;
  /** Requests made for a database before its sync (resolving its data source for the run's order), counted in its summary. */
  readonly prefetchedRequests: Map<string, number>;
}
