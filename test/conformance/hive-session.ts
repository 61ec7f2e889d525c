import hive from "hive-driver";
import type { StatementSession } from "../../src/warehouse/databricks/databricks-driver.js";
import { replaceMarkers } from "./sql-markers.js";

/**
 * A StatementSession on the Spark Thrift Server through the open-source HiveServer2 client (the
 * Databricks driver cannot open a session on open-source Spark). HiveServer2 binds no parameters,
 * so this TEST-ONLY session renders each `:name` marker as a literal: strings as
 * `decode(unhex('…'), 'UTF-8')`, which no content can break out of. Results are shaped like the
 * Databricks driver's: TIMESTAMP as Date, BIGINT and DECIMAL as number. Lists must be read through
 * to_json (the HiveServer2 text of an array is not JSON for every string); maps and structs (Delta's
 * history metrics) are parsed by the client.
 */
export async function openHiveSession(port: number, database = "default"): Promise<StatementSession & { statements: string[] }> {
  const { TCLIService, TCLIService_types } = hive.thrift;
  const client = new hive.HiveClient(TCLIService, TCLIService_types);
  const utils = new hive.HiveUtils(TCLIService_types);
  await client.connect({ host: "127.0.0.1", port }, new hive.connections.TcpConnection(), new hive.auth.NoSaslAuthentication());
  const session = await client.openSession({
    client_protocol: TCLIService_types.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10,
    configuration: { "use:database": database },
  });
  const types = TCLIService_types.TTypeId as Record<string, number>;
  const statements: string[] = [];
  return {
    statements,
    async run(sql, params) {
      const rendered = renderParameters(sql, params);
      statements.push(sql);
      const operation = await session.executeStatement(rendered, { runAsync: true });
      try {
        await utils.waitUntilReady(operation, false, () => undefined);
        await utils.fetchAll(operation);
        const schema = operation.getSchema();
        const columns = (schema?.columns ?? []) as { columnName: string; typeDesc: { types: { primitiveEntry?: { type: number } }[] } }[];
        const typeOf = new Map(columns.map((c) => [c.columnName.split(".").pop() ?? c.columnName, c.typeDesc.types[0]?.primitiveEntry?.type]));
        for (const [name, type] of typeOf) {
          // Its text is not JSON for every string, and the client then answers [] silently.
          if (type === types.ARRAY_TYPE) throw new Error(`test session: read the list column ${name} through to_json`);
        }
        const rows = utils.getResult(operation).getValue() as Record<string, unknown>[] | null;
        return (rows ?? []).map((row) => {
          for (const [name, type] of typeOf) {
            const value = row[name];
            if (type === types.TIMESTAMP_TYPE && typeof value === "string") row[name] = new Date(`${value.replace(" ", "T")}Z`);
          }
          return row;
        });
      } finally {
        await operation.close().catch(() => undefined);
      }
    },
    async close() {
      // Spark 4.0's server thread can die answering a CloseSession it does not know (a missing Hive
      // LLAP class on its error path): the connection is closed after a bounded wait either way.
      let timer: NodeJS.Timeout | undefined;
      const bounded = new Promise((resolve) => (timer = setTimeout(resolve, 5_000)));
      await Promise.race([session.close().catch(() => undefined), bounded]);
      clearTimeout(timer);
      client.close();
    },
  };
}

/** Replaces each `:name` marker outside literals, identifiers and comments with a literal of its value. */
export function renderParameters(sql: string, params: Readonly<Record<string, unknown>>): string {
  return replaceMarkers(sql, (name) => {
    if (!(name in params)) throw new Error(`UNBOUND_SQL_PARAMETER: :${name} has no value`);
    return literal(params[name]);
  });
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "TRUE" : "FALSE";
  if (typeof value === "bigint") return `${value}L`;
  if (typeof value === "number") {
    if (Number.isInteger(value) && Math.abs(value) <= 2 ** 31 - 1) return String(value);
    if (Number.isSafeInteger(value)) return `${value}L`;
    return `CAST('${String(value)}' AS DOUBLE)`;
  }
  if (value instanceof Date) return `TIMESTAMP'${value.toISOString().replace("T", " ").replace("Z", "")}'`;
  if (typeof value === "string") return `decode(unhex('${Buffer.from(value, "utf8").toString("hex")}'), 'UTF-8')`;
  throw new Error(`test session: no literal for a ${typeof value} parameter`);
}
