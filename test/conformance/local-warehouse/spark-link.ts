import { createRequire } from "node:module";
import type * as Thrift from "thrift";
import { tcliService, type T } from "./tcli.js";

/**
 * One binary Thrift connection to the suite's Spark Thrift Server (NOSASL: unframed), per session
 * of the local warehouse: HiveServer2 answers one call of a connection at a time, so sessions
 * (two writers, a poll during a long MERGE) must not queue behind each other.
 */
export interface SparkClient {
  OpenSession(req: T.TOpenSessionReq): Promise<T.TOpenSessionResp>;
  CloseSession(req: T.TCloseSessionReq): Promise<T.TCloseSessionResp>;
  ExecuteStatement(req: T.TExecuteStatementReq): Promise<T.TExecuteStatementResp>;
  GetOperationStatus(req: T.TGetOperationStatusReq): Promise<T.TGetOperationStatusResp>;
  GetResultSetMetadata(req: T.TGetResultSetMetadataReq): Promise<T.TGetResultSetMetadataResp>;
  FetchResults(req: T.TFetchResultsReq): Promise<T.TFetchResultsResp>;
  CancelOperation(req: T.TCancelOperationReq): Promise<T.TCancelOperationResp>;
  CloseOperation(req: T.TCloseOperationReq): Promise<T.TCloseOperationResp>;
}

export interface SparkLink {
  readonly client: SparkClient;
  close(): void;
}

const thrift = createRequire(import.meta.url)("thrift") as typeof Thrift;

export function openSparkLink(port: number): Promise<SparkLink> {
  return new Promise((resolve, reject) => {
    const connection = thrift.createConnection("127.0.0.1", port, { transport: thrift.TBufferedTransport, protocol: thrift.TBinaryProtocol });
    const failed = (error: Error) => reject(new Error(`local warehouse: cannot reach Spark on port ${port}: ${error.message}`));
    connection.once("error", failed);
    connection.once("connect", () => {
      connection.off("error", failed);
      // A broken connection fails the calls in flight; the event itself needs a listener.
      connection.on("error", () => undefined);
      const client = thrift.createClient(tcliService as unknown as Thrift.TClientConstructor<SparkClient>, connection);
      resolve({ client, close: () => connection.end() });
    });
  });
}
