import type { Logger } from "pino";
import type { AppConfig } from "../config/index.js";
import { describeError } from "../errors.js";
import { warehouseCheckFile, type WarehouseCheck } from "../state/index.js";
import { warehouseStateMark } from "../warehouse/index.js";

/**
 * Whether a quiet run may trust the warehouse without opening it. Every run that opens the warehouse
 * compares each database it syncs with it (the watermark copies, the silver table: `run-state.ts`)
 * and, once the warehouse is closed, keeps what it left (the engine's `StateMark`) and when each was
 * compared. A later run trusts that for a database while the mark is unchanged and the check is
 * younger than the mark's `trustMs`; otherwise the database's sync opens the warehouse as always.
 */
export class WarehouseTrust {
  readonly #checkedNow = new Set<string>();

  private constructor(
    private readonly config: AppConfig,
    private readonly kept: WarehouseCheck | undefined,
    private readonly trustMs: number,
    private readonly now: () => Date,
  ) {}

  /** The check kept by the last run, valid only while the warehouse's mark is the one it left. */
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
    const valid = kept && mark && kept.mark === mark.mark ? kept : undefined;
    return new WarehouseTrust(config, valid, mark?.trustMs ?? 0, now);
  }

  /** A quiet sync of this database may leave the warehouse closed. */
  allows(databaseKey: string): boolean {
    const at = this.kept?.checked[databaseKey];
    return at !== undefined && this.now().getTime() - Date.parse(at) < this.trustMs;
  }

  /** This run compared the database's state with the warehouse. */
  checked(databaseKey: string): void {
    this.#checkedNow.add(databaseKey);
  }

  /** After the warehouse closed: keeps the mark it left and the databases checked (a failure only means the next run checks again). */
  async save(logger: Logger): Promise<void> {
    if (this.#checkedNow.size === 0) return;
    const file = warehouseCheckFile(this.config.watermarkDir);
    try {
      const mark = await warehouseStateMark(this.config.warehouse);
      if (!mark) return;
      const at = this.now().toISOString();
      const checked = { ...(this.kept?.checked ?? {}), ...Object.fromEntries([...this.#checkedNow].map((key) => [key, at])) };
      await file.save({ mark: mark.mark, checked });
    } catch (error) {
      logger.warn({ err: error }, `could not keep the warehouse check: ${describeError(error)}`);
    }
  }
}
