import { isWarehouseError } from "./warehouse-error.js";
import type { Warehouse } from "./warehouse.js";

/** What `verify --probe-batch-size` found: the largest parameter the warehouse took, and the smallest it refused. */
export interface StatementSizeProbe {
  readonly acceptedBytes: number;
  /** Undefined: nothing tried was refused. */
  readonly refusedBytes: number | undefined;
  /** Statements sent. */
  readonly statements: number;
}

const MIB = 2 ** 20;
/** Doubling from 1 MiB to what one Databricks statement carries at most (16 MiB), then halving the gap 3 times. */
const FIRST_BYTES = MIB;
const MOST_BYTES = 16 * MIB;
const BISECTIONS = 3;

/**
 * Sends one string parameter of growing size (`SELECT length(:p)`) until the warehouse refuses it as
 * too large (HTTP 413, `too_large`), then narrows the gap. Any other failure is thrown: it says
 * nothing about the size. At most 8 statements; nothing is written.
 */
export async function probeStatementSize(warehouse: Warehouse): Promise<StatementSizeProbe> {
  let statements = 0;
  const accepts = async (bytes: number): Promise<boolean> => {
    statements += 1;
    try {
      await warehouse.sql.query("SELECT length(:nds_probe) AS n", { nds_probe: "x".repeat(bytes) });
      return true;
    } catch (error) {
      if (isWarehouseError(error) && error.kind === "too_large") return false;
      throw error;
    }
  };
  let accepted = 0;
  let refused: number | undefined;
  for (let bytes = FIRST_BYTES; bytes <= MOST_BYTES && refused === undefined; bytes *= 2) {
    if (await accepts(bytes)) accepted = bytes;
    else refused = bytes;
  }
  for (let i = 0; i < BISECTIONS && refused !== undefined; i += 1) {
    const middle = Math.round((accepted + refused) / 2);
    if (await accepts(middle)) accepted = middle;
    else refused = middle;
  }
  return { acceptedBytes: accepted, refusedBytes: refused, statements };
}
