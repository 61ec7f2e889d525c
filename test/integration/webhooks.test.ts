import { randomUUID } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Writable } from "node:stream";
import { signWebhookPayload } from "@notionhq/client";
import pino from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createEventBus, type SyncEvents } from "../../src/observability/events.js";
import { TOKEN_FILE } from "../../src/webhooks/index.js";
import { startWorker, type Worker } from "../../src/worker/worker.js";
import { queryFile } from "../support/duckdb-file.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";
import { until } from "../support/worker-process.js";

/**
 * Issue 18: Notion webhooks drive targeted syncs. A real worker (embedded warehouse, real HTTP) with
 * webhooks on; deliveries are signed with the SDK's own `signWebhookPayload`, as Notion signs them.
 */
const TOKEN = `secret_${randomUUID()}`;
let fixture: SyncFixture | undefined;
let worker: Worker | undefined;
let logged = "";
const runs: SyncEvents["run:start"][] = [];

afterEach(async () => {
  await worker?.stop();
  await fixture?.close();
  worker = undefined;
  fixture = undefined;
  logged = "";
  runs.length = 0;
});

async function start(env: Record<string, string> = {}): Promise<Worker> {
  fixture = await syncFixture({ seed: 4 });
  const events = createEventBus();
  events.on("run:start", (e) => runs.push(e));
  const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => ((logged += chunk.toString()), done()) });
  const logger = pino({ level: "debug" }, sink);
  const config = fixture.config({
    PORT: "0",
    SYNC_SCHEDULE: "0 0 1 1 *",
    SYNC_ON_START: "false",
    NOTION_WEBHOOKS: "on",
    NOTION_WEBHOOK_DEBOUNCE: "200ms",
    ...env,
  });
  worker = await startWorker({ config, logger, events });
  return worker;
}

