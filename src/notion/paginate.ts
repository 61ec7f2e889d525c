import { NotionError } from "./notion-errors.js";

/**
 * One Notion list answer (query, property items, users, search): `results`, `has_more`, `next_cursor`.
 * The gateway has already made sure `results` is an array (`answers.ts`).
 */
export interface ListAnswer {
  readonly results: readonly unknown[];
  readonly has_more?: unknown;
  readonly next_cursor?: unknown;
}

export interface PaginateOptions {
  /** What is being read, for messages: `query "projects"`, `list users`. */
  readonly what: string;
  /**
   * The most answers one list may take. Past it the read fails rather than run on: an API that hands
   * out a new cursor for the same data forever is caught here (a repeated cursor is caught at once).
   */
  readonly maxAnswers: number;
  /** The most results one list may hold (a query: Notion's 10,000 plus one answer); past it the read fails. */
  readonly maxResults?: number;
  /** Request the next answer while the caller works on this one (one answer of read-ahead). */
  readonly readAhead?: boolean;
}

/**
 * The one cursor loop of the Notion client. An answer that says there is more must give a cursor not
 * given before, an answer that says it is the last must give none, and a list takes at most
 * `maxAnswers` answers and `maxResults` results: anything else fails the read with a `notion_bad_response` error (not retried:
 * the same answer would come again). A short read is never taken for the end of a list.
 */
export async function* paginate<A extends ListAnswer>(fetchAnswer: (cursor: string | undefined) => Promise<A>, options: PaginateOptions): AsyncGenerator<A> {
  const cursors = new Set<string>();
  let answers = 0;
  let results = 0;
  const request = (cursor: string | undefined) => {
    answers += 1;
    if (answers > options.maxAnswers) {
      return Promise.reject(broken(options.what, `still more after ${options.maxAnswers} answers (${results} results), past what the API allows for one list`));
    }
    return fetchAnswer(cursor);
  };
  let pending: Promise<A> | undefined = request(undefined);
  while (pending !== undefined) {
    const answer: A = await pending;
    results += answer.results.length;
    if (options.maxResults !== undefined && results > options.maxResults) {
      throw broken(options.what, `${results} results, more than the ${options.maxResults} the API allows for one list`);
    }
    const cursor = nextCursor(answer, options.what, results);
    if (cursor === undefined) {
      yield answer;
      return;
    }
    if (cursors.has(cursor))
      throw broken(
        options.what,
        `the cursor "${short(cursor)}" came back a second time after ${results} results: the API repeats itself or ignores start_cursor`,
      );
    cursors.add(cursor);
    if (options.readAhead) {
      pending = request(cursor);
      // If the consumer stops early, the read-ahead request must not surface as an unhandled rejection.
      pending.catch(() => undefined);
      yield answer;
    } else {
      yield answer;
      pending = request(cursor);
    }
  }
}

/** The cursor to continue with, undefined at the end; a contradictory answer fails. */
function nextCursor(answer: ListAnswer, what: string, results: number): string | undefined {
  const { has_more: hasMore, next_cursor: cursor } = answer;
  if (hasMore !== true && hasMore !== false) throw broken(what, `the answer after ${results} results has no has_more flag`);
  const usable = typeof cursor === "string" && cursor.length > 0;
  if (hasMore && !usable) throw broken(what, `Notion said has_more but gave no next_cursor after ${results} results`);
  if (!hasMore && cursor !== null && cursor !== undefined) throw broken(what, `Notion said has_more false but gave a next_cursor after ${results} results`);
  return hasMore ? (cursor as string) : undefined;
}

function broken(what: string, detail: string): NotionError {
  return new NotionError(
    "notion_bad_response",
    `${what}: ${detail}; the read stops here and is not taken as complete (nothing is marked deleted); if it repeats, report it`,
    { transient: false },
  );
}

function short(cursor: string): string {
  return cursor.length > 40 ? `${cursor.slice(0, 37)}...` : cursor;
}
