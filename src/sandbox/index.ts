/**
 * The Notion sandbox: a local Notion-API-compatible server (API version 2025-09-03) with a seeded finance
 * PPM workspace, for demos, end-to-end tests and benchmarks. It imports nothing from the rest of `src/`.
 *
 * ```ts
 * const sandbox = await startSandbox({ resultLimit: 25 });
 * const notion = new Client({ auth: sandbox.token, baseUrl: sandbox.url });
 * // … sandbox.store.listPages(sandbox.databases.projects.dataSourceId) is the oracle …
 * await sandbox.close();
 * ```
 */
export { startSandbox } from "./start.js";
export type { FaultRule, PlantedProblem, RequestLogEntry, Sandbox, SandboxDatabase, SandboxOptions } from "./types.js";
export { SandboxStore, type PageReadOptions, type StoreWriteOptions } from "./store/sandbox-store.js";
export { SandboxApiError, type SandboxErrorCode } from "./errors.js";
export { PLANTED_PROBLEMS, plantedProblems } from "./seed/plan.js";
export { DATABASE_KEYS, type DatabaseKey } from "./seed/schemas.js";
export type { WebhookDelivery, WebhookPayload, WebhookSubscription, WebhookSubscriptionOptions } from "./webhooks/subscription.js";
export { SEED_EPOCH_MS } from "./core/time.js";
