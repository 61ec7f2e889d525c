import { tcli } from "./tcli.js";

/**
 * The failure knobs of the local warehouse: what a Databricks SQL warehouse answers when it is not
 * the happy path. Tests set them on a running warehouse; each knob is consumed as it fires.
 */

/** An HTTP answer instead of the Thrift one, as the warehouse's front end gives it. */
export interface HttpFault {
  readonly status: number;
  /** Thrift methods it answers (every method when absent), e.g. ["OpenSession"]. */
  readonly methods?: readonly string[];
  /** How many requests it answers; without `times` and `untilMs`, every request. */
  readonly times?: number;
  /** Answers until this time (epoch ms). */
  readonly untilMs?: number;
  /** Sent as `Retry-After`, in seconds, as Databricks sends it. */
  readonly retryAfterSeconds?: number;
  /** The reason, sent as `x-thriftserver-error-message` (Databricks' header for it). */
  readonly message?: string;
}

/** A statement that does not run as Spark would run it. */
export interface StatementFault {
  /** Which statements (the SQL text as the driver sent it). */
  readonly match: RegExp;
  /**
   * `conflict`: fails without running, as Delta fails a commit that lost a race (SQLSTATE 2D521);
   * `denied`: fails without running, as Unity Catalog refuses a principal without the grant (42501);
   * `slow`: runs, but reports RUNNING for `delayMs` first (the driver polls meanwhile).
   */
  readonly kind: "conflict" | "denied" | "slow";
  /** How many statements it hits (default 1). */
  readonly times?: number;
  readonly delayMs?: number;
}

/** The message of Delta's ConcurrentAppendException, as a warehouse words it. */
export const CONFLICT_MESSAGE =
  "[DELTA_CONCURRENT_APPEND] Files were added to the root of the table by a concurrent update. Please try the operation again. SQLSTATE: 2D521";

/** Unity Catalog's refusal of CREATE SCHEMA to a principal without CREATE SCHEMA on the catalog, even IF NOT EXISTS and the schema there. */
export const DENIED_MESSAGE = "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have CREATE SCHEMA on Catalog 'main'. SQLSTATE: 42501";

/** The failure each failing statement fault answers with: its message and SQLSTATE. */
export const STATEMENT_FAILURES = {
  conflict: { message: CONFLICT_MESSAGE, sqlState: "2D521" },
  denied: { message: DENIED_MESSAGE, sqlState: "42501" },
} as const;

export class WarehouseFaults {
  private readonly httpFaults: { fault: HttpFault; left: number }[] = [];
  private readonly statementFaults: { fault: StatementFault; left: number }[] = [];
  /**
   * The protocol version OpenSession answers. Below SPARK_CLI_SERVICE_PROTOCOL_V8 the driver drops
   * named parameters without a word, and statements then fail with UNBOUND_SQL_PARAMETER.
   */
  protocolVersion: number = tcli.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8;
  /** Refuse an ExecuteStatement whose parameter values exceed this many bytes (none by default). */
  maxParameterBytes: number | undefined;
  /** The HTTP status of that refusal (an assumption: Databricks documents no limit nor its answer). */
  parameterLimitStatus = 413;
  /** More parameters than this are refused with HTTP 400, as a warehouse does past 256. */
  maxParameters = 256;

  /** A stopped warehouse that is starting: every request answers 503 TEMPORARILY_UNAVAILABLE for `forMs`. */
  coldStart(forMs: number, retryAfterSeconds?: number): void {
    this.http({
      status: 503,
      untilMs: Date.now() + forMs,
      message: "TEMPORARILY_UNAVAILABLE: the SQL warehouse is starting",
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }

  http(fault: HttpFault): void {
    this.httpFaults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY });
  }

  statement(fault: StatementFault): void {
    this.statementFaults.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.httpFaults.length = 0;
    this.statementFaults.length = 0;
    this.protocolVersion = tcli.TProtocolVersion.SPARK_CLI_SERVICE_PROTOCOL_V8;
    this.maxParameterBytes = undefined;
  }

  /** The HTTP fault that answers this request, if any (consumed). */
  httpFaultFor(method: string): HttpFault | undefined {
    const now = Date.now();
    const hit = this.httpFaults.find(
      ({ fault, left }) => left > 0 && (fault.untilMs === undefined || now < fault.untilMs) && (!fault.methods || fault.methods.includes(method)),
    );
    if (hit) hit.left -= 1;
    return hit?.fault;
  }

  /** The statement fault that hits this statement, if any (consumed). */
  statementFaultFor(sql: string): StatementFault | undefined {
    const hit = this.statementFaults.find(({ fault, left }) => left > 0 && fault.match.test(sql));
    if (hit) hit.left -= 1;
    return hit?.fault;
  }
}
