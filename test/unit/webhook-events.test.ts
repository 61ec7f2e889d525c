import { randomUUID } from "node:crypto";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createEventBus, type DatabaseSummary } from "../../src/observability/events.js";
import { createTargetedRuns, targetOf, webhookEventSchema, type WebhookEvent } from "../../src/webhooks/index.js";
import { Scheduler, type RunOrigin } from "../../src/worker/scheduler.js";

const DB = { projects: "1a2b3c4d-0000-4000-8000-000000000001", risks: "1a2b3c4d-0000-4000-8000-000000000002", multi: "1a2b3c4d-0000-4000-8000-000000000003" };
const DS = { projects: "2a2b3c4d-0000-4000-8000-000000000001", risks: "2a2b3c4d-0000-4000-8000-000000000002", multiB: "2a2b3c4d-0000-4000-8000-00000000000b" };

function event(type: string, entity: { id: string; type: string }, parent?: object, timestamp = "2026-12-03T10:00:00.000Z"): WebhookEvent {
  return webhookEventSchema.parse({ id: randomUUID(), timestamp, type, entity, data: parent ? { parent } : {}, attempt_number: 1 });
}

describe("which data source an event concerns", () => {
  it("reads page events through their parent, data source and database events through their entity, and nothing else", () => {
    const page = { id: randomUUID(), type: "page" };
    expect(targetOf(event("page.created", page, { id: DB.projects, type: "database", data_source_id: DS.projects }))).toEqual({
      dataSourceId: DS.projects,
      databaseId: DB.projects,
    });
    // Undashed ids, as some payloads carry them, are the same ids.
    expect(targetOf(event("page.moved", page, { id: DB.projects.replaceAll("-", ""), type: "database" }))).toEqual({
      dataSourceId: undefined,
      databaseId: DB.projects,
    });
    expect(targetOf(event("data_source.schema_updated", { id: DS.risks, type: "data_source" }, { id: DB.risks, type: "database" }))).toEqual({
      dataSourceId: DS.risks,
      databaseId: DB.risks,
    });
    expect(targetOf(event("database.content_updated", { id: DB.risks, type: "database" }))).toEqual({ databaseId: DB.risks });
    expect(targetOf(event("page.created", page, { id: randomUUID(), type: "page" }))).toBeUndefined();
    expect(targetOf(event("comment.created", { id: randomUUID(), type: "comment" }, { id: randomUUID(), type: "page" }))).toBeUndefined();
    expect(targetOf(event("page.transcription_block.transcript_deleted", page))).toBeUndefined();
  });

  it("refuses an envelope without id, time, type or entity", () => {
    for (const broken of [
      {},
      { id: "x", timestamp: "yesterday", type: "page.created", entity: { id: "p", type: "page" } },
      { id: "x", timestamp: "2026-12-03T10:00:00Z", type: "created" },
    ])
      expect(webhookEventSchema.safeParse(broken).success).toBe(false);
  });
});

