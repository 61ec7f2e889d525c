import { Client, LogLevel, type QueryDataSourceParameters } from "@notionhq/client";
import type { z } from "zod";
import type { NotionSettings } from "../config/index.js";
import { SyncError } from "../errors.js";
import type { EventBus } from "../observability/events.js";
import {
  botSchema,
  checkAnswer,
  databaseSchema,
  dataSourceSchema,
  propertyItemsAnswerSchema,
  queryAnswerSchema,
  searchAnswerSchema,
  usersAnswerSchema,
  type DatabaseAnswer,
  type DataSourceAnswer,
  type PropertyItemsAnswer,
  type QueryAnswer,
  type SearchAnswer,
  type UsersAnswer,
} from "./answers.js";
import { NotionError, toNotionError } from "./notion-errors.js";
import { createPacer, type Pacer } from "./pacer.js";
import { proxiedFetch } from "./proxied-fetch.js";
import { DEFAULT_RETRY, withRetry, type RetryOptions } from "./retry.js";

/** Requests made on behalf of one database (each HTTP attempt counts, retries included). */
export interface RequestCounter {
  count: number;
}

/**
 * The only way the pipeline talks to Notion: one method per endpoint the engine calls, each answer
 * checked once here (`answers.ts`) so that no caller casts. Every request is paced by the token's
 * pacer, retried by the retry policy, counted, and translated into NotionError. The SDK's own retry
 * is off so that the query POST is retried like any read and Retry-After pauses all requests.
 */
export interface NotionGateway {
  readonly pacer: Pacer;
  /** One answer of `POST /v1/data_sources/{id}/query`. */
  queryDataSource(request: QueryRequest, what: string, counter?: RequestCounter): Promise<QueryAnswer>;
  /** One answer of `GET /v1/pages/{id}/properties/{property_id}` (a list: relations, people, text, rollups). */
  listPropertyItems(
    request: { readonly pageId: string; readonly propertyId: string; readonly cursor?: string },
    what: string,
    counter?: RequestCounter,
  ): Promise<PropertyItemsAnswer>;
  /** One answer of `GET /v1/users`. */
  listUsers(cursor: string | undefined, what: string, counter?: RequestCounter): Promise<UsersAnswer>;
  /** One answer of `POST /v1/search` for the data sources shared with the integration. */
  searchDataSources(cursor: string | undefined, what: string, counter?: RequestCounter): Promise<SearchAnswer>;
  retrieveDatabase(databaseId: string, what: string, counter?: RequestCounter): Promise<DatabaseAnswer>;
  retrieveDataSource(dataSourceId: string, what: string, counter?: RequestCounter): Promise<DataSourceAnswer>;
  /** A page object, unchecked: `checkPage` checks every page that enters. */
  retrievePage(pageId: string, what: string, counter?: RequestCounter): Promise<unknown>;
  /** The integration's bot user (`GET /v1/users/me`): whether the token is accepted. */
  me(what: string): Promise<{ readonly name?: string | null }>;
  /**
   * Notion's own clock: the latest `Date` header of its answers (to the second), or undefined before
   * any answer carried one. A page version read after its minute by this clock cannot change unseen.
   */
  notionTime(): Date | undefined;
  /** Fails every request still waiting (for the pacer or a retry) with a shutdown error; requests in flight finish. */
  abort(): void;
  close(): Promise<void>;
}

/** What a data-source query asks for (the SDK's parameters, without the path and the cursor loop). */
export interface QueryRequest {
  readonly dataSourceId: string;
  readonly filter?: QueryDataSourceParameters["filter"];
  readonly sorts: NonNullable<QueryDataSourceParameters["sorts"]>;
  readonly pageSize: number;
  readonly inTrash?: boolean;
  readonly cursor?: string;
}

export interface GatewayOptions {
  readonly settings: NotionSettings;
  readonly events: EventBus;
  readonly fetch?: typeof fetch;
  readonly retry?: Partial<RetryOptions>;
  readonly sleep?: (ms: number) => Promise<void>;
}

