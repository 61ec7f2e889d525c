import type { AppConfig } from "../../src/config/index.js";
import type { DuckDbOptions } from "../../src/warehouse/duckdb/duckdb-driver.js";

/** A figure rounded for the table (JSON keeps the same rounded value, so runs compare cleanly). */
export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** True when one of the databases maps a people column to names or emails (the users list is read once). */
export function needsUsers(config: AppConfig, keys: readonly string[]): boolean {
  return config.mapping.databases.some((d) => keys.includes(d.key) && d.columns.some((c) => c.extract === "name" || c.extract === "email"));
}

/** The three databases of the full-sync scenarios: the relation chain programs → projects → budget lines. */
export const CHAIN = ["programs", "projects", "budget_lines"] as const;

/** The benchmark writes a scratch DuckDB file: its settings, whatever engines the config knows. */
export function duckDbSettings(settings: AppConfig["warehouse"]): DuckDbOptions {
  if (settings.kind !== "duckdb") throw new Error(`the benchmark writes a scratch DuckDB file, not ${String((settings as { kind: string }).kind)}`);
  return settings;
}
