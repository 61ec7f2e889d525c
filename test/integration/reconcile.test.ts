import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSync } from "../../src/pipeline/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/** The reconcile (a full read, on --full or every settings.reconcile_every) and mapping changes. */
let fixture: SyncFixture;
const logger = pino({ level: "silent" });
let clock = Date.parse("2026-11-01T10:00:00.000Z");
const now = () => new Date(clock);

beforeEach(async () => {
  fixture = await syncFixture({ seed: 7, now: () => clock });
});
afterEach(() => fixture.close());

const flags = async (table: string, id: string) =>
  (await queryFile(fixture.duckdbPath, `SELECT _is_deleted, _deleted_at IS NOT NULL AS has_time FROM ppm_silver.${table} WHERE page_id = '${id}'`))[0];

describe("the reconcile", () => {
  it("marks a page deleted for good only when a full read no longer finds it, and every reconcile_every", async () => {
    const mapping = join(fixture.dir, "m.yaml");
    writeFileSync(mapping, readFileSync("config/notion_mapping.yaml", "utf8").replace("lookback_minutes: 5", 'lookback_minutes: 5\n  reconcile_every: "1h"'));
    const config = () => fixture.config({ MAPPING_PATH: mapping });
    expect((await runSync({ config: config(), logger, now }, { databases: ["risks"] })).summaries[0]!.mode).toBe("full");
    const [gone, alsoGone] = fixture.sandbox.store.pageIds(fixture.sandbox.databases.risks!.dataSourceId);
    fixture.sandbox.store.deletePage(gone!);
    clock += 10 * 60_000;
    const incremental = await runSync({ config: config(), logger, now }, { databases: ["risks"] });
    expect(incremental.summaries[0]!.mode).toBe("incremental");
    expect(await flags("risks", gone!)).toEqual({ _is_deleted: false, has_time: false });

    const full = await runSync({ config: config(), logger, now }, { databases: ["risks"], full: true });
    expect(full.summaries[0]).toMatchObject({ mode: "full", status: "success", rowsUpserted: 1 });
    expect(await flags("risks", gone!)).toEqual({ _is_deleted: true, has_time: true });

    // An hour later the periodic reconcile reads in full again by itself and finds the next one.
    fixture.sandbox.store.deletePage(alsoGone!);
    clock += 30 * 60_000;
    expect((await runSync({ config: config(), logger, now }, { databases: ["risks"] })).summaries[0]!.mode).toBe("incremental");
    clock += 31 * 60_000;
    const periodic = await runSync({ config: config(), logger, now }, { databases: ["risks"] });
    expect(periodic.summaries[0]).toMatchObject({ mode: "full", rowsUpserted: 1 });
    expect(await flags("risks", alsoGone!)).toEqual({ _is_deleted: true, has_time: true });
    const live = await queryFile(fixture.duckdbPath, "SELECT count(*) AS n FROM ppm_silver.risks WHERE NOT _is_deleted");
    expect(Number(live[0]!.n)).toBe(fixture.sandbox.store.pageIds(fixture.sandbox.databases.risks!.dataSourceId).length);
  });

  it("leaves out of the recent window what the full read did not see: a page trashed and restored around it is not taken for an old version", async () => {
    // Seen in the reliability suite: trashed while the full read passed it, restored before the trash read, the same as
    // before within its minute; the reconcile marked it deleted, and the next run took it for the version the window kept.
    const { store, databases, faults } = fixture.sandbox;
    const source = databases.milestones!.dataSourceId;
    const sync = (full = false) => runSync({ config: fixture.config(), logger, now }, { databases: ["milestones"], full });
    await sync();
    clock += 10 * 60_000;
    const page = (store.listPages(source) as Record<string, any>[])[0]!;
    store.updatePage(page.id, { Done: { checkbox: !page.properties.Done.checkbox } });
    // Read in its minute: the window keeps the answer's hash.
    await sync();
    store.trashPage(page.id);
    faults.inject({
      method: "POST",
      path: `/v1/data_sources/${source}/query`,
      kind: "mutate",
      times: 1000,
      mutate: (json) => {
        const answer = json as { results: { id: string; in_trash: boolean }[] };
        if (!answer.results.some((p) => p.id === page.id && p.in_trash)) return json;
        // Restored just before the trash read reached it.
        store.trashPage(page.id, false);
        return { ...answer, results: answer.results.filter((p) => p.id !== page.id) };
      },
    });
    try {
      expect((await sync(true)).summaries[0]).toMatchObject({ mode: "full", status: "success" });
    } finally {
      faults.clear();
    }
    expect(await flags("milestones", page.id)).toEqual({ _is_deleted: true, has_time: true });
    await sync();
    expect(await flags("milestones", page.id)).toEqual({ _is_deleted: false, has_time: false });
  });

  it("refreshes rollups that changed without their page's last_edited_time moving", async () => {
    // With the dependent refresh off, only the reconcile brings such a rollup up to date.
    const mapping = join(fixture.dir, "no-refresh.yaml");
    writeFileSync(
      mapping,
      readFileSync("config/notion_mapping.yaml", "utf8").replace("lookback_minutes: 5", "lookback_minutes: 5\n  dependent_refresh: { enabled: false }"),
    );
    const config = () => fixture.config({ MAPPING_PATH: mapping });
    await runSync({ config: config(), logger, now });
    const project = fixture.sandbox.store.pageIds(fixture.sandbox.databases.projects!.dataSourceId)[0]!;
    clock += 5 * 60_000;
    fixture.sandbox.store.updatePage(project, { Budget: { number: 7_777_777 } });
    await runSync({ config: config(), logger, now });
    const program = (fixture.sandbox.store.listPages(fixture.sandbox.databases.programs!.dataSourceId) as Record<string, any>[]).find((p) =>
      (p.properties.Projects.relation as { id: string }[]).some((r) => r.id === project),
    )!;
    const stored = async () =>
      Number((await queryFile(fixture.duckdbPath, `SELECT planned_total FROM ppm_silver.programs WHERE page_id = '${program.id}'`))[0]!.planned_total);
    expect(await stored()).not.toBeCloseTo(program.properties["Planned Total"].rollup.number, 2);
    await runSync({ config: config(), logger, now }, { full: true, databases: ["programs"] });
    expect(await stored()).toBeCloseTo(program.properties["Planned Total"].rollup.number, 2);
  });
});

