import { openSparkWarehouse } from "./spark-target.js";
import { syncSuite } from "./sync-suite.js";

const statements: string[] = [];

syncSuite("on the HiveServer2 test session", () => ({
  env: {},
  openWarehouse: () => openSparkWarehouse(statements),
  openReader: () => openSparkWarehouse(),
  statements: () => statements,
}));
