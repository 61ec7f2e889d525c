export { checkDatabase } from "./database-checks.js";
export * from "./dq-model.js";
export { ISSUES_SHOWN, runDqChecks, type DqResult } from "./run-checks.js";