async function post(body: string, headers: Record<string, string> = {}, method = "POST"): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${worker!.port}/webhooks/notion`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(method === "GET" ? {} : { body }),
  });
  return { status: response.status, body: await response.text() };
}

const signed = async (body: string, token = TOKEN) => ({ "x-notion-signature": await signWebhookPayload({ body, verificationToken: token }) });

function pageEvent(key: string, pageId: string, type = "page.properties_updated", at = new Date()): string {
  const db = fixture!.sandbox.databases[key]!;
  return JSON.stringify({
    id: randomUUID(),
    timestamp: at.toISOString(),
    workspace_id: randomUUID(),
    workspace_name: "Finance",
    subscription_id: randomUUID(),
    integration_id: randomUUID(),
    authors: [{ id: randomUUID(), type: "person" }],
    attempt_number: 1,
    api_version: "2025-09-03",
    type,
    entity: { id: pageId, type: "page" },
    data: { parent: { id: db.databaseId, type: "database", data_source_id: db.dataSourceId }, updated_properties: ["abc"] },
  });
}

const firstPage = (key: string) => fixture!.sandbox.store.pageIds(fixture!.sandbox.databases[key]!.dataSourceId)[0]!;

describe("the webhook receiver", () => {
  it("keeps the handshake's token in a 0600 file, refuses a second handshake, and never prints the token", async () => {
    await start();
    const handshake = await post(JSON.stringify({ verification_token: TOKEN }));
    expect(handshake.status).toBe(200);
    const file = join(fixture!.dir, "wm", TOKEN_FILE);
    expect(readFileSync(file, "utf8").trim()).toBe(TOKEN);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = await post(JSON.stringify({ verification_token: "secret_someone_else_entirely" }));
    expect(again.status).toBe(409);
    expect(readFileSync(file, "utf8").trim()).toBe(TOKEN);
    // The token now verifies deliveries.
    const event = pageEvent("projects", firstPage("projects"));
    expect((await post(event, await signed(event))).status).toBe(200);
    expect(logged).toContain("verification token arrived and was stored");
    expect(logged).not.toContain(TOKEN);
    expect(handshake.body + again.body).not.toContain(TOKEN);
  });

  it("refuses unsigned, wrongly signed, replayed-with-a-changed-body, oversized, non-JSON and non-POST requests, and none starts a sync", async () => {
    await start({ NOTION_WEBHOOK_VERIFICATION_TOKEN: TOKEN });
    const event = pageEvent("projects", firstPage("projects"));
    const changed = event.replace("page.properties_updated", "page.created");
    const huge = JSON.stringify({ padding: "x".repeat(300 * 1024) });
    const answers = [
      await post(event),
      await post(event, await signed(event, "secret_wrong")),
      await post(changed, await signed(event)),
      await post(event, { "x-notion-signature": "sha256=zz" }),
      await post(huge, await signed(huge)),
      await post("{not json", await signed("{not json")),
      await post("", {}, "GET"),
      await post(event, await signed(event), "PUT"),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 413, 400, 405, 405]);
    await new Promise((r) => setTimeout(r, 600));
    expect(runs).toEqual([]);
    const metrics = await (await fetch(`http://127.0.0.1:${worker!.port}/metrics`)).text();
    expect(metrics).toContain('nds_webhook_events_total{type="unverified",result="rejected_signature"} 4');
    expect(metrics).toContain('nds_webhook_events_total{type="unverified",result="too_large"} 1');
    expect(metrics).toContain('nds_webhook_events_total{type="unverified",result="invalid"} 1');
    expect(logged).not.toContain(TOKEN);
  });

  it("answers 401 to a signed event before any token is known (the log names the missing handshake), and keeps no blank or odd token", async () => {
    await start();
    const event = pageEvent("projects", firstPage("projects"));
    const answer = await post(event, await signed(event));
    expect(answer.status).toBe(401);
    expect(answer.body).toContain("missing or wrong X-Notion-Signature");
    expect(logged).toContain("the subscription's handshake has not arrived yet");
    for (const odd of ["", " ", "secret_", "x".repeat(40), `secret_${"a".repeat(300)}`, "secret_has spaces in it ok"])
      expect((await post(JSON.stringify({ verification_token: odd }))).status, JSON.stringify(odd)).toBe(400);
    // Notion's handshake still lands afterwards.
    expect((await post(JSON.stringify({ verification_token: TOKEN }))).status).toBe(200);
    expect((await post(event, await signed(event))).status).toBe(200);
  });

  it("takes a delivery cut off before its body ended for a hang-up, not a worker error, and keeps serving", async () => {
    await start({ NOTION_WEBHOOK_VERIFICATION_TOKEN: TOKEN });
    const socket = connect(worker!.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("POST /webhooks/notion HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n" + '{"id":"abc"');
    await new Promise((r) => setTimeout(r, 100));
    socket.destroy();
    const counted = async () => (await fetch(`http://127.0.0.1:${worker!.port}/metrics`).then((r) => r.text())).includes('result="aborted"} 1');
    await until("the hang-up counted", counted, 5_000);
    expect(logged).toContain("a webhook delivery was cut off before its body ended");
    expect(logged).not.toContain('"level":50');
    const event = pageEvent("projects", firstPage("projects"));
    expect((await post(event, await signed(event))).status).toBe(200);
  });

  it("answers a signed delivery of an unknown shape 200 ignored (Notion would retry a refusal), counted apart", async () => {
    await start({ NOTION_WEBHOOK_VERIFICATION_TOKEN: TOKEN });
    const odd = JSON.stringify({ id: "x", type: "page.created" });
    expect(await post(odd, await signed(odd))).toEqual({ status: 200, body: '{"status":"ignored"}\n' });
    const metrics = await (await fetch(`http://127.0.0.1:${worker!.port}/metrics`)).text();
    expect(metrics).toContain('nds_webhook_events_total{type="unrecognized",result="ignored"} 1');
    await new Promise((r) => setTimeout(r, 600));
    expect(runs).toEqual([]);
  });
});

