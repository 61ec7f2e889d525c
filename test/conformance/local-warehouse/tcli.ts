import { createRequire } from "node:module";
import type * as Types from "@databricks/sql/thrift/TCLIService_types.js";
import type * as Service from "@databricks/sql/thrift/TCLIService.js";

/**
 * The TCLIService definitions that `@databricks/sql` ships (generated Thrift code, CommonJS): the
 * local warehouse serves the driver with the driver's own structs and talks to Spark with them too
 * (they extend HiveServer2's with fields at ids Spark skips). Loaded with require, because their
 * exports are assigned in a way ES module interop does not see.
 */
const require = createRequire(import.meta.url);

export const tcli = require("@databricks/sql/thrift/TCLIService_types.js") as typeof Types;
export const tcliService = require("@databricks/sql/thrift/TCLIService.js") as typeof Service;
export type { Types as T };

/** A handle's id as text, the key of the local warehouse's session and operation tables. */
export function handleKey(handle: { operationId?: { guid: Buffer }; sessionId?: { guid: Buffer } } | undefined | null): string {
  const guid = handle?.operationId?.guid ?? handle?.sessionId?.guid;
  return guid ? Buffer.from(guid).toString("hex") : "";
}
