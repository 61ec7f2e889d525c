import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-file.js";
import { parseJson, readStateFile } from "./fs-errors.js";

/** Beside the watermarks, named so that their listing never takes it for one. */
const FILE = "warehouse-check.state";

/** The last check of the warehouse: the mark it left (`StateMark`) and when each database's state was compared with it. */
export interface WarehouseCheck {
  readonly mark: string;
  /** Database key → when a run that opened the warehouse last compared its watermark and tables there. */
  readonly checked: Readonly<Record<string, string>>;
}

const checkSchema = z.object({ mark: z.string(), checked: z.record(z.string(), z.string()) });

export function warehouseCheckFile(directory: string) {
  const path = join(directory, FILE);
  return {
    path,
    save: (check: WarehouseCheck) => writeFileAtomic(path, `${JSON.stringify(check)}\n`, "write the warehouse check"),
    /** The last check, or undefined when none was kept or it cannot be read (then the next run checks again). */
    async load(): Promise<WarehouseCheck | undefined> {
      const text = await readStateFile(path, "read the warehouse check");
      const parsed = checkSchema.safeParse(text === undefined ? undefined : parseJson(text));
      return parsed.success ? parsed.data : undefined;
    },
  };
}
