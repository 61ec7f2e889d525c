import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Secret } from "../../src/config/index.js";
import { createNotionGateway, NotionError, type NotionGateway } from "../../src/notion/index.js";
import { createEventBus } from "../../src/observability/events.js";

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | "network";

/** A fetch that answers from a script and records when each request was made (fake time). */
function scriptedFetch(script: (call: number, url: string, method: string) => Answer) {
  const calls: { at: number; url: string; method: string }[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    const method = init?.method ?? "GET";
    calls.push({ at: Date.now(), url, method });
    const answer = script(calls.length, url, method);
    if (answer === "network") throw new TypeError("fetch failed", { cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) });
    return new Response(JSON.stringify(answer.body ?? {}), { status: answer.status, headers: { "content-type": "application/json", ...answer.headers } });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

/** By default an answer that both endpoints of these tests accept: an empty query answer that is also a data source with no properties. */
const ok = (body: unknown = { object: "list", results: [], has_more: false, next_cursor: null, id: "ds1", properties: {} }): Answer => ({ status: 200, body });
const error = (status: number, code: string, headers: Record<string, string> = {}): Answer => ({
  status,
  body: { object: "error", status, code, message: `${code} happened`, request_id: "req-1" },
  headers,
});

function gatewayWith(fetch: typeof globalThis.fetch, rps = 10, burst = 1, maxRetries = 4, events = createEventBus()): NotionGateway {
  return createNotionGateway({
    settings: { token: new Secret("secret_test_token"), baseUrl: "http://notion.test", rps, burst, timeoutMs: 10_000, maxRetries },
    events,
    fetch,
    retry: { minDelayMs: 100, maxDelayMs: 1_000 },
  });
}

/** Bottleneck yields through setTimeout(0) even when disconnecting: advance fake time while closing. */
async function close(gateway: NotionGateway): Promise<void> {
  const closing = gateway.close();
  await vi.advanceTimersByTimeAsync(10);
  await closing;
}

const query = (g: NotionGateway, counter?: { count: number }) => g.queryDataSource({ dataSourceId: "ds1", sorts: [], pageSize: 100 }, "query", counter);
const retrieve = (g: NotionGateway) => g.retrieveDataSource("ds1", "retrieve");

describe("Notion gateway: pacing and retries", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("pauses every request of the token for Retry-After when one gets a 429", async () => {
    const { fetch, calls } = scriptedFetch((n) => (n === 1 ? error(429, "rate_limited", { "retry-after": "3" }) : ok()));
    const bus = createEventBus();
    const waits: number[] = [];
    bus.on("notion:rate_limited", (e) => waits.push(e.retryAfterMs));
    const gateway = gatewayWith(fetch, 10, 1, 4, bus);
    const a = query(gateway);
    const b = retrieve(gateway);
    await vi.advanceTimersByTimeAsync(10_000);
    await Promise.all([a, b]);
    expect(calls).toHaveLength(3);
    expect(calls[0]!.at).toBeLessThan(50);
    // Neither the retry nor the other request went out before the 3 s were over.
    expect(calls[1]!.at).toBeGreaterThanOrEqual(3_000);
    expect(calls[2]!.at).toBeGreaterThanOrEqual(3_000);
    expect(gateway.pacer.pausedMs).toBeGreaterThan(0);
    expect(waits).toEqual([3_000]);
    await close(gateway);
  });

  it("releases requests at the paced rate after a pause, not all at once", async () => {
    const { fetch, calls } = scriptedFetch((n) => (n === 3 ? error(429, "rate_limited", { "retry-after": "3" }) : ok()));
    const gateway = gatewayWith(fetch, 10, 2);
    const all = Promise.all(Array.from({ length: 40 }, () => retrieve(gateway)));
    await vi.advanceTimersByTimeAsync(10_000);
    await all;
    const pausedAt = calls[2]!.at;
    const afterPause = calls.filter((c) => c.at >= pausedAt + 3_000);
    expect(calls.filter((c) => c.at > pausedAt && c.at < pausedAt + 3_000)).toHaveLength(0);
    // Within 200 ms of the end: the `burst` requests that waited in their slots, a bucket refilled to
    // `burst`, and two refills at 10/s; never the whole queue (it was 30+ before slots were bounded).
    expect(afterPause.filter((c) => c.at < pausedAt + 3_200).length).toBeLessThanOrEqual(2 * 2 + 2);
    expect(calls).toHaveLength(41);
    await close(gateway);
  });

  it("retries a 500 on the data source query POST", async () => {
    const { fetch, calls } = scriptedFetch((n) => (n === 1 ? error(500, "internal_server_error") : ok()));
    const gateway = gatewayWith(fetch);
    const counter = { count: 0 };
    const result = query(gateway, counter);
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(result).resolves.toMatchObject({ object: "list" });
    expect(calls.map((c) => c.method)).toEqual(["POST", "POST"]);
    expect(counter.count).toBe(2);
    await close(gateway);
  });

  it("retries 502, 503, 504, 529 and network errors, then succeeds", async () => {
    const answers: Answer[] = [
      error(502, "bad_gateway"),
      error(503, "service_unavailable"),
      error(504, "gateway_timeout"),
      error(529, "service_overload", { "retry-after": "1" }),
      "network",
      ok(),
    ];
    const { fetch, calls } = scriptedFetch((n) => answers[n - 1]!);
    const gateway = gatewayWith(fetch, 10, 1, 8);
    const result = query(gateway);
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(result).resolves.toMatchObject({ object: "list" });
    expect(calls).toHaveLength(6);
    await close(gateway);
  });

  it("never retries a 401 and says what to do", async () => {
    const { fetch, calls } = scriptedFetch(() => error(401, "unauthorized"));
    const gateway = gatewayWith(fetch);
    const result = query(gateway).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    const failure = (await result) as NotionError;
    expect(calls).toHaveLength(1);
    expect(failure).toBeInstanceOf(NotionError);
    expect(failure.code).toBe("notion_unauthorized");
    expect(failure.transient).toBe(false);
    expect(failure.message).toContain("NOTION_TOKEN is invalid or revoked");
    expect(failure.context.notionRequestId).toBe("req-1");
    expect(failure.message).not.toContain("secret_test_token");
    await close(gateway);
  });

  it.each([
    [400, "validation_error", "notion_bad_request"],
    [403, "restricted_resource", "notion_forbidden"],
    [404, "object_not_found", "notion_not_found"],
  ])("never retries a %i", async (status, code, ours) => {
    const { fetch, calls } = scriptedFetch(() => error(status, code));
    const gateway = gatewayWith(fetch);
    const result = retrieve(gateway).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(((await result) as NotionError).code).toBe(ours);
    expect(calls).toHaveLength(1);
    await close(gateway);
  });

  it("gives up after the configured retries with a transient error", async () => {
    const { fetch, calls } = scriptedFetch(() => error(503, "service_unavailable"));
    const gateway = gatewayWith(fetch, 10, 1, 3);
    const result = query(gateway).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    const failure = (await result) as NotionError;
    expect(calls).toHaveLength(4);
    expect(failure.code).toBe("notion_unavailable");
    expect(failure.transient).toBe(true);
    await close(gateway);
  });

  it.each([
    ["ECONNREFUSED", "connection refused"],
    ["ENOTFOUND", "host name not found"],
  ])("gives up after %s within a few attempts and names the base URL, not the token", async (code, reason) => {
    const fetch = (async () => {
      throw new TypeError("fetch failed", { cause: Object.assign(new Error(`connect ${code}`), { code }) });
    }) as typeof globalThis.fetch;
    let calls = 0;
    const gateway = gatewayWith(async (...args: Parameters<typeof fetch>) => ((calls += 1), fetch(...args)), 10, 1, 8);
    const result = query(gateway).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60_000);
    const failure = (await result) as NotionError;
    expect(calls).toBe(3);
    expect(failure.code).toBe("notion_unreachable");
    expect(failure.message).toContain(`cannot reach Notion at http://notion.test (${reason}): check NOTION_BASE_URL and the network`);
    expect(failure.message).not.toMatch(/token/i);
    await close(gateway);
  });

  it("paces requests at the configured rate after the burst", async () => {
    const { fetch, calls } = scriptedFetch(() => ok());
    const gateway = gatewayWith(fetch, 10, 3);
    const all = Promise.all(Array.from({ length: 23 }, () => retrieve(gateway)));
    await vi.advanceTimersByTimeAsync(5_000);
    await all;
    // 3 at once (the burst), then one every 100 ms: the 23rd near 2 s.
    expect(calls.filter((c) => c.at < 50)).toHaveLength(3);
    const last = calls.at(-1)!.at;
    expect(calls[3]!.at).toBeGreaterThanOrEqual(90);
    expect(last).toBeGreaterThanOrEqual(1_950);
    expect(last).toBeLessThanOrEqual(2_200);
    await close(gateway);
  });
});

