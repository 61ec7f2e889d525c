/**
 * Test-only preload (`node --import`) for the SIGKILL trials: kills its own process with SIGKILL at a
 * chosen point, named by NDS_KILL_AT as `<point>:<n>` (the n-th occurrence in this process):
 *   merge:n      while the n-th MERGE statement runs in DuckDB (during a warehouse write)
 *   commit:n     while the n-th COMMIT runs in DuckDB
 *   watermark:n  after the warehouse committed, just before the n-th watermark file is renamed into place
 * It writes one line `KILL-POINT <point>:<n> <state>` to stderr first, so the test knows which point was
 * hit and what the process died in. For merge and commit, <state> says whether the statement's promise
 * had settled when the process died: `in-flight` (it was still running: the kill landed during the
 * MERGE/COMMIT) or `settled` (it had already finished: the kill landed just after it). For watermark it
 * is `before-rename`.
 * Nothing of this is in the production code: it wraps the driver and fs functions from outside.
 */
import fs from "node:fs";
import { dirname, resolve } from "node:path";
import { syncBuiltinESMExports } from "node:module";
import duckdb from "@duckdb/node-api";

const [point, at] = (process.env.NDS_KILL_AT ?? "").split(":");
const target = Number(at);
let seen = 0;

function die(state) {
  fs.writeSync(2, `KILL-POINT ${point}:${target} ${state}\n`);
  process.kill(process.pid, "SIGKILL");
}

/**
 * Counts statements of the chosen kind; at the target, lets the statement start, then dies on the next
 * turn of the event loop, saying whether the statement's promise had settled by then.
 */
function wrapStatement(method) {
  const original = duckdb.DuckDBConnection.prototype[method];
  duckdb.DuckDBConnection.prototype[method] = function (sql, ...rest) {
    const text = String(sql).trimStart().toUpperCase();
    const hit = (point === "merge" && text.startsWith("MERGE INTO")) || (point === "commit" && text.startsWith("COMMIT"));
    const result = original.call(this, sql, ...rest);
    if (hit && (seen += 1) === target) {
      let settled = false;
      const done = () => (settled = true);
      result.then(done, done);
      setImmediate(() => die(settled ? "settled" : "in-flight"));
    }
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
    if (String(to).endsWith(".json") && resolve(dirname(String(to))) === watermarks && (seen += 1) === target) die("before-rename");
    return rename(from, to);
  };
  syncBuiltinESMExports();
}
