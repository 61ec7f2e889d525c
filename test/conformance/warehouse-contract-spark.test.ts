import { warehouseContract } from "../integration/warehouse-contract.js";
import { openSparkWarehouse, uniquePrefix } from "./spark-target.js";

warehouseContract("databricks dialect on Spark 4.0 + Delta 4.0", { open: () => openSparkWarehouse(), schemaPrefix: uniquePrefix });
