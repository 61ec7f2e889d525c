import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import type * as Thrift from "thrift";
import { WarehouseFaults, type HttpFault } from "./faults.js";
import { serveOAuth, type OAuthClient, type TokenRequest } from "./oauth.js";
import { tcliService } from "./tcli.js";
import { createWarehouseService, type RequestContext, type StatementRecord } from "./warehouse-service.js";

/**
 * A Databricks SQL warehouse in miniature for `@databricks/sql`: Thrift over HTTPS at a warehouse's
 * HTTP path, a bearer token, and the warehouse's failure modes as knobs (`faults`), in front of the
 * suite's Spark + Delta. The certificate is the suite's own (see tls.ts); the driver trusts it through
 * NODE_EXTRA_CA_CERTS, so production code connects to it unchanged.
 */
export interface LocalWarehouse {
  /** `127.0.0.1:<port>`, as DATABRICKS_HOST. */
  readonly host: string;
  readonly httpPath: string;
  readonly token: string;
  /** The service principal whose Databricks OAuth secret it grants. */
  readonly oauthClient: OAuthClient;
  /** Every OAuth token request. */
  readonly tokenRequests: TokenRequest[];
  readonly faults: WarehouseFaults;
  /** Every request: its Thrift method and the HTTP status answered. */
  readonly calls: { method: string; status: number; at: number }[];
  /** Every statement accepted, as the driver sent it (markers, not values). */
  readonly statements: StatementRecord[];
  /** Sessions open on Spark right now. */
  openSessions(): number;
  /** The environment of a worker that uses this warehouse. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

export interface LocalWarehouseOptions {
  readonly sparkPort: number;
  readonly tls: { readonly cert: string; readonly key: string };
}

const HTTP_PATH = "/sql/1.0/warehouses/local0000000000";
const thrift = createRequire(import.meta.url)("thrift") as typeof Thrift;
const METHODS = [
  "OpenSession",
  "CloseSession",
  "ExecuteStatement",
  "GetOperationStatus",
  "GetResultSetMetadata",
  "FetchResults",
  "CancelOperation",
  "CloseOperation",
] as const;
const NOT_SERVED = [
  "GetInfo",
  "GetTypeInfo",
  "GetCatalogs",
  "GetSchemas",
  "GetTables",
  "GetTableTypes",
  "GetColumns",
  "GetFunctions",
  "GetPrimaryKeys",
  "GetCrossReference",
  "GetDelegationToken",
  "CancelDelegationToken",
  "RenewDelegationToken",
];

export async function startLocalWarehouse(options: LocalWarehouseOptions): Promise<LocalWarehouse> {
  const token = `dapi${randomBytes(16).toString("hex")}`;
  const oauthClient: OAuthClient = { id: "7a9c0e4e-0000-4000-8000-00000000c1d0", secret: `dose${randomBytes(16).toString("hex")}` };
  const tokenRequests: TokenRequest[] = [];
  const issuedTokens = new Set<string>();
  const faults = new WarehouseFaults();
  const calls: LocalWarehouse["calls"] = [];
  const statements: StatementRecord[] = [];
  const service = createWarehouseService({ sparkPort: options.sparkPort, faults, statements });

  /** The handler for one request, in the generated processor's callback style. */
  const handlerFor = (ctx: RequestContext) => {
    const handler: Record<string, (req: never, done: (error: unknown, result?: unknown) => void) => void> = {};
    for (const method of METHODS) {
      const serve = service[method] as (req: unknown, ctx: RequestContext) => Promise<unknown>;
      handler[method] = (req, done) =>
        void serve(req, ctx).then(
          (result) => done(null, result),
          (error: unknown) => done(error),
        );
    }
    for (const method of NOT_SERVED) handler[method] = (_req, done) => done(new Error(`the local warehouse does not serve ${method}`));
    return handler;
  };

  const answer = (response: ServerResponse, method: string, fault: HttpFault) => {
    calls.push({ method, status: fault.status, at: Date.now() });
    response.writeHead(fault.status, {
      "content-type": "text/plain",
      ...(fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) }),
      ...(fault.message ? { "x-thriftserver-error-message": fault.message } : {}),
    });
    response.end(fault.message ?? "");
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (request, response) => {
    void readBody(request).then(
      (body) => {
        if (serveOAuth(request, body, response, oauthClient, issuedTokens, tokenRequests)) return;
        if (request.method !== "POST" || request.url?.split("?")[0] !== HTTP_PATH)
          return answer(response, "?", { status: 404, message: `no SQL warehouse at ${request.url}` });
        thrift.TBufferedTransport.receiver((transport) => {
          const input = new thrift.TBinaryProtocol(transport);
          const method = input.readMessageBegin().fname;
          transport.rollbackPosition();
          const bearer = request.headers.authorization?.replace(/^Bearer /, "");
          if (bearer !== token && !issuedTokens.has(bearer ?? "")) return answer(response, method, { status: 401, message: "Invalid access token." });
          const fault = faults.httpFaultFor(method);
          if (fault) return answer(response, method, fault);
          const ctx: RequestContext = {};
          const output = new thrift.TBinaryProtocol(
            new thrift.TBufferedTransport(undefined, (reply?: Buffer) => {
              if (ctx.refusal) return answer(response, method, ctx.refusal);
              calls.push({ method, status: 200, at: Date.now() });
              response.writeHead(200, { "content-type": "application/x-thrift" });
              response.end(reply);
            }),
          );
          new tcliService.Processor(handlerFor(ctx)).process(input, output);
        }, 0)(body);
      },
      (error: unknown) => response.destroy(error instanceof Error ? error : new Error(String(error))),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    httpPath: HTTP_PATH,
    token,
    oauthClient,
    tokenRequests,
    faults,
    calls,
    statements,
    openSessions: () => service.openSessions(),
    env: () => ({
      WAREHOUSE: "databricks",
      DATABRICKS_HOST: host,
      DATABRICKS_HTTP_PATH: HTTP_PATH,
      DATABRICKS_TOKEN: token,
      DATABRICKS_CATALOG: "spark_catalog",
    }),
    async close() {
      service.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.once("end", () => resolve(Buffer.concat(chunks)));
    request.once("error", reject);
  });
}
