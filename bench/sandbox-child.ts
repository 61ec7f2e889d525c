/**
 * The sandbox in a process of its own, for the benchmark: serves the seeded workspace over HTTP and
 * answers the harness over IPC (the request log, the bounds computed from its data, edits), so that
 * rendering and serving pages never competes with the engine for an event loop. Like the sandbox it
 * imports nothing from the pipeline: the bound and count helpers it uses read only sandbox data.
 */
import { startSandbox, type SandboxOptions } from "../src/sandbox/index.js";
import { countRequests } from "./support/request-counts.js";
import { dependentMinimum, expectedPages, minimumRequests } from "./support/request-bound.js";
import type { SandboxCall } from "./support/sandbox-protocol.js";

if (!process.send) throw new Error("bench/sandbox-child.ts runs under the bench harness (it needs an IPC channel)");
const options = JSON.parse(process.argv[2] ?? "{}") as SandboxOptions;
/** How far the sandbox's clock is set from the real one (`setTime`). */
let offsetMs = 0;
const sandbox = await startSandbox({ seed: 1, ...options, now: () => Date.now() + offsetMs });

function answer(call: SandboxCall): unknown {
  switch (call.op) {
    case "mark":
      return sandbox.requests.length;
    case "requestsSince":
      return countRequests(sandbox.requests.slice(call.from));
    case "requestLog":
      return sandbox.requests.slice(call.from);
    case "minimumRequests":
      return minimumRequests(sandbox, call.keys, call.needsUsers);
    case "expectedPages":
      return expectedPages(sandbox, call.keys);
    case "pageCounts": {
      const id = sandbox.databases[call.key]!.dataSourceId;
      return { live: sandbox.store.pageIds(id).length, all: sandbox.store.pageIds(id, { includeTrashed: true }).length };
    }
    case "changePages": {
      const ids = sandbox.store.pageIds(sandbox.databases[call.key]!.dataSourceId);
      const step = Math.floor(ids.length / call.count);
      const changed = Array.from({ length: call.count }, (_, i) => ids[i * step]!);
      changed.forEach((id, i) => sandbox.store.updatePage(id, { [call.property]: { number: call.base + i } }));
      return changed;
    }
    case "dependentMinimum":
      return dependentMinimum(sandbox, call.lines);
    case "setRateLimit":
      sandbox.setRateLimit(call.rps, call.burst);
      return null;
    case "setTime":
      offsetMs = call.at - Date.now();
      return null;
  }
}

process.on("message", (message: { id: number; call: SandboxCall }) => {
  try {
    process.send!({ id: message.id, ok: true, value: answer(message.call) });
  } catch (error) {
    process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
});
// The harness closing the channel (or dying) ends the sandbox.
process.on("disconnect", () => void sandbox.close().finally(() => process.exit(0)));
process.send({ id: 0, ok: true, value: { env: sandbox.env(), databases: sandbox.databases } });
