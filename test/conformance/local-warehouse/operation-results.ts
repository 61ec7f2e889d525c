import Int64 from "node-int64";
import { arrowResultOf, decodeColumns, recordBatchBytes, type ArrowResult } from "./arrow-results.js";
import type { SparkLink } from "./spark-link.js";
import { tcli, type T } from "./tcli.js";
import { failedStatus, status } from "./warehouse-status.js";

/**
 * The results of one statement on Spark, read whole once it finished (they are small here) and
 * served to the driver page by page as Arrow with `hasMoreRows` exact; and the direct results a
 * warehouse puts in its ExecuteStatement answer when the statement finishes quickly.
 */
export interface SparkOperation {
  readonly link: SparkLink;
  readonly spark: T.TOperationHandle;
  result?: { arrow: ArrowResult; columns: unknown[][]; rowCount: number };
  metadata?: T.TGetResultSetMetadataResp;
  cursor: number;
}

const SPARK_FETCH_ROWS = 10_000;

async function sparkMetadata(op: SparkOperation): Promise<T.TGetResultSetMetadataResp> {
  op.metadata ??= await op.link.client.GetResultSetMetadata(new tcli.TGetResultSetMetadataReq({ operationHandle: op.spark }));
  return op.metadata;
}

async function loadResult(op: SparkOperation): Promise<NonNullable<SparkOperation["result"]>> {
  if (op.result) return op.result;
  const arrow = arrowResultOf((await sparkMetadata(op)).schema);
  const columns: unknown[][] = arrow.schema.fields.map(() => []);
  for (;;) {
    const fetched = await op.link.client.FetchResults(
      new tcli.TFetchResultsReq({ operationHandle: op.spark, orientation: tcli.TFetchOrientation.FETCH_NEXT, maxRows: new Int64(SPARK_FETCH_ROWS) }),
    );
    if (fetched.status.statusCode === tcli.TStatusCode.ERROR_STATUS) throw new Error(fetched.status.errorMessage ?? "Spark failed a fetch");
    const decoded = decodeColumns(arrow, fetched.results?.columns ?? []);
    decoded.forEach((values, i) => columns[i]!.push(...values));
    // Spark answers at most the rows asked for: fewer means the end (no empty fetch to learn it).
    if ((decoded[0]?.length ?? 0) < SPARK_FETCH_ROWS) break;
  }
  op.result = { arrow, columns, rowCount: columns[0]?.length ?? 0 };
  return op.result;
}

/** GetResultSetMetadata as a warehouse answers a driver that reads Arrow. */
export async function resultMetadata(op: SparkOperation): Promise<T.TGetResultSetMetadataResp> {
  const metadata = await sparkMetadata(op);
  if (metadata.status.statusCode === tcli.TStatusCode.ERROR_STATUS) return new tcli.TGetResultSetMetadataResp({ status: failedStatus(metadata.status) });
  const result = await loadResult(op);
  return new tcli.TGetResultSetMetadataResp({
    status: status.ok(),
    schema: metadata.schema,
    resultFormat: tcli.TSparkRowSetType.ARROW_BASED_SET,
    lz4Compressed: false,
    arrowSchema: result.arrow.schemaBytes,
    isStagingOperation: false,
  });
}

/** FetchResults: the next `maxRows` rows (from the first with FETCH_FIRST) as one Arrow batch. */
export async function resultPage(op: SparkOperation, maxRows: number, first: boolean): Promise<T.TFetchResultsResp> {
  const result = await loadResult(op);
  if (first) op.cursor = 0;
  const from = op.cursor;
  const to = Math.min(result.rowCount, from + Math.max(1, maxRows));
  op.cursor = to;
  const arrowBatches =
    to > from ? [new tcli.TSparkArrowBatch({ batch: recordBatchBytes(result.arrow, result.columns, from, to), rowCount: new Int64(to - from) })] : [];
  return new tcli.TFetchResultsResp({
    status: status.ok(),
    hasMoreRows: to < result.rowCount,
    results: new tcli.TRowSet({ startRowOffset: new Int64(from), rows: [], arrowBatches }),
  });
}

/**
 * Direct results of a finished statement: its status, metadata and first page, and (when that page
 * holds every row) its closing, after which the driver asks nothing more about it; `close` then
 * closes it on Spark.
 */
export async function directResults(op: SparkOperation, maxRows: number, close: () => Promise<void>): Promise<T.TSparkDirectResults | undefined> {
  const resultSetMetadata = await resultMetadata(op);
  // A statement whose metadata Spark cannot give is left to the driver's own calls.
  if (resultSetMetadata.status.statusCode !== tcli.TStatusCode.SUCCESS_STATUS) return undefined;
  const resultSet = await resultPage(op, maxRows, true);
  const operationStatus = new tcli.TGetOperationStatusResp({ status: status.ok(), operationState: tcli.TOperationState.FINISHED_STATE, hasResultSet: true });
  if (resultSet.hasMoreRows) return new tcli.TSparkDirectResults({ operationStatus, resultSetMetadata, resultSet });
  await close();
  return new tcli.TSparkDirectResults({ operationStatus, resultSetMetadata, resultSet, closeOperation: new tcli.TCloseOperationResp({ status: status.ok() }) });
}
