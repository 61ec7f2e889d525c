import { warehouseContract } from "../integration/warehouse-contract.js";
import { openDriverWarehouse, useLocalWarehouse } from "./driver-target.js";
import { uniquePrefix } from "./spark-target.js";

const local = useLocalWarehouse();

warehouseContract("databricks dialect through @databricks/sql on the local warehouse (Spark 4.0 + Delta 4.0)", {
  open: () => openDriverWarehouse(local()),
  schemaPrefix: uniquePrefix,
});
