import { randomUUID } from "node:crypto";
import { signWebhookPayload } from "@notionhq/client";
import type { Workspace, WorkspaceChange } from "../store/workspace.js";

/** One webhook subscription of the sandbox, as an integration's settings in Notion hold it. */
export interface WebhookSubscriptionOptions {
  /** Where events are POSTed (the worker's `/webhooks/notion`). */
  url: string;
  /** The token the handshake delivers and events are signed with; default a fresh random one. */
  verificationToken?: string;
  /**
   * Notion aggregates: events of one page and type within this window are delivered once, at its end,
   * with the union of their updated properties (default 0: each at once).
   */
  aggregateMs?: number;
  /** Delivers every event twice, as Notion's at-least-once delivery may (default false). */
  duplicate?: boolean;
  /** An event this returns true for is never delivered: a lost event (default none). */
  drop?: (event: WebhookPayload) => boolean;
}

/** An event as the sandbox sends it: Notion's envelope (API version 2025-09-03). */
export type WebhookPayload = Record<string, unknown> & { id: string; type: string; timestamp: string; entity: { id: string; type: string } };

/** One delivery attempt: the event, the HTTP status (0 when the request failed) and when it was answered. */
export interface WebhookDelivery {
  event: WebhookPayload;
  status: number;
  at: number;
}

export interface WebhookSubscription {
  readonly verificationToken: string;
  /** Every delivery attempt so far, handshake excluded. */
  readonly deliveries: WebhookDelivery[];
  /** Events not delivered because `drop` said so. */
  readonly dropped: WebhookPayload[];
  /** Resolves when nothing is waiting for its aggregation window or its answer. */
  idle(): Promise<void>;
  /** Stops listening and sending (waiting events are discarded). */
  close(): void;
}

const ATTEMPTS = 3;

/**
 * Subscribes to the workspace's changes: posts the handshake (`{verification_token}`) to the URL, then,
 * for every change, Notion's event: signed with the token (`X-Notion-Signature`, by the SDK's
 * `signWebhookPayload`), carrying ids only (entity and parent), after the aggregation window, twice when
 * asked, retried on a non-2xx answer with `attempt_number` counting up; one delivery at a time, in order.
 */
export async function subscribe(ws: Workspace, options: WebhookSubscriptionOptions): Promise<WebhookSubscription> {
  const token = options.verificationToken ?? `secret_${randomUUID().replaceAll("-", "")}`;
  const ids = { subscription_id: randomUUID(), integration_id: randomUUID() };
  const deliveries: WebhookDelivery[] = [];
  const dropped: WebhookPayload[] = [];
  const pending = new Set<Promise<void>>();
  const held = new Map<string, { event: WebhookPayload; timer: NodeJS.Timeout; release: () => void }>();
  // One delivery at a time, in the order of the changes: a test can expect an order.
  let queue = Promise.resolve();
  let closed = false;
  const track = (work: Promise<void>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };
  await handshake(options.url, token);

  const deliver = (event: WebhookPayload) => (queue = queue.then(() => post(options.url, token, event, deliveries, () => closed)));
  const send = (event: WebhookPayload) => {
    if (options.drop?.(event)) return void dropped.push(event);
    track(deliver(event));
    if (options.duplicate) track(deliver(event));
  };
  const listener = (change: WorkspaceChange) => {
    if (closed) return;
    const event = eventOf(ws, change, ids);
    const window = options.aggregateMs ?? 0;
    if (window <= 0 || change.kind === "data_source.schema_updated") return send(event);
    const key = `${event.type} ${event.entity.id}`;
    const waiting = held.get(key);
    if (waiting) return mergeProperties(waiting.event, event);
    let release!: () => void;
    track(new Promise<void>((resolve) => (release = resolve)));
    const timer = setTimeout(() => {
      held.delete(key);
      if (!closed) send(event);
      release();
    }, window);
    held.set(key, { event, timer, release });
  };
  ws.listeners.add(listener);
  return {
    verificationToken: token,
    deliveries,
    dropped,
    async idle() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    close() {
      closed = true;
      ws.listeners.delete(listener);
      for (const { timer, release } of held.values()) {
        clearTimeout(timer);
        release();
      }
      held.clear();
    },
  };
}

/** The subscription's first request: the token, unsigned, for the integration's owner to paste into Notion. */
async function handshake(url: string, token: string): Promise<void> {
  const answer = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ verification_token: token }) });
  if (!answer.ok) throw new Error(`the webhook handshake to ${url} was answered ${answer.status}`);
}

/** POSTs one event, signed, until a 2xx answer or the attempts run out; each attempt is logged. */
async function post(url: string, token: string, event: WebhookPayload, log: WebhookDelivery[], closed: () => boolean): Promise<void> {
  for (let attempt = 1; attempt <= ATTEMPTS && !closed(); attempt += 1) {
    const body = JSON.stringify({ ...event, attempt_number: attempt });
    const status = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-notion-signature": await signWebhookPayload({ body, verificationToken: token }) },
      body,
    }).then(
      (r) => r.status,
      () => 0,
    );
    log.push({ event, status, at: Date.now() });
    if (status >= 200 && status < 300) return;
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
}

function eventOf(ws: Workspace, change: WorkspaceChange, ids: { subscription_id: string; integration_id: string }): WebhookPayload {
  const envelope = {
    id: randomUUID(),
    timestamp: new Date(change.at).toISOString(),
    workspace_id: ws.workspaceId,
    workspace_name: "Sandbox",
    ...ids,
    authors: [{ id: change.by, type: ws.user(change.by)?.type ?? "bot" }],
    attempt_number: 1,
    api_version: "2025-09-03",
    type: change.kind,
  };
  switch (change.kind) {
    case "page.moved":
      return { ...envelope, entity: { id: change.pageId, type: "page" }, data: { parent: { id: change.toPageId, type: "page" } } };
    case "data_source.schema_updated":
      return {
        ...envelope,
        entity: { id: change.dataSourceId, type: "data_source" },
        data: { parent: { id: change.databaseId, type: "database" }, updated_properties: change.properties },
      };
    default:
      return {
        ...envelope,
        entity: { id: change.pageId, type: "page" },
        data: {
          parent: { id: change.databaseId, type: "database", data_source_id: change.dataSourceId },
          ...(change.kind === "page.properties_updated" ? { updated_properties: change.properties ?? [] } : {}),
        },
      };
  }
}

/** An aggregated event lists every property the window's events updated, and keeps the first one's id and time. */
function mergeProperties(into: WebhookPayload, next: WebhookPayload): void {
  const data = into["data"] as { updated_properties?: string[] };
  const more = (next["data"] as { updated_properties?: string[] }).updated_properties ?? [];
  if (data.updated_properties) data.updated_properties = [...new Set([...data.updated_properties, ...more])];
}