export function createNotionGateway(options: GatewayOptions): NotionGateway {
  const { settings, events } = options;
  const serverClock: { at?: number } = {};
  if (!settings.token) throw new SyncError("config_invalid", "NOTION_TOKEN is not set: export the integration's token");
  const proxied = options.fetch === undefined && settings.proxy ? proxiedFetch(settings.proxy) : undefined;
  const client = new Client({
    auth: settings.token.reveal(),
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs,
    retry: false,
    fetch: timedFetch(options.fetch ?? proxied?.fetch ?? fetch, events, serverClock),
    logLevel: LogLevel.ERROR,
    logger: () => undefined,
  });
  const pacer = createPacer({ rps: settings.rps, burst: settings.burst, sleep: options.sleep });
  const retry: RetryOptions = { ...DEFAULT_RETRY, retries: settings.maxRetries, ...options.retry };
  const aborted = new AbortController();

  const call = pacedCaller(client, pacer, retry, events, aborted.signal, settings.baseUrl);
  /** A call whose answer is checked against its schema (a malformed answer fails, not retried). */
  const checked = <S extends z.ZodType>(schema: S, what: string, counter: RequestCounter | undefined, request: (client: Client) => Promise<unknown>) =>
    call(what, counter, request).then((answer) => checkAnswer(schema, answer, what));

  return {
    pacer,
    notionTime: () => (serverClock.at === undefined ? undefined : new Date(serverClock.at)),
    queryDataSource: (q, what, counter) =>
      checked(queryAnswerSchema, what, counter, (c) =>
        c.dataSources.query({
          data_source_id: q.dataSourceId,
          sorts: [...q.sorts],
          page_size: q.pageSize,
          ...(q.filter ? { filter: q.filter } : {}),
          ...(q.inTrash ? { in_trash: true } : {}),
          ...(q.cursor ? { start_cursor: q.cursor } : {}),
        }),
      ),
    listPropertyItems: (r, what, counter) =>
      checked(propertyItemsAnswerSchema, what, counter, (c) =>
        c.pages.properties.retrieve({ page_id: r.pageId, property_id: r.propertyId, page_size: 100, ...(r.cursor ? { start_cursor: r.cursor } : {}) }),
      ),
    listUsers: (cursor, what, counter) =>
      checked(usersAnswerSchema, what, counter, (c) => c.users.list({ page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) })),
    searchDataSources: (cursor, what, counter) =>
      checked(searchAnswerSchema, what, counter, (c) =>
        c.search({ filter: { property: "object", value: "data_source" }, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) }),
      ),
    retrieveDatabase: (id, what, counter) => checked(databaseSchema, what, counter, (c) => c.databases.retrieve({ database_id: id })),
    retrieveDataSource: (id, what, counter) => checked(dataSourceSchema, what, counter, (c) => c.dataSources.retrieve({ data_source_id: id })),
    retrievePage: (id, what, counter) => call(what, counter, (c) => c.pages.retrieve({ page_id: id })),
    me: (what) => checked(botSchema, what, undefined, (c) => c.users.me({})),
    abort() {
      aborted.abort(shutdownError("stopping"));
      pacer.abort();
    },
    async close() {
      await pacer.stop();
      await proxied?.close();
    },
  };
}

/**
 * Every request through the token's pacer and the retry policy, counted, its failure translated into
 * a NotionError; nothing is sent once the gateway is aborted.
 */
function pacedCaller(client: Client, pacer: Pacer, retry: RetryOptions, events: EventBus, aborted: AbortSignal, baseUrl: string | undefined) {
  return function call<T>(what: string, counter: RequestCounter | undefined, request: (client: Client) => Promise<T>): Promise<T> {
    if (aborted.aborted) return Promise.reject(shutdownError(what));
    return withRetry(
      () =>
        pacer.schedule(() => {
          if (aborted.aborted) throw shutdownError(what);
          if (counter) counter.count += 1;
          return request(client);
        }),
      (error) => (aborted.aborted ? shutdownError(what) : toNotionError(error, what, baseUrl)),
      {
        ...retry,
        signal: aborted,
        onRetryAfter: (ms) => {
          pacer.pause(ms);
          events.emit("notion:rate_limited", { retryAfterMs: ms, path: what });
        },
        onRetry: (error, attempt) => events.emit("notion:retry", { path: what, attempt, code: error.code, message: error.message }),
      },
    );
  };
}

/**
 * The SDK's fetch, reporting each HTTP attempt (path, status, duration) as a `notion:request` event,
 * and keeping the newest `Date` of Notion's answers in `clock` (its time, not this machine's).
 */
function timedFetch(baseFetch: typeof fetch, events: EventBus, clock: { at?: number }): typeof fetch {
  return async (input, init) => {
    const started = performance.now();
    const path = new URL(typeof input === "string" || input instanceof URL ? input : input.url).pathname;
    try {
      const response = await baseFetch(input, init);
      const date = Date.parse(response.headers.get("date") ?? "");
      if (!Number.isNaN(date)) clock.at = Math.max(clock.at ?? date, date);
      events.emit("notion:request", { method: init?.method ?? "GET", path, status: response.status, durationMs: performance.now() - started });
      return response;
    } catch (error) {
      events.emit("notion:request", { method: init?.method ?? "GET", path, status: "error", durationMs: performance.now() - started });
      throw error;
    }
  };
}

function shutdownError(what: string): NotionError {
  return new NotionError("shutdown", `${what}: not sent, the sync is stopping`, { transient: false });
}
