import { randomBytes, randomUUID } from "node:crypto";
import { bindParameters, ParameterError, parameterBytes } from "./bind-parameters.js";
import { STATEMENT_FAILURES, type HttpFault, type WarehouseFaults } from "./faults.js";
import { directResults, resultMetadata, resultPage, type SparkOperation } from "./operation-results.js";
import { openSparkLink, type SparkLink } from "./spark-link.js";
import { handleKey, tcli, type T } from "./tcli.js";
import { failedStatus, operationFailed, sessionConfigurationProblem, status } from "./warehouse-status.js";

/**
 * The TCLIService calls a Databricks SQL warehouse answers for `@databricks/sql`, served from the
 * suite's Spark: sessions and operations are Spark's (their handles pass through), parameters are
 * bound as literals, results go out as Arrow, errors carry the warehouse's fields. A statement that
 * finishes within two seconds is answered in the ExecuteStatement reply (direct results), as a
 * warehouse answers a quick one; a longer one is polled. Calls the driver does not make on this path
 * answer an error.
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
  /** The statement on Spark; absent for one that a knob failed without running it. */
  readonly results?: SparkOperation;
  readonly failed?: T.TGetOperationStatusResp;
  readonly readyAt: number;
}

/** How long ExecuteStatement waits for a statement to finish to answer with direct results. */
const DIRECT_RESULTS_WAIT_MS = 2_000;
const { TOperationState: State } = tcli;
const RUNNING = new Set<number>([State.INITIALIZED_STATE, State.PENDING_STATE, State.RUNNING_STATE]);

