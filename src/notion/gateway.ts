import { Client, LogLevel } from "@notionhq/client";
import type { NotionSettings } from "../config/index.js";
import { SyncError } from "../errors.js";
import type { EventBus } from "../observability/events.js";
import { NotionError, toNotionError } from "./notion-errors.js";
import { createPacer, type Pacer } from "./pacer.js";
import { DEFAULT_RETRY, withRetry, type RetryOptions } from "./retry.js";

/** Requests made on behalf of one database (each HTTP attempt counts, retries included). */
export interface RequestCounter {
  count: number;
}

/**
 * The only way the pipeline talks to Notion: every call is paced by the token's pacer, retried by
 * the retry policy, counted, and translated into NotionError. The SDK's own retry is off so that
 * the query POST is retried like any read and Retry-After pauses all requests.
 */
export interface NotionGateway {
  readonly pacer: Pacer;
  call<T>(what: string, counter: RequestCounter | undefined, request: (client: Client) => Promise<T>): Promise<T>;
  /** Fails every request still waiting (for the pacer or a retry) with a shutdown error; requests in flight finish. */
  abort(): void;
  close(): Promise<void>;
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
  if (!settings.token) throw new SyncError("config_invalid", "NOTION_TOKEN is not set: export the integration's token");
  const baseFetch = options.fetch ?? fetch;
  const timedFetch: typeof fetch = async (input, init) => {
    const started = performance.now();
    const path = new URL(typeof input === "string" || input instanceof URL ? input : input.url).pathname;
    try {
      const response = await baseFetch(input, init);
      events.emit("notion:request", { method: init?.method ?? "GET", path, status: response.status, durationMs: performance.now() - started });
      return response;
    } catch (error) {
      events.emit("notion:request", { method: init?.method ?? "GET", path, status: "error", durationMs: performance.now() - started });
      throw error;
    }
  };
  const client = new Client({
    auth: settings.token.reveal(),
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs,
    retry: false,
    fetch: timedFetch,
    logLevel: LogLevel.ERROR,
    logger: () => undefined,
  });
  const pacer = createPacer({ rps: settings.rps, burst: settings.burst, sleep: options.sleep });
  const retry: RetryOptions = { ...DEFAULT_RETRY, retries: settings.maxRetries, ...options.retry };
  const aborted = new AbortController();

  return {
    pacer,
    call(what, counter, request) {
      if (aborted.signal.aborted) return Promise.reject(shutdownError(what));
      return withRetry(
        () =>
          pacer.schedule(() => {
            if (aborted.signal.aborted) throw shutdownError(what);
            if (counter) counter.count += 1;
            return request(client);
          }),
        (error) => (aborted.signal.aborted ? shutdownError(what) : toNotionError(error, what)),
        {
          ...retry,
          signal: aborted.signal,
          onRetryAfter: (ms) => {
            pacer.pause(ms);
            events.emit("notion:rate_limited", { retryAfterMs: ms, path: what });
          },
          onRetry: (error, attempt) => events.emit("notion:retry", { path: what, attempt, code: error.code, message: error.message }),
        },
      );
    },
    abort() {
      aborted.abort(shutdownError("stopping"));
      pacer.abort();
    },
    close: () => pacer.stop(),
  };
}

function shutdownError(what: string): NotionError {
  return new NotionError("shutdown", `${what}: not sent, the sync is stopping`, { transient: false });
}
