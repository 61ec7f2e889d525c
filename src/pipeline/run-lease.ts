import { hostname } from "node:os";
import type { Logger } from "pino";
import { SyncError, describeError } from "../errors.js";
import type { EventBus } from "../observability/events.js";
import type { LeaseHolder, TableSpec, Warehouse } from "../warehouse/index.js";

/** How long a lease lasts without renewal: a process that dies holds its databases at most this long. */
export const LEASE_TTL_S = 600;
/** A held lease is renewed at least this often (and after a batch, once this long has passed since the last renewal). */
export const LEASE_RENEW_EVERY_MS = 120_000;
/**
 * A renewal after a batch is skipped when the last one is younger than this: on Databricks each is a
 * statement of seconds, and a lease renewed this recently has most of its TTL left, so a stall long
 * enough to lose it (over LEASE_TTL_S) always finds the renewal due and is still noticed after its batch.
 */
export const LEASE_RENEW_MIN_GAP_MS = 60_000;

/**
 * A lease across hosts, where the warehouse is shared by processes that cannot see one another's run
 * lock (Databricks: two containers, a rolling deploy). One row per database in `ppm_meta.sync_leases`
 * names its holder and until when; it is taken by a conditional MERGE (free, expired, or already
 * ours), which Delta's optimistic concurrency lets only one of two racing takers commit, then read
 * back to see who holds it. The warehouse's clock decides expiry, so host clocks do not matter.
 */
export class RunLease {
  readonly #held = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #renewedAt = performance.now();

  private constructor(
    private readonly warehouse: Warehouse,
    private readonly table: TableSpec,
    readonly owner: string,
    private readonly onLost: (error: SyncError) => void,
    private readonly logger: Logger,
  ) {}

  /**
   * Takes the lease of each database that is free, expired or already this run's; returns the lease
   * and, for each database another process holds, why it is refused ("lease held by …").
   */
  static async take(
    warehouse: Warehouse,
    table: TableSpec,
    keys: readonly string[],
    identity: { readonly runId: string; readonly events: EventBus; readonly logger: Logger; readonly onLost: (error: SyncError) => void },
  ): Promise<{ lease: RunLease; refused: Map<string, string> }> {
    const host = hostname();
    const lease = new RunLease(warehouse, table, `${identity.runId}@${host}`, identity.onLost, identity.logger);
    await warehouse.ensureTables([table]);
    const holders = await warehouse.takeLeases(table, { owner: lease.owner, runId: identity.runId, host, keys, ttlSeconds: LEASE_TTL_S });
    const refused = new Map<string, string>();
    for (const key of keys) {
      // Two first takers racing may both insert a row: the earliest taken (then the least owner) holds it,
      // as every reader of the same rows decides alike.
      const holder = holders.find((h) => h.databaseKey === key);
      if (holder?.owner === lease.owner) lease.#held.add(key);
      else refused.set(key, holder ? describeLease(holder) : "the lease could not be taken (no lease row after the attempt)");
    }
    for (const [databaseKey, reason] of refused) identity.events.emit("lease:refused", { runId: identity.runId, databaseKey, reason });
    if (lease.#held.size > 0)
      lease.#timer = setInterval(
        () => void lease.renew().catch((error: unknown) => identity.logger.warn({ err: error }, `could not renew the lease: ${describeError(error)}`)),
        LEASE_RENEW_EVERY_MS,
      ).unref();
    return { lease, refused };
  }

  /** The databases this run holds. */
  get held(): readonly string[] {
    return [...this.#held];
  }

  /**
   * Extends the lease of every database this run holds (unless renewed within LEASE_RENEW_MIN_GAP_MS). One taken over meanwhile (this run stalled
   * past the lease's end and another took it) stops the run after its batch, as a lost run lock does.
   */
  async renew(): Promise<void> {
    if (this.#held.size === 0 || performance.now() - this.#renewedAt < LEASE_RENEW_MIN_GAP_MS) return;
    this.#renewedAt = performance.now();
    const keys = [...this.#held];
    const renewed = await this.warehouse.renewLeases(this.table, { owner: this.owner, keys, ttlSeconds: LEASE_TTL_S });
    if (renewed < keys.length) {
      this.#held.clear();
      this.stopTimer();
      this.onLost(new SyncError("lock_held", `the lease of ${keys.join(", ")} was taken over by another process while this run was stalled`));
    }
  }

  /** Gives the leases up (at the end of the run, whatever happened). */
  async release(): Promise<void> {
    this.stopTimer();
    if (this.#held.size === 0) return;
    this.#held.clear();
    await this.warehouse.releaseLeases(this.table, this.owner).catch((error: unknown) => {
      // It expires on its own; another process waits at most its TTL.
      this.logger.warn({ err: error }, `could not release the lease (it expires within ${LEASE_TTL_S} s): ${describeError(error)}`);
    });
  }

  private stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

export function describeLease(holder: LeaseHolder): string {
  return `lease held by ${holder.host} run ${holder.runId} until ${holder.expiresAt}`;
}
