/**
 * Test-only preload (`node --import`) for the SIGKILL trials: kills its own process with SIGKILL at a
 * chosen point, named by NDS_KILL_AT as `<point>:<n>` (the n-th occurrence in this process):
 *   merge:n      while the n-th MERGE statement runs in DuckDB (during a warehouse write)
 *   commit:n     while the n-th COMMIT runs in DuckDB
 *   watermark:n  after the warehouse committed, just before the n-th watermark file is renamed into place
 * It writes one line `KILL-POINT <point>:<n>` to stderr first, so the test knows which point was hit.
 * Nothing of this is in the production code: it wraps the driver and fs functions from outside.
 */
import fs from "node:fs";
import { dirname, resolve } from "node:path";
import { syncBuiltinESMExports } from "node:module";
import duckdb from "@duckdb/node-api";

const [point, at] = (process.env.NDS_KILL_AT ?? "").split(":");
const target = Number(at);
let seen = 0;

function die() {
  fs.writeSync(2, `KILL-POINT ${point}:${target}\n`);
  process.kill(process.pid, "SIGKILL");
}

/** Counts statements of the chosen kind; at the target, lets the statement start, then dies while it runs. */
function wrapStatement(method) {
  const original = duckdb.DuckDBConnection.prototype[method];
  duckdb.DuckDBConnection.prototype[method] = function (sql, ...rest) {
    const text = String(sql).trimStart().toUpperCase();
    const hit = (point === "merge" && text.startsWith("MERGE INTO")) || (point === "commit" && text.startsWith("COMMIT"));
    const result = original.call(this, sql, ...rest);
    if (hit && (seen += 1) === target) setImmediate(die);
    return result;
  };
}

if (point === "merge" || point === "commit") {
  wrapStatement("run");
  wrapStatement("runAndReadAll");
}

if (point === "watermark") {
  const watermarks = resolve(process.env.WATERMARK_DIR ?? "watermarks");
  const rename = fs.promises.rename;
  fs.promises.rename = async (from, to) => {
    if (String(to).endsWith(".json") && resolve(dirname(String(to))) === watermarks && (seen += 1) === target) die();
    return rename(from, to);
  };
  syncBuiltinESMExports();
}
