import { SyncError } from "../errors.js";
import type { QueryAnswer } from "./answers.js";
import type { NotionGateway, QueryRequest, RequestCounter } from "./gateway.js";
import { checkPage, isPage } from "./page-schema.js";
import { paginate } from "./paginate.js";
import type { NotionPage } from "./types.js";

/**
 * Reads a data source's pages in ascending `last_edited_time`, from an inclusive lower bound
 * (watermark − lookback), as a stream of result pages. Past Notion's per-query result limit
 * (`request_status: incomplete`, 10,000 rows) it opens a fresh query from the last seen
 * `last_edited_time` and skips the ids already yielded at that time; if one minute alone holds more
 * than the limit, that minute is walked in `created_time` windows; if that cannot progress either,
 * the database fails loudly. It never stops silently at the limit.
 */
export interface ReadOptions {
  readonly databaseKey: string;
  readonly dataSourceId: string;
  /** Inclusive lower bound on last_edited_time (ISO); undefined reads everything. */
  readonly since: string | undefined;
  readonly pageSize: number;
  readonly counter: RequestCounter;
  /** Read the pages in the trash instead (`in_trash: true`; newer API versions may refuse it). */
  readonly inTrash?: boolean;
}

type Filter = QueryRequest["filter"];
type Bound = { readonly op: "on_or_after" | "after"; readonly time: string } | undefined;

const ASCENDING_EDITED: QueryRequest["sorts"] = [{ timestamp: "last_edited_time", direction: "ascending" }];
const ASCENDING_CREATED: QueryRequest["sorts"] = [{ timestamp: "created_time", direction: "ascending" }];

export async function* readPages(gateway: NotionGateway, options: ReadOptions): AsyncGenerator<NotionPage[]> {
  let bound: Bound = options.since ? { op: "on_or_after", time: options.since } : undefined;
  // Ids already yielded at the newest last_edited_time: a new window starting at that time re-reads them.
  let frontierTime: string | undefined;
  let frontierIds = new Set<string>();

  for (;;) {
    const filter: Filter = bound ? editedFilter(bound.op, bound.time) : undefined;
    let incomplete = false;
    for await (const response of paginateQuery(gateway, options, filter, ASCENDING_EDITED)) {
      incomplete ||= response.request_status?.type === "incomplete";
      const out: NotionPage[] = [];
      for (const result of response.results) {
        if (!isPage(result)) continue;
        const page = checkPage(result, options.databaseKey);
        if (page.last_edited_time === frontierTime) {
          if (frontierIds.has(page.id)) continue;
        } else {
          frontierTime = page.last_edited_time;
          frontierIds = new Set();
        }
        frontierIds.add(page.id);
        out.push(page);
      }
      if (out.length > 0) yield stamped(out, response);
    }
    if (!incomplete) return;
    if (frontierTime === undefined) throw limitError(options, "the query hit the result limit without returning a page");
    if (bound?.op === "on_or_after" && bound.time === frontierTime) {
      // Every row of this window shares one minute: walk that minute by created_time, then go past it.
      yield* readOneMinute(gateway, options, frontierTime, frontierIds);
      bound = { op: "after", time: frontierTime };
    } else {
      bound = { op: "on_or_after", time: frontierTime };
    }
  }
}

async function* readOneMinute(gateway: NotionGateway, options: ReadOptions, minute: string, seen: Set<string>): AsyncGenerator<NotionPage[]> {
  let createdFrom: string | undefined;
  for (;;) {
    const parts = [
      editedFilter("on_or_after", minute),
      editedFilter("on_or_before", minute),
      ...(createdFrom ? [{ timestamp: "created_time" as const, created_time: { on_or_after: createdFrom } }] : []),
    ];
    let incomplete = false;
    let lastCreated: string | undefined;
    for await (const response of paginateQuery(gateway, options, { and: parts }, ASCENDING_CREATED)) {
      incomplete ||= response.request_status?.type === "incomplete";
      const out: NotionPage[] = [];
      for (const result of response.results) {
        if (!isPage(result)) continue;
        const page = checkPage(result, options.databaseKey);
        lastCreated = page.created_time;
        if (seen.has(page.id)) continue;
        seen.add(page.id);
        out.push(page);
      }
      if (out.length > 0) yield stamped(out, response);
    }
    if (!incomplete) return;
    if (!lastCreated || lastCreated === createdFrom) {
      throw limitError(options, `more pages than the query limit were both edited at ${minute} and created in the same minute; no filter can split them`);
    }
    createdFrom = lastCreated;
  }
}

/**
 * Notion's own rule: one query returns at most 10,000 results. A list longer than that (plus one answer
 * of slack) is an API that does not move forward, and fails the read.
 */
export const QUERY_RESULT_LIMIT = 10_000;

/** One query, answer by answer, with the next answer requested while the caller works on the current one. */
/** Notion's clock (its answers' `Date`) as last seen before each query answer was asked for, and so before Notion made it. */
const askedAt = new WeakMap<object, Date | undefined>();
const answerTimes = new WeakMap<readonly NotionPage[], Date | undefined>();

function stamped(pages: NotionPage[], response: QueryAnswer): NotionPage[] {
  answerTimes.set(pages, askedAt.get(response));
  return pages;
}

/**
 * A time by Notion's clock no later than when it made this answer of `readPages` (the latest `Date` of
 * its answers before the query was sent); undefined when none was known. Whatever the answer shows
 * of a page whose minute had ended by then cannot change without a new `last_edited_time`.
 */
export function answeredNoEarlierThan(pages: readonly NotionPage[]): Date | undefined {
  return answerTimes.get(pages);
}

function paginateQuery(gateway: NotionGateway, options: ReadOptions, filter: Filter, sorts: QueryRequest["sorts"]): AsyncGenerator<QueryAnswer> {
  const what = `query "${options.databaseKey}"${options.inTrash ? " (trash)" : ""}`;
  const fetchAnswer = (cursor: string | undefined) => {
    const before = gateway.notionTime();
    return gateway
      .queryDataSource(
        {
          dataSourceId: options.dataSourceId,
          sorts,
          pageSize: options.pageSize,
          ...(filter ? { filter } : {}),
          ...(options.inTrash ? { inTrash: true } : {}),
          ...(cursor ? { cursor } : {}),
        },
        what,
        options.counter,
      )
      .then((answer) => {
        askedAt.set(answer, before);
        return answer;
      });
  };
  // Short answers are allowed (Notion may leave out pages the integration cannot see): the bound is on
  // results; the answer bound only stops lists of (nearly) empty answers that never end.
  const fullAnswers = Math.ceil(QUERY_RESULT_LIMIT / options.pageSize);
  return paginate(fetchAnswer, { what, maxResults: QUERY_RESULT_LIMIT + options.pageSize, maxAnswers: 10 * fullAnswers, readAhead: true });
}

function editedFilter(op: "on_or_after" | "on_or_before" | "after", time: string) {
  return {
    timestamp: "last_edited_time" as const,
    last_edited_time: op === "after" ? { after: time } : op === "on_or_after" ? { on_or_after: time } : { on_or_before: time },
  };
}

function limitError(options: ReadOptions, detail: string): SyncError {
  return new SyncError("notion_query_limit", `cannot read all pages of "${options.databaseKey}": ${detail}`, { context: { databaseKey: options.databaseKey } });
}