export function createWarehouseService(deps: ServiceDeps) {
  const sessions = new Map<string, Session>();
  const operations = new Map<string, Operation>();
  const invalid = (what: string) => status.invalidHandle(`Invalid ${what}: the local warehouse knows no such handle`);

  /** Direct results when the statement finishes soon, as a warehouse gives them; undefined while it runs. */
  async function answerDirectly(key: string, op: SparkOperation, maxRows: number): Promise<T.TSparkDirectResults | undefined> {
    const deadline = Date.now() + DIRECT_RESULTS_WAIT_MS;
    for (;;) {
      const answer = await op.link.client.GetOperationStatus(new tcli.TGetOperationStatusReq({ operationHandle: op.spark }));
      if (answer.operationState === State.ERROR_STATE)
        return new tcli.TSparkDirectResults({ operationStatus: operationFailed(answer.errorMessage ?? "", answer.sqlState ?? undefined) });
      if (answer.operationState === State.FINISHED_STATE) {
        return directResults(op, maxRows, async () => {
          operations.delete(key);
          await op.link.client.CloseOperation(new tcli.TCloseOperationReq({ operationHandle: op.spark }));
        });
      }
      if (!RUNNING.has(answer.operationState ?? -1) || Date.now() > deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  return {
    async OpenSession(req: T.TOpenSessionReq): Promise<T.TOpenSessionResp> {
      const problem = sessionConfigurationProblem(req);
      if (problem) return new tcli.TOpenSessionResp({ status: problem, serverProtocolVersion: deps.faults.protocolVersion });
      const link = await openSparkLink(deps.sparkPort);
      const database = req.initialNamespace?.schemaName ?? "default";
      const opened = await link.client.OpenSession(
        new tcli.TOpenSessionReq({ client_protocol: tcli.TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V10, configuration: { "use:database": database } }),
      );
      if (opened.status.statusCode === tcli.TStatusCode.ERROR_STATUS || !opened.sessionHandle) {
        link.close();
        return new tcli.TOpenSessionResp({ status: opened.status, serverProtocolVersion: deps.faults.protocolVersion });
      }
      sessions.set(handleKey(opened.sessionHandle), { link, spark: opened.sessionHandle });
      return new tcli.TOpenSessionResp({
        status: status.ok(),
        serverProtocolVersion: deps.faults.protocolVersion,
        sessionHandle: opened.sessionHandle,
        canUseMultipleCatalogs: true,
      });
    },

    async CloseSession(req: T.TCloseSessionReq): Promise<T.TCloseSessionResp> {
      const key = handleKey(req.sessionHandle);
      const session = sessions.get(key);
      if (!session) return new tcli.TCloseSessionResp({ status: invalid("SessionHandle") });
      sessions.delete(key);
      for (const [id, op] of operations) if (op.session === session) operations.delete(id);
      // Spark can hang answering a CloseSession (see hive-session.ts): bounded, then the link closes.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        session.link.client.CloseSession(new tcli.TCloseSessionReq({ sessionHandle: session.spark })).catch(() => undefined),
        new Promise((r) => (timer = setTimeout(r, 5_000))),
      ]);
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
        ctx.refusal = {
          status: deps.faults.parameterLimitStatus,
          message: `the statement's parameters are ${bytes} bytes, over the ${deps.faults.maxParameterBytes} this warehouse accepts`,
        };
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
      const handle = (spark?: T.TOperationHandle) =>
        spark ??
        new tcli.TOperationHandle({
          operationId: new tcli.THandleIdentifier({ guid: Buffer.from(randomUUID().replace(/-/g, ""), "hex"), secret: randomBytes(16) }),
          operationType: tcli.TOperationType.EXECUTE_STATEMENT,
          hasResultSet: true,
        });
      if (fault && fault.kind !== "slow") {
        const operationHandle = handle();
        operations.set(handleKey(operationHandle), {
          session,
          readyAt: 0,
          failed: operationFailed(STATEMENT_FAILURES[fault.kind].message, STATEMENT_FAILURES[fault.kind].sqlState),
        });
        return new tcli.TExecuteStatementResp({ status: status.ok(), operationHandle });
      }
      const started = await session.link.client.ExecuteStatement(
        new tcli.TExecuteStatementReq({ sessionHandle: session.spark, statement: sql, runAsync: true }),
      );
      if (started.status.statusCode === tcli.TStatusCode.ERROR_STATUS || !started.operationHandle)
        return new tcli.TExecuteStatementResp({ status: failedStatus(started.status) });
      const readyAt = fault?.kind === "slow" ? Date.now() + (fault.delayMs ?? 0) : 0;
      const key = handleKey(started.operationHandle);
      const results: SparkOperation = { link: session.link, spark: started.operationHandle, cursor: 0 };
      operations.set(key, { session, results, readyAt });
      const direct = req.getDirectResults && readyAt === 0 ? await answerDirectly(key, results, req.getDirectResults.maxRows.toNumber()) : undefined;
      return new tcli.TExecuteStatementResp({
        status: status.ok(),
        operationHandle: handle(started.operationHandle),
        ...(direct ? { directResults: direct } : {}),
      });
    },

    async GetOperationStatus(req: T.TGetOperationStatusReq): Promise<T.TGetOperationStatusResp> {
      const op = operations.get(handleKey(req.operationHandle));
      if (!op) return new tcli.TGetOperationStatusResp({ status: invalid("OperationHandle") });
      if (op.failed) return op.failed;
      const answer = await op.session.link.client.GetOperationStatus(new tcli.TGetOperationStatusReq({ operationHandle: op.results!.spark }));
      if (answer.operationState === State.ERROR_STATE) return operationFailed(answer.errorMessage ?? "", answer.sqlState ?? undefined);
      if (answer.operationState === State.FINISHED_STATE && Date.now() < op.readyAt)
        return new tcli.TGetOperationStatusResp({ status: status.ok(), operationState: State.RUNNING_STATE });
      return new tcli.TGetOperationStatusResp({ status: answer.status, operationState: answer.operationState, hasResultSet: answer.hasResultSet });
    },

    async GetResultSetMetadata(req: T.TGetResultSetMetadataReq): Promise<T.TGetResultSetMetadataResp> {
      const op = operations.get(handleKey(req.operationHandle));
      if (!op?.results) return new tcli.TGetResultSetMetadataResp({ status: invalid("OperationHandle") });
      return resultMetadata(op.results);
    },

    async FetchResults(req: T.TFetchResultsReq): Promise<T.TFetchResultsResp> {
      const op = operations.get(handleKey(req.operationHandle));
      if (!op?.results) return new tcli.TFetchResultsResp({ status: invalid("OperationHandle") });
      return resultPage(op.results, req.maxRows.toNumber(), req.orientation === tcli.TFetchOrientation.FETCH_FIRST);
    },

    async CancelOperation(req: T.TCancelOperationReq): Promise<T.TCancelOperationResp> {
      const op = operations.get(handleKey(req.operationHandle));
      if (!op) return new tcli.TCancelOperationResp({ status: invalid("OperationHandle") });
      if (op.results) await op.session.link.client.CancelOperation(new tcli.TCancelOperationReq({ operationHandle: op.results.spark }));
      return new tcli.TCancelOperationResp({ status: status.ok() });
    },

    async CloseOperation(req: T.TCloseOperationReq): Promise<T.TCloseOperationResp> {
      const key = handleKey(req.operationHandle);
      const op = operations.get(key);
      if (!op) return new tcli.TCloseOperationResp({ status: invalid("OperationHandle") });
      operations.delete(key);
      if (op.results) await op.session.link.client.CloseOperation(new tcli.TCloseOperationReq({ operationHandle: op.results.spark }));
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
