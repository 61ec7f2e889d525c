import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import { warehouseCheckFile, type WarehouseCheck } from "../state/index.js";
import { warehouseStateMark } from "../warehouse/index.js";

/** The engine's mark with the schemas the tables live in: moving them is a warehouse the checks did not see. */
function markOf(engineMark: string, config: AppConfig): string {
  const { schemas } = config.mapping.settings;
  return `${engineMark}|${schemas.bronze}|${schemas.silver}|${schemas.meta}`;
}

/**
 * Whether a quiet run may trust the warehouse without opening it. Every run that opens the warehouse
 * compares each database it syncs with it (the watermark copies, the silver table: `run-state.ts`);
 * a database whose sync then succeeded agrees with it. Once the warehouse is closed the run keeps what
 * it left (the engine's `StateMark`, and the schemas the tables are in) and when each database was
 * found agreeing. A later run trusts that for a database while the mark and the schemas are unchanged
 * and the check is younger than the mark's `trustMs`; otherwise the database's sync opens the warehouse.
 */
export class WarehouseTrust {
  readonly #checkedNow = new Set<string>();
  readonly #forgotten = new Set<string>();
  #kept: WarehouseCheck | undefined;

  private constructor(
    private readonly config: AppConfig,
    kept: WarehouseCheck | undefined,
    private readonly trustMs: number,
    private readonly now: () => Date,
  ) {
    this.#kept = kept;
  }

  /** The check kept by the last run, valid only while the warehouse's mark and the schemas are the ones it left. */
  static async load(config: AppConfig, now: () => Date, logger: Logger): Promise<WarehouseTrust> {
    const [kept, mark] = await Promise.all([
      warehouseCheckFile(config.watermarkDir)
        .load()
        .catch((error: unknown) => {
          logger.warn({ err: error }, `the warehouse check cannot be read; this run checks the warehouse: ${describeError(error)}`);
          return undefined;
        }),
      warehouseStateMark(config.warehouse),
    ]);
    const valid = kept && mark && kept.mark === markOf(mark.mark, config) ? kept : undefined;
    return new WarehouseTrust(config, valid, mark?.trustMs ?? 0, now);
  }

  /** A quiet sync of this database may leave the warehouse closed. */
  allows(databaseKey: string): boolean {
    const at = this.#kept?.checked[databaseKey];
    return at !== undefined && this.now().getTime() - Date.parse(at) < this.trustMs;
  }

  /** The database's sync succeeded with the warehouse open: its state there and here agree. */
  checked(databaseKey: string): void {
    this.#checkedNow.add(databaseKey);
    this.#forgotten.delete(databaseKey);
  }

  /** The database's sync failed or stopped: its next run checks the warehouse again. */
  forget(databaseKey: string): void {
    this.#forgotten.add(databaseKey);
    this.#checkedNow.delete(databaseKey);
  }

  /**
   * Right before the run opens the warehouse: if it changed since this run began (someone else wrote to
   * the file meanwhile), the kept checks describe what is gone and are dropped.
   */
  async beforeOpen(): Promise<void> {
    const mark = await warehouseStateMark(this.config.warehouse);
    if (this.#kept && (!mark || this.#kept.mark !== markOf(mark.mark, this.config))) this.#kept = undefined;
  }

  /** After the warehouse closed: keeps the mark it left and the databases checked (a failure only means the next run checks again). */
  async save(logger: Logger): Promise<void> {
    if (this.#checkedNow.size === 0 && this.#forgotten.size === 0) return;
    const file = warehouseCheckFile(this.config.watermarkDir);
    try {
      const mark = await warehouseStateMark(this.config.warehouse);
      if (!mark) return;
      const at = this.now().toISOString();
      const kept = Object.entries(this.#kept?.checked ?? {}).filter(([key]) => !this.#forgotten.has(key));
      const checked = { ...Object.fromEntries(kept), ...Object.fromEntries([...this.#checkedNow].map((key) => [key, at])) };
      await file.save({ mark: markOf(mark.mark, this.config), checked });
    } catch (error) {
      logger.warn({ err: error }, `could not keep the warehouse check: ${describeError(error)}`);
    }
  }
}