describe("targeted runs", () => {
  const sources = [
    { key: "projects", databaseId: DB.projects, dataSourceId: undefined },
    { key: "risks", databaseId: DB.risks, dataSourceId: DS.risks },
    // One data source of a database with two.
    { key: "multi_b", databaseId: DB.multi, dataSourceId: DS.multiB },
  ];

  it("gathers events over the debounce window into one request of the databases they name", async () => {
    const requests: string[][] = [];
    const schemaDue: string[][] = [];
    const runs = createTargetedRuns({
      sources,
      debounceMs: 100,
      events: createEventBus(),
      request: (keys, schemas) => (requests.push([...keys]), schemaDue.push([...schemas])),
    });
    const onPage = (ds: string, db: string) =>
      event("page.properties_updated", { id: randomUUID(), type: "page" }, { id: db, type: "database", data_source_id: ds });
    expect(runs.accept(onPage(DS.projects, DB.projects)).databaseKeys).toEqual(["projects"]);
    expect(runs.accept(onPage(DS.risks, DB.risks)).databaseKeys).toEqual(["risks"]);
    // The other data source of the two-source database is not the mapped one.
    expect(runs.accept(onPage("2a2b3c4d-0000-4000-8000-00000000000a", DB.multi)).result).toBe("ignored");
    expect(runs.accept(onPage(DS.multiB, DB.multi)).databaseKeys).toEqual(["multi_b"]);
    const repeated = onPage(DS.projects, DB.projects);
    runs.accept(repeated);
    expect(runs.accept(repeated).result).toBe("duplicate");
    expect(requests).toEqual([]);
    await new Promise((r) => setTimeout(r, 250));
    expect(requests).toEqual([["projects", "risks", "multi_b"]]);
    // Once the engine resolved projects' data source, an event naming only it finds the database.
    runs.learn("projects", DS.projects);
    expect(runs.accept(event("data_source.content_updated", { id: DS.projects, type: "data_source" })).databaseKeys).toEqual(["projects"]);
    // A schema event asks its run to check the schema even if no page changed.
    const schema = event("data_source.schema_updated", { id: DS.risks, type: "data_source" }, { id: DB.risks, type: "database" });
    expect(runs.accept(schema).databaseKeys).toEqual(["risks"]);
    await new Promise((r) => setTimeout(r, 250));
    expect(requests.slice(1)).toEqual([["projects", "risks"]]);
    expect(schemaDue).toEqual([[], ["risks"]]);
    runs.stop();
  });

  it("measures each event's lag to the commit of the first sync that started after it; a failed sync leaves it for the next", () => {
    const events = createEventBus();
    const lags: number[][] = [];
    events.on("webhook:synced", (e) => lags.push([...e.lagSeconds]));
    const runs = createTargetedRuns({ sources, debounceMs: 10_000, events, request: () => undefined, now: () => Date.parse("2026-12-03T10:00:30Z") });
    const done = (runId: string, status: DatabaseSummary["status"], at: string) =>
      events.emit("database:done", { runId, databaseKey: "risks", status, finishedAt: new Date(at) } as DatabaseSummary);
    // A run that started before the event arrived does not count, even if it finishes after.
    events.emit("database:start", { runId: "r0", databaseKey: "risks", mode: "incremental", since: null, reason: "" });
    runs.accept(
      event("page.created", { id: randomUUID(), type: "page" }, { id: DB.risks, type: "database", data_source_id: DS.risks }, "2026-12-03T10:00:00.000Z"),
    );
    done("r0", "success", "2026-12-03T10:00:05Z");
    events.emit("database:start", { runId: "r1", databaseKey: "risks", mode: "incremental", since: null, reason: "" });
    done("r1", "failed", "2026-12-03T10:00:08Z");
    expect(lags).toEqual([]);
    events.emit("database:start", { runId: "r2", databaseKey: "risks", mode: "incremental", since: null, reason: "" });
    done("r2", "success", "2026-12-03T10:00:12Z");
    expect(lags).toEqual([[12]]);
    runs.stop();
  });
});

describe("the scheduler with event runs", () => {
  function harness() {
    const started: [RunOrigin, readonly string[] | undefined, readonly string[] | undefined][] = [];
    const finish: (() => void)[] = [];
    const events = createEventBus();
    const skipped: string[] = [];
    events.on("worker:tick_skipped", (e) => skipped.push(e.reason));
    const scheduler = new Scheduler({
      schedule: "0 0 1 1 *",
      events,
      logger: pino({ level: "silent" }),
      now: Date.now,
      run: (origin, databases, schemaDue) => {
        started.push([origin, databases, schemaDue]);
        return new Promise<void>((resolve) => finish.push(resolve));
      },
    });
    const settle = async (i: number) => {
      finish[i]!();
      await new Promise((r) => setImmediate(r));
    };
    return { scheduler, started, settle, skipped };
  }

  it("folds requests during a run into one follow-up run, and a tick during an event's run follows it", async () => {
    const { scheduler, started, settle, skipped } = harness();
    scheduler.request(["projects"]);
    scheduler.request(["risks"], ["risks"]);
    scheduler.request(["projects", "milestones"]);
    void scheduler.tick("schedule");
    await settle(0);
    // The owed tick runs everything, and so answers the requests too (the schema check they asked for included).
    expect(started).toEqual([
      ["event", ["projects"], []],
      ["schedule", undefined, ["risks"]],
    ]);
    scheduler.request(["risks"]);
    scheduler.request(["milestones"]);
    void scheduler.tick("schedule");
    await settle(1);
    expect(started.slice(2)).toEqual([["event", ["risks", "milestones"], []]]);
    expect(skipped).toEqual(["run in progress"]);
    await settle(2);
    expect(started).toHaveLength(3);
    expect(scheduler.busy).toBe(false);
    await scheduler.stop();
  });
});
