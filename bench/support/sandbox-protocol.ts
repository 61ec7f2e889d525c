import type { SandboxDatabase } from "../../src/sandbox/index.js";

/** What the harness may ask the sandbox process (bench/sandbox-child.ts) over IPC. */
export type SandboxCall =
  /** The request log's length now: a later requestsSince(mark) counts what was served after it. */
  | { op: "mark" }
  | { op: "requestsSince"; from: number }
  /** The log's entries themselves (method, path, status, when each finished), for timelines. */
  | { op: "requestLog"; from: number }
  | { op: "minimumRequests"; keys: readonly string[]; needsUsers: boolean }
  | { op: "expectedPages"; keys: readonly string[] }
  | { op: "pageCounts"; key: string }
  /** Sets a number property on `count` pages spread over the database (values base, base + 1, …); answers their ids. */
  | { op: "changePages"; key: string; count: number; property: string; base: number }
  /** The fewest requests of the dependent refresh after these budget lines changed (see request-bound.ts). */
  | { op: "dependentMinimum"; lines: readonly string[] }
  /** Buckets restart full: each repetition starts from the same state. */
  | { op: "setRateLimit"; rps: number; burst?: number }
  /** The sandbox's clock (its edits' times, the Date of its answers) reads `at` now and runs on from there. */
  | { op: "setTime"; at: number }
  /** Subscribes the sandbox's webhooks to `url` (the handshake first); answers once it is done. */
  | { op: "subscribe"; url: string }
  /** Ends the subscription: no more events are sent. */
  | { op: "unsubscribe" }
  /** Edits the `index`-th page of a database with a property no rollup reads; answers the page and when (epoch ms). */
  | { op: "editPage"; key: string; index: number; n: number };

/** The sandbox process's first message: what an engine needs to reach it. */
export interface SandboxHello {
  readonly env: Record<string, string>;
  readonly databases: Record<string, SandboxDatabase>;
}
