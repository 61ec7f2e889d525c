import { createWarehouse } from "../../src/warehouse/index.js";
import { WarehouseError } from "../../src/warehouse/index.js";

/**
 * The real warehouse factory, counting the sessions opened through it and those still open, with a
 * failure knob: while `refuse` is set, opening fails as an unreachable warehouse would (nothing opened).
 */
export interface CountingWarehouse {
  readonly open: typeof createWarehouse;
  /** Sessions asked for, refused ones included. */
  readonly opened: number;
  /** Sessions opened and not closed yet. */
  readonly live: number;
  refuse: string | undefined;
}

export function countingWarehouse(): CountingWarehouse {
  let opened = 0;
  let live = 0;
  const counter: CountingWarehouse = {
    refuse: undefined,
    get opened() {
      return opened;
    },
    get live() {
      return live;
    },
    async open(settings, observer, options) {
      opened += 1;
      if (counter.refuse !== undefined) throw new WarehouseError("refused", counter.refuse, { retry: "always" });
      const warehouse = await createWarehouse(settings, observer, options);
      live += 1;
      return {
        ...warehouse,
        async close() {
          live -= 1;
          await warehouse.close();
        },
      };
    },
  };
  return counter;
}
