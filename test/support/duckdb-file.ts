import { DuckDBInstance } from "@duckdb/node-api";

/** Reads a DuckDB file the CLI wrote (read-only, opened and closed per call, as an outside tool would). */
export async function queryFile(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  try {
    const connection = await instance.connect();
    try {
      const result = await connection.runAndReadAll(sql);
      return result.getRowObjectsJS();
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
