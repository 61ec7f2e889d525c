import { spawn, type ChildProcess } from "node:child_process";
import { processEnvironment } from "../../src/config/index.js";
import type { RequestLogEntry, SandboxDatabase, SandboxOptions } from "../../src/sandbox/index.js";
import type { RequestCounts } from "./request-counts.js";
import type { ExpectedPages } from "./verify-copy.js";
import type { SandboxCall, SandboxHello } from "./sandbox-protocol.js";

/**
 * The harness's handle on a sandbox running in its own process (bench/sandbox-child.ts): the
 * engine reaches it over HTTP with `env()`, the harness asks it over IPC for its request log and
 * for the bounds computed from its data. Nothing here runs while a sync is being timed.
 */
export interface SandboxProcess {
  readonly databases: Record<string, SandboxDatabase>;
  env(): Record<string, string>;
  mark(): Promise<number>;
  requestsSince(mark: number): Promise<RequestCounts>;
  requestLog(mark: number): Promise<RequestLogEntry[]>;
  minimumRequests(keys: readonly string[], needsUsers: boolean): Promise<{ total: number; queries: number; relationItems: number; fixed: number }>;
  expectedPages(keys: readonly string[]): Promise<ExpectedPages[]>;
  pageCounts(key: string): Promise<{ live: number; all: number }>;
  changePages(key: string, count: number, property: string, base: number): Promise<string[]>;
  dependentMinimum(lines: readonly string[]): Promise<{ pages: number; requests: number }>;
  setRateLimit(rps: number, burst?: number): Promise<void>;
  /** Sets the sandbox's clock to `at` (epoch ms), running on from there: a simulated day's Notion time. */
  setTime(at: number): Promise<void>;
  subscribe(url: string): Promise<void>;
  unsubscribe(): Promise<void>;
  editPage(key: string, index: number, n: number): Promise<{ pageId: string; at: number }>;
  close(): Promise<void>;
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

export async function startSandboxProcess(options: SandboxOptions): Promise<SandboxProcess> {
  // Advanced serialization carries the Maps of expectedPages.
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "bench/sandbox-child.ts", JSON.stringify(options)], {
    env: { PATH: processEnvironment().PATH ?? "" },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited: Error | undefined;
  const hello = new Promise<SandboxHello>((resolve, reject) => waiting.set(0, { resolve: (v) => resolve(v as SandboxHello), reject }));
  child.on("message", (reply: Reply) => {
    const pending = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (reply.ok) pending?.resolve(reply.value);
    else pending?.reject(new Error(`sandbox process: ${reply.error}`));
  });
  child.on("exit", (code, signal) => {
    exited = new Error(`the sandbox process exited (${signal ?? code}) with calls pending`);
    for (const pending of waiting.values()) pending.reject(exited);
    waiting.clear();
  });
  const call = <T>(body: SandboxCall) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      waiting.set(id, { resolve: (v) => resolve(v as T), reject });
      child.send({ id, call: body });
    });
  const { env, databases } = await hello;
  return {
    databases,
    env: () => ({ ...env }),
    mark: () => call({ op: "mark" }),
    requestsSince: (from) => call({ op: "requestsSince", from }),
    requestLog: (from) => call({ op: "requestLog", from }),
    minimumRequests: (keys, needsUsers) => call({ op: "minimumRequests", keys, needsUsers }),
    expectedPages: (keys) => call({ op: "expectedPages", keys }),
    pageCounts: (key) => call({ op: "pageCounts", key }),
    changePages: (key, count, property, base) => call({ op: "changePages", key, count, property, base }),
    dependentMinimum: (lines) => call({ op: "dependentMinimum", lines }),
    setRateLimit: (rps, burst) => call({ op: "setRateLimit", rps, ...(burst === undefined ? {} : { burst }) }),
    setTime: (at) => call({ op: "setTime", at }),
    subscribe: (url) => call({ op: "subscribe", url }),
    unsubscribe: () => call({ op: "unsubscribe" }),
    editPage: (key, index, n) => call({ op: "editPage", key, index, n }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        // Disconnecting is the stop signal: the child closes its server and ends.
        child.disconnect();
      }),
  };
}
