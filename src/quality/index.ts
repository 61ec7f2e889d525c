export { checkDatabase } from "./database-checks.js";
export * from "./dq-model.js";
export { runDqChecks, type DqResult } from "./run-checks.js";
