import { randomBytes, randomUUID } from "node:crypto";
import Int64 from "node-int64";
import { arrowResultOf, decodeColumns, recordBatchBytes, type ArrowResult } from "./arrow-results.js";
import { bindParameters, ParameterError, parameterBytes } from "./bind-parameters.js";
import { CONFLICT_MESSAGE, type HttpFault, type WarehouseFaults } from "./faults.js";
import { openSparkLink, type SparkLink } from "./spark-link.js";
import { handleKey, tcli, type T } from "./tcli.js";
import { failedStatus, operationFailed, sessionConfigurationProblem, status } from "./warehouse-status.js";

/**
 * The TCLIService calls a Databricks SQL warehouse answers for `@databricks/sql`, served from the
 * suite's Spark: sessions and operations are Spark's (their handles pass through), parameters are
 * bound as literals, results go out as Arrow, errors carry the warehouse's fields. Calls the driver
 * does not make on this path answer an error.
 */
export interface StatementRecord {
  readonly sql: string;
  readonly parameters: number;
  readonly parameterBytes: number;
}

export interface ServiceDeps {
  readonly sparkPort: number;
  readonly faults: WarehouseFaults;
  readonly statements: StatementRecord[];
}

/** What one HTTP request may answer instead of its Thrift reply (a limit the front end enforces). */
export interface RequestContext {
  refusal?: HttpFault;
}

interface Session {
  readonly link: SparkLink;
  readonly spark: T.TSessionHandle;
}

interface Operation {
  readonly session: Session;
  readonly spark?: T.TOperationHandle;
  readonly failed?: T.TGetOperationStatusResp;
  readonly readyAt: number;
  result?: { arrow: ArrowResult; columns: unknown[][]; rowCount: number };
  metadata?: T.TGetResultSetMetadataResp;
  cursor: number;
}

const SPARK_FETCH_ROWS = 10_000;
const { TOperationState: State, TFetchOrientation: Orientation } = tcli;

