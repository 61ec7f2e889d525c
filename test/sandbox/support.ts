/** Shared helpers for the sandbox tests (not a test file itself). */
import { Client, LogLevel, isFullPage, type PageObjectResponse } from "@notionhq/client";
import type { Sandbox } from "../../src/sandbox/index.js";

export type ClientOptions = NonNullable<ConstructorParameters<typeof Client>[0]>;

/** The real SDK pointed at the sandbox; no retries so raw errors surface, quiet logs. */
export function clientFor(sandbox: Sandbox, options: Partial<ClientOptions> = {}): Client {
  return new Client({ auth: sandbox.token, baseUrl: sandbox.url, retry: false, logLevel: LogLevel.ERROR, ...options });
}

/** A settable clock for `startSandbox({ now })`. */
export function testClock(startIso = "2026-08-03T10:15:42.123Z"): { now: () => number; set(iso: string): void; advance(ms: number): void } {
  let t = Date.parse(startIso);
  return {
    now: () => t,
    set: (iso) => {
      t = Date.parse(iso);
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

/** A raw HTTP call with the SDK's default headers (override or drop them with `headers`). */
export async function rawCall(
  sandbox: Sandbox,
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string | undefined> } = {},
): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  const merged = { authorization: `Bearer ${sandbox.token}`, "notion-version": "2025-09-03", ...options.headers };
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) headers[k] = v;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${sandbox.url}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: options.body }) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** Full pages only (fails loudly if a partial object shows up). */
export function fullPages(results: unknown[]): PageObjectResponse[] {
  return results.map((r) => {
    if (!isFullPage(r as never)) throw new Error(`expected a full page, got ${JSON.stringify(r).slice(0, 200)}`);
    return r as PageObjectResponse;
  });
}

/** Plain text of a title or rich_text property of a page object. */
export function plain(page: { properties: Record<string, unknown> }, name: string): string {
  const prop = page.properties[name] as { type: string; title?: Array<{ plain_text: string }>; rich_text?: Array<{ plain_text: string }> } | undefined;
  const items = prop?.title ?? prop?.rich_text ?? [];
  return items.map((i) => i.plain_text).join("");
}

/** Collects every page of a data source query through the SDK (follows next_cursor). */
export async function queryAll(
  client: Client,
  args: Parameters<Client["dataSources"]["query"]>[0],
): Promise<{ pages: PageObjectResponse[]; requests: number; incomplete: boolean }> {
  const pages: PageObjectResponse[] = [];
  let cursor: string | undefined;
  let requests = 0;
  let incomplete = false;
  do {
    const res = await client.dataSources.query({ ...args, ...(cursor ? { start_cursor: cursor } : {}) });
    requests += 1;
    pages.push(...fullPages(res.results));
    if (res.request_status?.type === "incomplete") incomplete = true;
    cursor = res.next_cursor ?? undefined;
  } while (cursor);
  return { pages, requests, incomplete };
}

/** A response header of an SDK error (the SDK types `headers` as unknown). */
export function header(error: { headers: unknown }, name: string): string | null {
  return (error.headers as Headers).get(name);
}

/** Every item of a paginated page property, following `next_cursor`. */
export async function collectPropertyItems(client: Client, pageId: string, propertyId: string, pageSize = 100): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let cursor: string | undefined;
  do {
    const res = await client.pages.properties.retrieve({
      page_id: pageId,
      property_id: propertyId,
      page_size: pageSize,
      ...(cursor ? { start_cursor: cursor } : {}),
    });
    if (res.object !== "list") throw new Error(`expected a property item list, got ${res.object}`);
    items.push(...(res.results as unknown as Array<Record<string, unknown>>));
    cursor = res.next_cursor ?? undefined;
  } while (cursor);
  return items;
}
