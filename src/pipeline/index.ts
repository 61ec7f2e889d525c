export { runSync, type SkipReason, type SyncRunDeps, type SyncRunOptions, type SyncRunResult } from "./run-sync.js";
export { newRunId } from "./run-records.js";
export { runPreflight, type PreflightCheck } from "./preflight.js";
export { resetWatermarks, showWatermarks, watermarkMismatches, type StateReport, type WatermarkState } from "./state-admin.js";
export { describeChange, diffMapping, type MappingChange } from "./mapping-diff.js";
export { runRebuild, type RebuildOutcome, type RebuildRunResult } from "./run-rebuild.js";
