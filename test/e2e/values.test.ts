import { join } from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { completePage, createNotionGateway, readPage, type NotionGateway } from "../../src/notion/index.js";
import { createEventBus } from "../../src/observability/events.js";
import { runSync } from "../../src/pipeline/index.js";
import { queryFile } from "../support/duckdb-file.js";
import type { OracleColumn } from "../support/oracle.js";
import { expectSilverEqualsSandbox } from "../support/silver-check.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";
import { addValueShowcase, writeShowcaseMapping } from "../support/value-showcase.js";

/**
 * Every value as Notion means it, end to end: the sandbox serves page objects as the API reference
 * documents them (mentions and people capped at 25, rollups over the first 25 references) and the
 * property endpoint as documented (one element per item, "show original" flattened); the whole silver
 * tables must equal the independent oracle's reading of the complete pages.
 */
let fixture: SyncFixture;
let columns: Record<string, OracleColumn[]>;
let edited: ReturnType<typeof addValueShowcase>;
const logger = pino({ level: "silent" });
const clock = Date.parse("2026-11-01T10:00:00.000Z");
const now = () => new Date(clock);
const config = () => fixture.config({ MAPPING_PATH: join(fixture.dir, "showcase.yaml") });

beforeAll(async () => {
  fixture = await syncFixture({ seed: 1, now: () => clock });
  edited = addValueShowcase(fixture.sandbox);
  columns = writeShowcaseMapping(join(fixture.dir, "showcase.yaml"));
});
afterAll(() => fixture.close());

describe("every value as Notion means it", () => {
  it("the sandbox's page objects truncate what the API reference says they truncate", () => {
    const { store } = fixture.sandbox;
    const shown = (id: string) => store.getPage(id, { truncated: true }) as Record<string, any>;
    const texts = (value: Record<string, any>) => (value[value.type] as { plain_text: string }[]).map((t) => t.plain_text).join("");
    expect(texts(shown(edited.mentionRisk).properties.Mitigation)).toContain("@Anonymous");
    expect(texts(shown(edited.mentionProject).properties.Name)).toContain("Untitled");
    expect(shown(edited.crowdRisk).properties.Owner.people).toHaveLength(25);
    expect(shown(edited.crowdedProgram).properties["Project Names"].rollup.array).toHaveLength(25);
  });

  it("copies mentions past 25, people past 25 and every rollup shape whole, row by row", async () => {
    const result = await runSync({ config: config(), logger, now });
    expect(result.summaries.map((s) => [s.databaseKey, s.status, s.error])).toEqual(result.summaries.map((s) => [s.databaseKey, "success", null]));
    for (const key of Object.keys(columns)) await expectSilverEqualsSandbox(fixture.sandbox, fixture.duckdbPath, key, columns[key]!);
    const [risk] = await queryFile(fixture.duckdbPath, `SELECT mitigation FROM ppm_silver.risks WHERE page_id = '${edited.mentionRisk}'`);
    expect(String(risk!.mitigation)).toContain("@Showcase Reviewer 30");
    // The crowded program's rollups reach past its 25th project (read from the property endpoint).
    const thirtieth = fixture.sandbox.store.getPage(fixture.sandbox.store.pageIds(fixture.sandbox.databases.projects!.dataSourceId)[29]!) as Record<
      string,
      any
    >;
    const [program] = await queryFile(
      fixture.duckdbPath,
      `SELECT list_contains(project_names, '${thirtieth.properties.Name.title[0].plain_text as string}') AS found, len(program_line_ids) AS lines FROM ppm_silver.programs WHERE page_id = '${edited.crowdedProgram}'`,
    );
    expect(program!.found).toBe(true);
    expect(Number(program!.lines)).toBeGreaterThan(60);
  });

  it('completes a text whose page object drops the mentions past 25 ("not returned at all")', async () => {
    // The API reference allows either form; here the answer holds exactly 25 mentions and nothing after them.
    let cut = 0;
    const dropPastTwentyFive = (json: unknown) => {
      for (const page of (json as { results?: Record<string, any>[] }).results ?? []) {
        const value = page.properties?.Mitigation;
        if (!value) continue;
        let mentions = 0;
        const kept = (value.rich_text as Record<string, any>[]).filter((t) => t.type !== "mention" || (mentions += 1) <= 25);
        if (kept.length < value.rich_text.length) cut += 1;
        value.rich_text = kept;
      }
      return json;
    };
    fixture.sandbox.faults.inject({ method: "POST", path: /\/query$/, kind: "mutate", mutate: dropPastTwentyFive, times: 1000 });
    try {
      const result = await runSync({ config: config(), logger, now }, { full: true, databases: ["risks"] });
      expect(result.summaries[0]).toMatchObject({ status: "success" });
      expect(cut).toBeGreaterThan(0);
    } finally {
      fixture.sandbox.faults.clear();
    }
    const [risk] = await queryFile(fixture.duckdbPath, `SELECT mitigation FROM ppm_silver.risks WHERE page_id = '${edited.mentionRisk}'`);
    expect(String(risk!.mitigation)).toContain("@Showcase Reviewer 30.");
    await expectSilverEqualsSandbox(fixture.sandbox, fixture.duckdbPath, "risks", columns.risks!);
  });

  it("keeps the completed values in bronze, so that silver can be rebuilt from it", async () => {
    const [row] = await queryFile(fixture.duckdbPath, `SELECT page_json FROM ppm_bronze.notion_projects WHERE page_id = '${edited.mentionProject}'`);
    const page = JSON.parse(String(row!.page_json)) as Record<string, any>;
    const complete = fixture.sandbox.store.getPage(edited.mentionProject) as Record<string, any>;
    expect(page.properties.Name.title).toEqual(complete.properties.Name.title);
    expect(page.properties["Line Names"].rollup.array.length).toBe(complete.properties["Line Names"].rollup.array.length);
  });

  it('reads each answer of a property once, a "show original" rollup of capped relations included', async () => {
    const gateway = createNotionGateway({ settings: config().notion, events: createEventBus() });
    const calls: string[] = [];
    const counting: NotionGateway = {
      ...gateway,
      listPropertyItems: (request, what, counter) => {
        calls.push(`${request.propertyId} ${request.cursor ?? "first"}`);
        return gateway.listPropertyItems(request, what, counter);
      },
    };
    try {
      const page = (await readPage(gateway, edited.crowdedProgram, "programs", { count: 0 }))!;
      // "Program Lines" shows the projects' Budget Lines relations, each capped at 25: the page is truncated through it.
      const lines = page.properties["Program Lines"]!;
      expect((lines.rollup as { array: { relation: unknown[] }[] }).array.some((element) => element.relation.length >= 25)).toBe(true);
      const completed = await completePage(counting, page, "programs", { count: 0 });
      expect((completed.properties["Program Lines"]!.rollup as { array: unknown[] }).array.length).toBeGreaterThan(60);
    } finally {
      await gateway.close();
    }
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((call, i) => calls.indexOf(call) !== i)).toEqual([]);
  });
});
