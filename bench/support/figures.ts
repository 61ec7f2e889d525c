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

/**
 * The least wall time `requests` can take through the engine's pacer, a token bucket that starts
 * full with `burst` tokens and refills at `rps`: the first `burst` requests may leave at once, the
 * last one no sooner than `(requests − burst) / rps` after the first, and the run ends no sooner
 * than that request's answer (`lastLatencySeconds`, when the sandbox adds latency). Every HTTP
 * attempt (429s included) takes a token, and the sandbox's own bucket (burst 2 × rps) is looser.
 * `naive` is `requests / rps`, which ignores the burst and so is no bound: a run can beat it.
 */
export function rateBound(requests: number, rps: number, burst: number, lastLatencySeconds = 0): { naive: number; bound: number } {
  return { naive: requests / rps, bound: Math.max(0, requests - burst) / rps + (requests > 0 ? lastLatencySeconds : 0) };
}
