import { describe, expect, it } from "vitest";
import { checkPage } from "../../src/notion/page-schema.js";

/** The envelope check where Notion's pages enter: ids and times that silver would store as they came. */
const id = "5a7f1c2e-0b4d-4e8a-9c1f-2d3e4f5a6b7c";
const page = (properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  object: "page",
  id,
  created_time: "2026-08-01T09:30:00.000Z",
  last_edited_time: "2026-08-02T11:07:00.000Z",
  url: "https://www.notion.so/x",
  properties,
  ...extra,
});

describe("checkPage", () => {
  it("passes a well-formed page with references in relations, people and show-original rollups", () => {
    const ok = page({
      Tasks: { id: "a", type: "relation", relation: [{ id }], has_more: false },
      Owner: { id: "b", type: "people", people: [{ object: "user", id }] },
      Leads: {
        id: "c",
        type: "rollup",
        rollup: {
          type: "array",
          function: "show_original",
          array: [
            { type: "relation", relation: [{ id }] },
            { type: "people", people: [{ object: "user", id }] },
          ],
        },
      },
    });
    expect(checkPage(ok, "projects").id).toBe(id);
  });

  it.each([
    [
      "a page id that is not a UUID",
      page({}, { id: "'); DROP TABLE x; --" }),
      /^page "'\); DROP TABLE x; --" of "projects" is malformed: id: is not a lower-case UUID$/,
    ],
    [
      "a person id in a show-original rollup",
      page({ Leads: { id: "c", type: "rollup", rollup: { type: "array", array: [{ type: "people", people: [{ object: "user", id: "../users" }] }] } } }),
      /is malformed: properties\.Leads\.rollup\.array\.0\.people\.0\.id: is not a lower-case UUID$/,
    ],
    [
      "a related id in a show-original rollup",
      page({ Leads: { id: "c", type: "rollup", rollup: { type: "array", array: [{ type: "relation", relation: [{ id: "X" }] }] } } }),
      /properties\.Leads\.rollup\.array\.0\.relation\.0\.id: is not a lower-case UUID$/,
    ],
    ["a last_edited_time that is not a time", page({}, { last_edited_time: "zzz" }), /is malformed: last_edited_time: /],
    ["a created_time that is not a time", page({}, { created_time: "2026-13-45" }), /is malformed: created_time: /],
  ])("fails %s, naming the field", (_name, input, message) => {
    expect(() => checkPage(input, "projects")).toThrow(message);
  });
});