describe("Notion gateway: answers checked once, where they arrive", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    [
      "a query answer without results",
      (g: NotionGateway) => query(g),
      { object: "list", has_more: false },
      /^query: Notion's answer has no results list \(no results; a proxy, or a changed API\?\)$/,
    ],
    [
      "a data source without properties",
      (g: NotionGateway) => retrieve(g),
      { object: "data_source", id: "ds1" },
      /^retrieve: Notion's answer is malformed: properties: /,
    ],
    [
      "a property of a data source without its type",
      (g: NotionGateway) => retrieve(g),
      { id: "ds1", properties: { Name: { id: "title" } } },
      /^retrieve: Notion's answer is malformed: properties\.Name\.type: /,
    ],
    [
      "a user without an id",
      (g: NotionGateway) => g.listUsers(undefined, "list users"),
      { object: "list", results: [{ name: "x" }], has_more: false, next_cursor: null },
      /^list users: Notion's answer is malformed: results\.0\.id: /,
    ],
    [
      "a property item without its type",
      (g: NotionGateway) => g.listPropertyItems({ pageId: "p", propertyId: "a" }, "items"),
      { object: "list", results: [{ id: "a" }], has_more: false, next_cursor: null },
      /^items: Notion's answer is malformed: results\.0\.type: /,
    ],
  ])("fails %s once, with a message naming the field, not retried", async (_name, request, body, message) => {
    const { fetch, calls } = scriptedFetch(() => ({ status: 200, body }));
    const gateway = gatewayWith(fetch);
    const result = request(gateway).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const failure = (await result) as NotionError;
    expect(failure).toBeInstanceOf(NotionError);
    expect([failure.code, failure.transient]).toEqual(["notion_bad_response", false]);
    expect(failure.message).toMatch(message);
    expect(calls).toHaveLength(1);
    await close(gateway);
  });
});
