import type { IncomingMessage, ServerResponse } from "node:http";
import { verifyWebhookSignature } from "@notionhq/client";
import type { Logger } from "pino";
import type { EventBus, WebhookResult } from "../observability/events.js";
import { webhookEventSchema, type WebhookEvent } from "./envelope.js";
import type { WebhookTokenStore } from "./token-store.js";

/** Notion's deliveries carry ids only (a few KiB); anything far larger is not one of them. */
export const MAX_BODY_BYTES = 256 * 1024;
/** What a verification token looks like (`secret_…`): a blank or odd one is not kept, so it cannot block Notion's. */
const TOKEN = /^secret_[A-Za-z0-9_-]{16,256}$/;

export interface WebhookReceiverOptions {
  readonly tokens: WebhookTokenStore;
  readonly events: EventBus;
  readonly logger: Logger;
  /** Takes a verified event (quickly: the sync it asks for happens later) and says what became of it. */
  accept(event: WebhookEvent): { result: "accepted" | "ignored" | "duplicate"; databaseKeys: readonly string[] };
  readonly maxBodyBytes?: number;
}

/**
 * `POST /webhooks/notion`. The subscription's handshake (a body with only a `verification_token`) is
 * kept while no token is known; every other delivery must carry `X-Notion-Signature: sha256=<hex>`, the
 * HMAC-SHA256 of the raw body keyed by the token (checked by the SDK's `verifyWebhookSignature`, in
 * constant time). Refusals change nothing: 405 for another method, 413 past the size limit, 400 for a
 * body that is not JSON or a handshake without a `secret_…` token, 401 for a missing or wrong signature
 * (or no token yet: one answer), 409 for a handshake when a token is already known. A verified event is
 * handed to `accept` and answered 200 at once; a signed body of an unknown shape is answered 200 ignored.
 */
export function createWebhookReceiver(options: WebhookReceiverOptions): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const { tokens, events, logger } = options;
  const limit = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const record = (result: WebhookResult, type = "unverified", databaseKeys: readonly string[] = [], eventAt: Date | null = null) =>
    events.emit("webhook:event", { type, result, databaseKeys, eventAt });
  return async (request, response) => {
    const answer = (status: number, body: object, headers: Record<string, string> = {}) => {
      response.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        ...headers,
      });
      response.end(`${JSON.stringify(body)}\n`);
    };
    if (request.method !== "POST") return answer(405, { error: "method not allowed: Notion delivers webhooks by POST" }, { allow: "POST" });
    const raw = await readBody(request, limit);
    if (raw === "aborted") {
      record("aborted");
      logger.info("a webhook delivery was cut off before its body ended (the sender hung up); nothing done, Notion retries it");
      return;
    }
    if (raw === "too_large") {
      record("too_large");
      return answer(413, { error: `body larger than ${limit} bytes` }, { connection: "close" });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch {
      record("invalid");
      return answer(400, { error: "the body is not JSON" });
    }
    if (isHandshake(body)) return handshake(body.verification_token, options, record, answer);
    const token = await tokens.current();
    const signature = request.headers["x-notion-signature"];
    if (!token || typeof signature !== "string" || !(await verifyWebhookSignature({ body: raw, signature, verificationToken: token.reveal() }))) {
      record("rejected_signature");
      // One answer for both: a caller cannot learn whether a token is set yet (the log says which).
      if (!token) logger.warn("a webhook delivery arrived before any verification token: the subscription's handshake has not arrived yet");
      return answer(401, { error: "missing or wrong X-Notion-Signature" });
    }
    const parsed = webhookEventSchema.safeParse(body);
    if (!parsed.success) {
      // Signed, so Notion's: an event shape this worker does not know. A 2xx, or Notion would retry it for nothing.
      record("ignored", "unrecognized");
      logger.warn(
        { issues: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`) },
        "a signed webhook delivery is not an event this worker knows; ignored",
      );
      return answer(200, { status: "ignored" });
    }
    const event = parsed.data;
    const outcome = options.accept(event);
    record(outcome.result, event.type, outcome.databaseKeys, new Date(event.timestamp));
    logger.debug({ eventId: event.id, type: event.type, result: outcome.result, databases: outcome.databaseKeys }, "webhook event");
    return answer(200, { status: outcome.result });
  };
}

type Answer = (status: number, body: object, headers?: Record<string, string>) => void;

/** The subscription's handshake: its token is kept while none is known (see `WebhookTokenStore`). */
async function handshake(token: string, options: WebhookReceiverOptions, record: (result: WebhookResult) => void, answer: Answer): Promise<void> {
  if (!TOKEN.test(token)) {
    record("invalid");
    return answer(400, { error: "not a verification token" });
  }
  const { outcome, file } = await options.tokens.offer(token);
  record(outcome === "stored" ? "handshake" : "handshake_refused");
  if (outcome === "refused") {
    options.logger.warn(
      { file },
      "a webhook verification token arrived, but a token is already configured; to take a new subscription's token, delete the file (or unset NOTION_WEBHOOK_VERIFICATION_TOKEN) and resend it from Notion",
    );
    return answer(409, { error: "a verification token is already configured" });
  }
  options.logger.info(
    { file },
    "a webhook verification token arrived and was stored (readable by this user only); paste it into the subscription's Verify form in Notion",
  );
  return answer(200, { status: "verification token stored" });
}

function isHandshake(body: unknown): body is { verification_token: string } {
  return typeof body === "object" && body !== null && !("type" in body) && typeof (body as { verification_token?: unknown }).verification_token === "string";
}

/**
 * The raw body, `too_large` as soon as it passes the limit (the rest is not read), or `aborted` when the
 * sender hung up before its end (the stream fails with "aborted" / ECONNRESET: a network matter, not ours).
 */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | "too_large" | "aborted"> {
  if (Number(request.headers["content-length"] ?? 0) > limit) return "too_large";
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) return "too_large";
      chunks.push(chunk);
    }
  } catch (error) {
    if (request.destroyed) return "aborted";
    throw error;
  }
  return Buffer.concat(chunks);
}
