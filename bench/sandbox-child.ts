/**
 * The sandbox in a process of its own, for the benchmark: serves the seeded workspace over HTTP and
 * answers the harness over IPC (the request log, the bounds computed from its data, edits), so that
 * rendering and serving pages never competes with the engine for an event loop. Like the sandbox it
 * imports nothing from the pipeline: the bound and count helpers it uses read only sandbox data.
 */
import { startSandbox, type SandboxOptions, type WebhookSubscription } from "../src/sandbox/index.js";
import { countRequests } from "./support/request-counts.js";
import { dependentMinimum, expectedPages, minimumRequests } from "./support/request-bound.js";
import type { SandboxCall } from "./support/sandbox-protocol.js";

if (!process.send) throw new Error("bench/sandbox-child.ts runs under the bench harness (it needs an IPC channel)");
const options = JSON.parse(process.argv[2] ?? "{}") as SandboxOptions;
/** The webhook subscription, while there is one (`subscribe`). */
let subscription: WebhookSubscription | undefined;
/** How far the sandbox's clock is set from the real one (`setTime`). */
let offsetMs = 0;
const sandbox = await startSandbox({ seed: 1, ...options, now: () => Date.now() + offsetMs });

/** Edits of properties no rollup or formula of another page reads: a page's silver row is written only by the run that read its edit. */
const EDITS: Record<string, (n: number) => Record<string, unknown>> = {
  budget_lines: (n) => ({ Approved: { checkbox: n % 2 === 0 } }),
  milestones: (n) => ({ Done: { checkbox: n % 2 === 0 } }),
  risks: (n) => ({ Mitigation: { rich_text: [{ text: { content: `plan ${n}` } }] } }),
  projects: (n) => ({ Spent: { number: 1000 + n } }),
};

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
    case "subscribe":
      return sandbox.webhooks.subscribe({ url: call.url }).then((made) => {
        subscription = made;
        return null;
      });
    case "unsubscribe":
      subscription?.close();
      subscription = undefined;
      return null;
    case "editPage": {
      const pageId = sandbox.store.pageIds(sandbox.databases[call.key]!.dataSourceId)[call.index]!;
      sandbox.store.updatePage(pageId, EDITS[call.key]!(call.n));
      return { pageId, at: Date.now() };
    }
  }
}

process.on("message", (message: { id: number; call: SandboxCall }) => {
  const fail = (error: unknown) => process.send!({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  try {
    Promise.resolve(answer(message.call)).then((value) => process.send!({ id: message.id, ok: true, value }), fail);
  } catch (error) {
    fail(error);
  }
});
// The harness closing the channel (or dying) ends the sandbox.
process.on("disconnect", () => void sandbox.close().finally(() => process.exit(0)));
process.send({ id: 0, ok: true, value: { env: sandbox.env(), databases: sandbox.databases } });
