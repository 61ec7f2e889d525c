import pRetry from "p-retry";
import type { NotionError } from "./notion-errors.js";

/**
 * Retrying, separate from pacing: transient Notion errors (429, 5xx, 529, timeouts, network) are
 * retried with exponential backoff and jitter, up to `retries` times; terminal ones (400, 401, 403,
 * 404) fail at once. A Retry-After pauses the shared pacer before the next attempt.
 */
export interface RetryOptions {
  readonly retries: number;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly onRetry?: (error: NotionError, attempt: number) => void;
  readonly onRetryAfter?: (ms: number) => void;
  /** Stops retrying (and waiting between attempts) when aborted. */
  readonly signal?: AbortSignal;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 8, minDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Retries of a request that found nothing listening (connection refused, name not resolved): a
 * restarting proxy gets a second chance, a wrong NOTION_BASE_URL fails in seconds, not minutes.
 */
export const UNREACHABLE_RETRIES = 2;

export function withRetry<T>(attempt: () => Promise<T>, toError: (error: unknown) => NotionError, options: RetryOptions): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await attempt();
      } catch (error) {
        throw toError(error);
      }
    },
    {
      retries: options.retries,
      factor: 2,
      minTimeout: options.minDelayMs,
      maxTimeout: options.maxDelayMs,
      randomize: true,
      ...(options.signal ? { signal: options.signal } : {}),
      shouldRetry: ({ error, attemptNumber }) =>
        (error as NotionError).transient === true && ((error as NotionError).code !== "notion_unreachable" || attemptNumber <= UNREACHABLE_RETRIES),
      onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
        const notionError = error as NotionError;
        if (!notionError.transient || retriesLeft === 0) return;
        if (notionError.code === "notion_unreachable" && attemptNumber > UNREACHABLE_RETRIES) return;
        if (notionError.retryAfterMs !== undefined) options.onRetryAfter?.(notionError.retryAfterMs);
        options.onRetry?.(notionError, attemptNumber);
      },
    },
  );
}
