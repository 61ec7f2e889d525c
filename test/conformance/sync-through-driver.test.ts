import { openDriverWarehouse, useLocalWarehouse } from "./driver-target.js";
import { syncSuite } from "./sync-suite.js";

const local = useLocalWarehouse();

// The worker's own path: WAREHOUSE=databricks settings, the production session, @databricks/sql.
syncSuite("through @databricks/sql on the local warehouse", () => ({
  env: local().env(),
  openReader: () => openDriverWarehouse(local()),
  statements: () => local().statements.map((s) => s.sql),
}));
