import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhookSignature } from "@notionhq/client";
import { afterEach, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor } from "./support.js";

/** A receiver that keeps every request (raw body, signature) and answers with `status(n)` for the n-th. */
async function receiver(status: (n: number) => number = () => 200) {
  const received: { body: string; signature: string | undefined }[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (c: Buffer) => (body += c.toString()));
    request.on("end", () => {
      received.push({ body, signature: request.headers["x-notion-signature"] as string | undefined });
      response.writeHead(status(received.length)).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/notion`, received, close: () => new Promise((r) => server.close(r)) };
}

type Event = {
  id: string;
  type: string;
  attempt_number: number;
  entity: { id: string; type: string };
  data: { parent: Record<string, string>; updated_properties?: unknown[] };
};

let sandbox: Sandbox | undefined;
let hook: Awaited<ReturnType<typeof receiver>> | undefined;
afterEach(async () => {
  await sandbox?.close();
  await hook?.close();
});

describe("the sandbox's webhook subscription", () => {
  it("sends the handshake, then a signed event with Notion's shape for every create, update, trash, restore, move and schema change", async () => {
    sandbox = await startSandbox({ seed: 4 });
    hook = await receiver();
    const subscription = await sandbox.webhooks.subscribe({ url: hook.url, verificationToken: "secret_hook" });
    expect(JSON.parse(hook.received[0]!.body)).toEqual({ verification_token: "secret_hook" });
    expect(hook.received[0]!.signature).toBeUndefined();
    const { dataSourceId, databaseId } = sandbox.databases.risks!;
    const [first, second] = sandbox.store.pageIds(dataSourceId) as [string, string];
    // Through the API with the real SDK, and directly through the store.
    const notion = clientFor(sandbox);
    await notion.pages.update({ page_id: first, properties: { Impact: { number: 4 } } });
    const created = sandbox.store.createPage(dataSourceId, { Risk: { title: [{ text: { content: "Vendor delay" } }] } }) as { id: string };
    sandbox.store.trashPage(second);
    sandbox.store.trashPage(second, false);
    sandbox.store.movePage(first, "0f0e0d0c-0000-4000-8000-000000000001");
    sandbox.store.updateDataSource(dataSourceId, { properties: { Exposure: { number: {} } } });
    await subscription.idle();
    const events = hook.received.slice(1);
    for (const e of events) expect(await verifyWebhookSignature({ body: e.body, signature: e.signature, verificationToken: "secret_hook" })).toBe(true);
    const parsed = events.map((e) => JSON.parse(e.body) as Event);
    const inRisks = { id: databaseId, type: "database", data_source_id: dataSourceId };
    expect(parsed.map((e) => [e.type, e.entity.id, e.data.parent])).toEqual([
      ["page.properties_updated", first, inRisks],
      ["page.created", created.id, inRisks],
      ["page.deleted", second, inRisks],
      ["page.undeleted", second, inRisks],
      ["page.moved", first, { id: "0f0e0d0c-0000-4000-8000-000000000001", type: "page" }],
      ["data_source.schema_updated", dataSourceId, { id: databaseId, type: "database" }],
    ]);
    expect(parsed[0]!.data.updated_properties).toHaveLength(1);
    expect(parsed[5]!.data.updated_properties).toEqual([expect.objectContaining({ name: "Exposure", action: "created" })]);
    expect(new Set(parsed.map((e) => e.id)).size).toBe(6);
    expect(parsed.every((e) => e.attempt_number === 1)).toBe(true);
    expect(sandbox.store.pageIds(dataSourceId)).not.toContain(first);
  });

  it("aggregates a page's updates over the window, delivers twice when asked, drops what it is told to, and retries a refused delivery", async () => {
    sandbox = await startSandbox({ seed: 4 });
    hook = await receiver((n) => (n === 2 ? 500 : 200));
    const { dataSourceId } = sandbox.databases.projects!;
    const [a, b] = sandbox.store.pageIds(dataSourceId) as [string, string];
    const subscription = await sandbox.webhooks.subscribe({ url: hook.url, aggregateMs: 150, duplicate: true, drop: (e) => e.entity.id === b });
    sandbox.store.updatePage(a, { Spent: { number: 1 } });
    sandbox.store.updatePage(a, { Status: { status: { name: "Done" } } });
    sandbox.store.updatePage(b, { Spent: { number: 2 } });
    await subscription.idle();
    const events = hook.received.slice(1).map((e) => JSON.parse(e.body) as Event);
    // One aggregated event, delivered twice; the first delivery was refused once and retried.
    expect(events.map((e) => [e.entity.id, e.attempt_number]).sort()).toEqual([
      [a, 1],
      [a, 1],
      [a, 2],
    ]);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(events[0]!.data.updated_properties).toHaveLength(2);
    expect(subscription.dropped.map((e) => e.entity.id)).toEqual([b]);
    expect(subscription.deliveries.map((d) => d.status).sort()).toEqual([200, 200, 500]);
  });
});
