import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { DuckDbSettings } from "../../config/index.js";
import { writableOrCreatable } from "../../state/writable.js";
import { probeTables, type WarehouseEngine } from "../engine.js";
import { WarehouseError } from "../warehouse-error.js";
import { duckDbDialect } from "./duckdb-dialect.js";

/** The embedded warehouse: a file that the first sync creates; `verify` opens an existing one read-only. */
export const duckDbEngine: WarehouseEngine<DuckDbSettings> = {
  dialect: (settings, { readOnly }) => duckDbDialect({ ...settings, readOnly }),
  async probe(settings, tables) {
    if (settings.path !== ":memory:" && !existsSync(settings.path)) {
      const dir = writableOrCreatable(dirname(settings.path));
      if (!dir.ok) throw new WarehouseError("permission", `cannot create the DuckDB file ${settings.path}: ${dir.reason}`, { retry: "never" });
      return { missing: tables.map((t) => `${t.schema}.${t.name}`), created: false };
    }
    return probeTables(duckDbDialect({ ...settings, readOnly: true }), tables);
  },
  fixHint: () => "check DUCKDB_PATH (a writable place, not open in another process)",
  async stateMark(settings) {
    if (settings.path === ":memory:") return undefined;
    const file = await stat(settings.path).catch(() => undefined);
    if (!file) return undefined;
    return { mark: `duckdb:${resolve(settings.path)}:${file.dev}:${file.ino}:${file.size}:${file.mtimeMs}`, trustMs: Number.POSITIVE_INFINITY };
  },
};
