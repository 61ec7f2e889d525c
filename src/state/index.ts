export {
  acquireRunLock,
  describeHolder,
  LOCK_FILE,
  LockHeldError,
  lockHolder,
  type LockHolder,
  type LockInfo,
  type LockOptions,
  type RunLock,
} from "./run-lock.js";
export { currentIdentity, type ProcessIdentity } from "./process-identity.js";
export { fileWatermarkStore, parseWatermark, type RecentVersion, type Watermark, type WatermarkStore } from "./watermark-store.js";
export { watermarkOfRow, watermarkRow } from "./watermark-rows.js";
export { makeDirectories, writableOrCreatable } from "./writable.js";
export { userCache, type CachedUsers } from "./user-cache.js";
export { pendingRunRecords, type PendingRunRow } from "./pending-runs.js";
export { warehouseCheckFile, type WarehouseCheck } from "./warehouse-check.js";
