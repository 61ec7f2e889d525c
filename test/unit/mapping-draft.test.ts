import { describe, expect, it } from "vitest";
import { parseMapping } from "../../src/config/index.js";
import { draftMapping, renderMapping } from "../../src/mapping/index.js";
import { snakeCase } from "../../src/mapping/names.js";
import type { DiscoveredSource, PropertyAnswer } from "../../src/notion/index.js";

/** Awkward names and types that the seeded workspace does not have: the draft still loads. */
const prop = (id: string, type: string, extra: Record<string, unknown> = {}): PropertyAnswer => ({ id, type, [type]: {}, ...extra });

function source(title: string, id: string, properties: Record<string, PropertyAnswer>, more: Partial<DiscoveredSource> = {}): DiscoveredSource {
  return { databaseId: `${id.slice(0, -1)}d`, dataSourceId: id, title, oneOfSeveral: false, properties, samples: [], ...more };
}

const A = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
const B = "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";

describe("mapping draft", () => {
  it("snake_cases names into SQL identifiers", () => {
    expect(snakeCase("Budget Lines", "c")).toBe("budget_lines");
    expect(snakeCase("% Complete", "c")).toBe("complete");
    expect(snakeCase("Ärger (€)", "c")).toBe("arger");
    expect(snakeCase("2024 Budget", "property")).toBe("property_2024_budget");
    expect(snakeCase("🚀", "property")).toBe("property");
    expect(snakeCase("x".repeat(100), "c")).toHaveLength(64);
  });

  it("keeps names unique, off the engine's own columns, skips what the sync cannot read, and loads", () => {
    const draft = draftMapping(
      [
        source("Settings", A, {
          Name: prop("title", "title"),
          "name!": prop("p1", "rich_text"),
          URL: prop("p2", "url"),
          "Created time": prop("p3", "created_time"),
          "Page ID": prop("p4", "number", { number: { format: "number" } }),
          Go: prop("p5", "button"),
          Link: prop("p6", "relation", { relation: { data_source_id: B } }),
          Outside: prop("p7", "relation", { relation: { data_source_id: "cccccccc-cccc-4ccc-8ccc-cccccccccccc" } }),
          Count: prop("p8", "rollup", { rollup: { function: "count", relation_property_id: "p6" } }),
          Result: prop("p9", "formula"),
        }),
        source("Settings", B, { "Ticket #": prop("title", "title"), Seq: prop("q1", "unique_id", { unique_id: { prefix: null } }) }, { oneOfSeveral: true }),
      ],
      { emails: false },
    );
    const [first, second] = draft.databases;
    expect([first!.key, second!.key]).toEqual(["notion_settings", "notion_settings_2"]);
    expect(first!.columns.map((c) => [c.notionProperty, c.name, c.type, c.references])).toEqual([
      ["Name", "name", "STRING", undefined],
      ["name!", "name_2", "STRING", undefined],
      ["URL", "notion_url", "STRING", undefined],
      ["Created time", "notion_created_time", "TIMESTAMP", undefined],
      ["Page ID", "notion_page_id", "DOUBLE", undefined],
      ["Link", "link_ids", "ARRAY<STRING>", "notion_settings_2"],
      ["Outside", "outside_ids", "ARRAY<STRING>", undefined],
      ["Count", "count", "BIGINT", undefined],
      ["Result", "result", "STRING", undefined],
    ]);
    expect(first!.skipped).toEqual([{ property: "Go", reason: "a button property, which the sync does not read" }]);
    expect(second!.columns.map((c) => [c.name, c.type])).toEqual([
      ["ticket", "STRING"],
      ["seq", "BIGINT"],
    ]);
    const text = renderMapping(draft, new Date("2026-01-01T00:00:00Z"));
    expect(text).toContain('data_source_id: "${NOTION_NOTION_SETTINGS_2_DS}"');
    expect(text).toContain('# not mapped: "Go": a button property, which the sync does not read');
    const env = { NOTION_NOTION_SETTINGS_DB: A, NOTION_NOTION_SETTINGS_2_DB: B, NOTION_NOTION_SETTINGS_2_DS: B };
    const mapping = parseMapping(text, "draft.yaml", env);
    expect(mapping.databases.map((d) => [d.key, d.columns.length])).toEqual([
      ["notion_settings", 9],
      ["notion_settings_2", 2],
    ]);
  });
});