export function createWarehouseService(deps: ServiceDeps) {
  const sessions = new Map<string, Session>();
  const operations = new Map<string, Operation>();
  const invalid = (what: string) => status.invalidHandle(`Invalid ${what}: the local warehouse knows no such handle`);

  async function loadResult(op: Operation): Promise<NonNullable<Operation["result"]>> {
    if (op.result) return op.result;
    const metadata = await metadataOf(op);
    const arrow = arrowResultOf(metadata.schema);
    const columns: unknown[][] = arrow.schema.fields.map(() => []);
    for (;;) {
      const fetched = await op.session.link.client.FetchResults(new tcli.TFetchResultsReq({ operationHandle: op.spark!, orientation: Orientation.FETCH_NEXT, maxRows: new Int64(SPARK_FETCH_ROWS) }));
      if (fetched.status.statusCode === tcli.TStatusCode.ERROR_STATUS) throw new Error(fetched.status.errorMessage ?? "Spark failed a fetch");
      const decoded = decodeColumns(arrow, fetched.results?.columns ?? []);
      decoded.forEach((values, i) => columns[i]!.push(...values));
      // Spark answers at most the rows asked for: fewer means the end (no empty fetch to learn it).
      if ((decoded[0]?.length ?? 0) < SPARK_FETCH_ROWS) break;
    }
    op.result = { arrow, columns, rowCount: columns[0]?.length ?? 0 };
    return op.result;
  }

  async function metadataOf(op: Operation): Promise<T.TGetResultSetMetadataResp> {
    op.metadata ??= await op.session.link.client.GetResultSetMetadata(new tcli.TGetResultSetMetadataReq({ operationHandle: op.spark! }));
    return op.metadata;
  }

  return {
    async OpenSession(req: T.TOpenSessionReq): Promise<T.TOpenSessionResp> {
      const problem = sessionConfigurationProblem(req);
      if (problem) return new tcli.TOpenSessionResp({ status: problem, serverProtocolVersion: deps.faults.protocolVersion });
      const link = await openSparkLink(deps.sparkPort);
      const database = req.initialNamespace?.schemaName ?? "default";
      const opened = await link.client.OpenSession(new tcli.TOpenSessionReq({ client_protocol: tcli.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, configuration: { "use:database": database } }));
      if (opened.status.statusCode === tcli.TStatusCode.ERROR_STATUS || !opened.sessionHandle) {
        link.close();
        return new tcli.TOpenSessionResp({ status: opened.status, serverProtocolVersion: deps.faults.protocolVersion });
      }
      sessions.set(handleKey(opened.sessionHandle), { link, spark: opened.sessionHandle });
      return new tcli.TOpenSessionResp({ status: status.ok(), serverProtocolVersion: deps.faults.protocolVersion, sessionHandle: opened.sessionHandle, canUseMultipleCatalogs: true });
    },

    async CloseSession(req: T.TCloseSessionReq): Promise<T.TCloseSessionResp> {
      const key = handleKey(req.sessionHandle);
      const session = sessions.get(key);
      if (!session) return new tcli.TCloseSessionResp({ status: invalid("SessionHandle") });
      sessions.delete(key);
      for (const [id, op] of operations) if (op.session === session) operations.delete(id);
      // Spark can hang answering a CloseSession (see hive-session.ts): bounded, then the link closes.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([session.link.client.CloseSession(new tcli.TCloseSessionReq({ sessionHandle: session.spark })).catch(() => undefined), new Promise((r) => (timer = setTimeout(r, 5_000)))]);
      clearTimeout(timer);
      session.link.close();
      return new tcli.TCloseSessionResp({ status: status.ok() });
    },

    async ExecuteStatement(req: T.TExecuteStatementReq, ctx: RequestContext): Promise<T.TExecuteStatementResp> {
      const session = sessions.get(handleKey(req.sessionHandle));
      if (!session) return new tcli.TExecuteStatementResp({ status: invalid("SessionHandle") });
      const bytes = parameterBytes(req.parameters);
      const count = req.parameters?.length ?? 0;
      if (count > deps.faults.maxParameters) {
        ctx.refusal = { status: 400, message: `BAD_REQUEST: at most ${deps.faults.maxParameters} parameters per statement (got ${count})` };
      } else if (deps.faults.maxParameterBytes !== undefined && bytes > deps.faults.maxParameterBytes) {
        ctx.refusal = { status: deps.faults.parameterLimitStatus, message: `the statement's parameters are ${bytes} bytes, over the ${deps.faults.maxParameterBytes} this warehouse accepts` };
      }
      if (ctx.refusal) return new tcli.TExecuteStatementResp({ status: status.error(ctx.refusal.message ?? "refused") });
      deps.statements.push({ sql: req.statement, parameters: count, parameterBytes: bytes });
      let sql: string;
      try {
        sql = bindParameters(req.statement, req.parameters);
      } catch (error) {
        if (error instanceof ParameterError) return new tcli.TExecuteStatementResp({ status: status.error(error.message, "22023") });
        throw error;
      }
      const fault = deps.faults.statementFaultFor(req.statement);
      // hasResultSet as Spark answers for every statement: with false, the driver neither waits for the
      // statement nor sees its failure (fetchAll answers [] at once).
      const handle = (spark?: T.TOperationHandle) => spark ?? new tcli.TOperationHandle({ operationId: new tcli.THandleIdentifier({ guid: Buffer.from(randomUUID().replace(/-/g, ""), "hex"), secret: randomBytes(16) }), operationType: tcli.TOperationType.EXECUTE_STATEMENT, hasResultSet: true });
      if (fault?.kind === "conflict") {
        const operationHandle = handle();
        operations.set(handleKey(operationHandle), { session, readyAt: 0, cursor: 0, failed: operationFailed(CONFLICT_MESSAGE, "2D521") });
        return new tcli.TExecuteStatementResp({ status: status.ok(), operationHandle });
      }
      const started = await session.link.client.ExecuteStatement(new tcli.TExecuteStatementReq({ sessionHandle: session.spark, statement: sql, runAsync: true }));
      if (started.status.statusCode === tcli.TStatusCode.ERROR_STATUS || !started.operationHandle) return new tcli.TExecuteStatementResp({ status: failedStatus(started.status) });
      const readyAt = fault?.kind === "slow" ? Date.now() + (fault.delayMs ?? 0) : 0;
      operations.set(handleKey(started.operationHandle), { session, spark: started.operationHandle, readyAt, cursor: 0 });
      return new tcli.TExecuteStatementResp({ status: status.ok(), operationHandle: handle(started.operationHandle) });
    },

    async GetOperationStatus(req: T.TGetOperationStatusReq): Promise<T.TGetOperationStatusResp> {
      const op = operations.get(handleKey(req.operationHandle));
      if (!op) return new tcli.TGetOperationStatusResp({ status: invalid("OperationHandle") });
      if (op.failed) return op.failed;
      const answer = await op.session.link.client.GetOperationStatus(new tcli.TGetOperationStatusReq({ operationHandle: op.spark! }));
      if (answer.operationState === State.ERROR_STATE) return operationFailed(answer.errorMessage ?? "", answer.sqlState ?? undefined);
      if (answer.operationState === State.FINISHED_STATE && Date.now() < op.readyAt) return new tcli.TGetOperationStatusResp({ status: status.ok(), operationState: State.RUNNING_STATE });
      return new tcli.TGetOperationStatusResp({ status: answer.status, operationState: answer.operationState, hasResultSet: answer.hasResultSet });
    },

    async GetResultSetMetadata(req: T.TGetResultSetMetadataReq): Promise<T.TGetResultSetMetadataResp> {
      const op = operations.get(handleKey(req.operationHandle));
      if (!op?.spark) return new tcli.TGetResultSetMetadataResp({ status: invalid("OperationHandle") });
      const metadata = await metadataOf(op);
      if (metadata.status.statusCode === tcli.TStatusCode.ERROR_STATUS) return new tcli.TGetResultSetMetadataResp({ status: failedStatus(metadata.status) });
      const result = await loadResult(op);
      return new tcli.TGetResultSetMetadataResp({ status: status.ok(), schema: metadata.schema, resultFormat: tcli.TSparkRowSetType.ARROW_BASED_SET, lz4Compressed: false, arrowSchema: result.arrow.schemaBytes, isStagingOperation: false });
    },

    async FetchResults(req: T.TFetchResultsReq): Promise<T.TFetchResultsResp> {
      const op = operations.get(handleKey(req.operationHandle));
      if (!op?.spark) return new tcli.TFetchResultsResp({ status: invalid("OperationHandle") });
      const result = await loadResult(op);
      if (req.orientation === Orientation.FETCH_FIRST) op.cursor = 0;
      const from = op.cursor;
      const to = Math.min(result.rowCount, from + Math.max(1, req.maxRows.toNumber()));
      op.cursor = to;
      const arrowBatches = to > from ? [new tcli.TSparkArrowBatch({ batch: recordBatchBytes(result.arrow, result.columns, from, to), rowCount: new Int64(to - from) })] : [];
      return new tcli.TFetchResultsResp({ status: status.ok(), hasMoreRows: to < result.rowCount, results: new tcli.TRowSet({ startRowOffset: new Int64(from), rows: [], arrowBatches }) });
    },

    async CancelOperation(req: T.TCancelOperationReq): Promise<T.TCancelOperationResp> {
      const op = operations.get(handleKey(req.operationHandle));
      if (!op) return new tcli.TCancelOperationResp({ status: invalid("OperationHandle") });
      if (op.spark) await op.session.link.client.CancelOperation(new tcli.TCancelOperationReq({ operationHandle: op.spark }));
      return new tcli.TCancelOperationResp({ status: status.ok() });
    },

    async CloseOperation(req: T.TCloseOperationReq): Promise<T.TCloseOperationResp> {
      const key = handleKey(req.operationHandle);
      const op = operations.get(key);
      if (!op) return new tcli.TCloseOperationResp({ status: invalid("OperationHandle") });
      operations.delete(key);
      if (op.spark) await op.session.link.client.CloseOperation(new tcli.TCloseOperationReq({ operationHandle: op.spark }));
      return new tcli.TCloseOperationResp({ status: status.ok() });
    },

    /** Sessions still open: a test that closed its warehouses expects none. */
    openSessions: () => sessions.size,

    close(): void {
      for (const session of sessions.values()) session.link.close();
      sessions.clear();
      operations.clear();
    },
  };
}

export type WarehouseService = ReturnType<typeof createWarehouseService>;