describe("events become targeted syncs", () => {
  it("syncs only the databases the events name, after the debounce, and the edit reaches silver", async () => {
    await start({ NOTION_WEBHOOK_VERIFICATION_TOKEN: TOKEN, SYNC_ON_START: "true" });
    await until("the first scheduled run", async () => (runs.length === 1 && (await kpis()).databases.projects?.last_success_at ? true : undefined));
    const page = firstPage("projects");
    fixture!.sandbox.store.updatePage(page, { Spent: { number: 4242.42 } });
    const sent = Date.now();
    for (let i = 0; i < 3; i += 1) {
      const event = pageEvent("projects", page);
      expect((await post(event, await signed(event))).body).toContain("accepted");
    }
    const other = pageEvent("risks", firstPage("risks"), "comment.created");
    expect((await post(other, await signed(other))).body).toContain("ignored");
    await until("a run of projects", async () => ((await kpis()).databases.projects!.last_success_at! > new Date(sent).toISOString() ? true : undefined));
    expect(runs).toHaveLength(2);
    expect(runs[1]!.databases).toEqual(["projects"]);
    const rows = await queryFile(fixture!.duckdbPath, `SELECT spent FROM ppm_silver.projects WHERE page_id = '${page}'`);
    expect(Number(rows[0]!.spent)).toBe(4242.42);
    const k = await kpis();
    expect(k.databases.projects!.last_event_at).not.toBeNull();
    expect(k.databases.risks!.last_event_at).toBeNull();
    const metrics = await (await fetch(`http://127.0.0.1:${worker!.port}/metrics`)).text();
    expect(metrics).toContain('nds_webhook_events_total{type="page.properties_updated",result="accepted"} 3');
    expect(metrics).toContain('nds_webhook_events_total{type="comment.created",result="ignored"} 1');
    expect(metrics).toMatch(/nds_webhook_lag_seconds_count 3\n/);
  });

  it("checks the schema on a schema event even when no page changed: a removed mapped property fails the database", async () => {
    await start({ NOTION_WEBHOOK_VERIFICATION_TOKEN: TOKEN, SYNC_ON_START: "true" });
    await until("the first scheduled run", async () => ((await kpis()).databases.risks?.last_success_at ? true : undefined));
    const { dataSourceId, databaseId } = fixture!.sandbox.databases.risks!;
    fixture!.sandbox.store.updateDataSource(dataSourceId, { properties: { Impact: { rich_text: {} } } });
    const event = JSON.stringify({
      id: randomUUID(),
      timestamp: new Date().toISOString(),
      type: "data_source.schema_updated",
      entity: { id: dataSourceId, type: "data_source" },
      data: { parent: { id: databaseId, type: "database" }, updated_properties: [{ id: "x", name: null, action: "deleted" }] },
    });
    expect((await post(event, await signed(event))).body).toContain("accepted");
    const risks = await until("the schema event's run", async () => {
      const db = (await kpis()).databases.risks!;
      return runs.length === 2 && db.last_status !== "success" ? db : undefined;
    });
    expect(runs[1]!.databases).toEqual(["risks"]);
    expect(risks.last_status).toBe("failed");
    expect(risks.last_error).toContain("Impact");
  });

  it("folds events that arrive during a run into one follow-up run, and a repeated delivery into nothing", async () => {
    await start({ NOTION_WEBHOOK_VERIFICATION_TOKEN: TOKEN, NOTION_WEBHOOK_DEBOUNCE: "0s" });
    // The largest database first (a full sync of 400 pages): the burst arrives while it runs.
    const event = pageEvent("budget_lines", firstPage("budget_lines"));
    await post(event, await signed(event));
    await until("the first event's run started", async () => (runs.length === 1 ? true : undefined));
    // While it runs: a burst over two databases, and Notion's retry of the first delivery.
    for (const key of ["programs", "milestones", "programs", "milestones"]) {
      const burst = pageEvent(key, firstPage(key));
      await post(burst, await signed(burst));
    }
    expect((await post(event, await signed(event))).body).toContain("duplicate");
    await until("the follow-up run done", async () => ((await kpis()).databases.milestones?.last_success_at ? true : undefined));
    await new Promise((r) => setTimeout(r, 500));
    expect(runs.map((r) => [...r.databases].sort())).toEqual([["budget_lines"], ["milestones", "programs"]]);
  });
});

type Kpis = {
  databases: Record<string, { last_success_at: string | null; last_event_at: string | null; last_status: string | null; last_error: string | null }>;
};
async function kpis(): Promise<Kpis> {
  return (await (await fetch(`http://127.0.0.1:${worker!.port}/api/kpis`)).json()) as Kpis;
}
