export { acquireRunLock, LOCK_FILE, lockHolder, type LockInfo, type RunLock } from "./run-lock.js";
export { fileWatermarkStore, type Watermark, type WatermarkStore } from "./watermark-store.js";
export { makeDirectories, writableOrCreatable } from "./writable.js";