/** The mapping with one more risks column (Mitigation again): a change bronze can rebuild silver for. */
function widerMapping(): string {
  const mapping = join(fixture.dir, "wider.yaml");
  writeFileSync(
    mapping,
    readFileSync("config/notion_mapping.yaml", "utf8").replace(
      '    - notion_property: "Risk ID"',
      '    - notion_property: "Mitigation"\n      column_name: "mitigation_again"\n      column_type: "STRING"\n    - notion_property: "Risk ID"',
    ),
  );
  return mapping;
}

describe("mapping changes", () => {
  it("add a column: it is created and filled for every old row after one sync, rebuilt from bronze without a full read", async () => {
    await runSync({ config: fixture.config(), logger, now }, { databases: ["risks"] });
    const mapping = widerMapping();
    const result = await runSync({ config: fixture.config({ MAPPING_PATH: mapping }), logger, now }, { databases: ["risks"] });
    // Bronze holds the property (the first sync read it in full): silver is rebuilt from it, no full read.
    expect(result.summaries[0]).toMatchObject({ mode: "incremental", status: "success" });
    expect(result.summaries[0]!.pagesRead).toBeLessThan(Number((await queryFile(fixture.duckdbPath, "SELECT count(*) AS n FROM ppm_silver.risks"))[0]!.n) / 4);
    const rows = await queryFile(
      fixture.duckdbPath,
      "SELECT count(*) AS n, count(*) FILTER (WHERE mitigation IS NOT DISTINCT FROM mitigation_again) AS same FROM ppm_silver.risks",
    );
    expect(Number(rows[0]!.same)).toBe(Number(rows[0]!.n));
    expect(Number(rows[0]!.n)).toBeGreaterThan(0);
  });

  it("rebuild: a page set back to an earlier version within its minute is rebuilt from that version, not the one between", async () => {
    // Bronze keeps each distinct version once; the one written again must be the newest, or the rebuild takes the one between.
    const { store, databases } = fixture.sandbox;
    const sync = (config = fixture.config()) => runSync({ config, logger, now }, { databases: ["risks"] });
    await sync();
    clock += 10 * 60_000;
    const id = store.pageIds(databases.risks!.dataSourceId)[0]!;
    for (const impact of [1, 2, 1]) {
      store.updatePage(id, { Impact: { number: impact } });
      expect((await sync()).ok).toBe(true);
      clock += 1_000;
    }
    const impact = async () => (await queryFile(fixture.duckdbPath, `SELECT impact FROM ppm_silver.risks WHERE page_id = '${id}'`))[0]!.impact;
    expect(await impact()).toBe(1);
    const mapping = widerMapping();
    expect((await sync(fixture.config({ MAPPING_PATH: mapping }))).summaries[0]).toMatchObject({ mode: "incremental", status: "success" });
    expect(await impact()).toBe(1);
  });
});
