import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSync } from "../../src/pipeline/index.js";
import type { Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/** The trash pass of an incremental sync: pages trashed since the watermark are marked, and restored. */
let fixture: SyncFixture;
let sandbox: Sandbox;
let clock = Date.parse("2026-11-01T10:00:00.000Z");
const logger = pino({ level: "silent" });

beforeEach(async () => {
  fixture = await syncFixture({ seed: 2, now: () => clock });
  sandbox = fixture.sandbox;
});
afterEach(() => fixture.close());

const config = () => fixture.config();
const deletedFlag = async (id: string) =>
  (await queryFile(fixture.duckdbPath, `SELECT _is_deleted FROM ppm_silver.risks WHERE page_id = '${id}'`))[0]?._is_deleted;

describe("pages moved to the trash", () => {
  it("are marked _is_deleted by the next incremental sync, and unmarked when restored", async () => {
    expect((await runSync({ config: config(), logger }, { databases: ["risks"] })).ok).toBe(true);
    const risk = sandbox.store.pageIds(sandbox.databases.risks!.dataSourceId)[3]!;
    expect(await deletedFlag(risk)).toBe(false);
    clock += 10 * 60_000;
    sandbox.store.trashPage(risk, true);
    const second = await runSync({ config: config(), logger }, { databases: ["risks"] });
    expect(second.summaries[0]).toMatchObject({ status: "success", mode: "incremental", rowsUpserted: 1 });
    expect(await deletedFlag(risk)).toBe(true);
    clock += 10 * 60_000;
    sandbox.store.trashPage(risk, false);
    await runSync({ config: config(), logger }, { databases: ["risks"] });
    expect(await deletedFlag(risk)).toBe(false);
  });

  it("are left alone, with the run still successful, where the API refuses the in_trash query", async () => {
    const refusing: typeof fetch = async (input, init) => {
      if (typeof init?.body === "string" && init.body.includes('"in_trash":true')) {
        return new Response(
          JSON.stringify({ object: "error", status: 400, code: "validation_error", message: "body failed validation: body.in_trash should be not present" }),
          { status: 400, headers: { "content-type": "application/json" } },
        );
      }
      return fetch(input, init);
    };
    await runSync({ config: config(), logger, fetch: refusing }, { databases: ["risks"] });
    const risk = sandbox.store.pageIds(sandbox.databases.risks!.dataSourceId)[5]!;
    clock += 10 * 60_000;
    sandbox.store.trashPage(risk, true);
    const result = await runSync({ config: config(), logger, fetch: refusing }, { databases: ["risks"] });
    expect(result.summaries[0]).toMatchObject({ status: "success", rowsUpserted: 0 });
    expect(await deletedFlag(risk)).toBe(false);
  });
});
