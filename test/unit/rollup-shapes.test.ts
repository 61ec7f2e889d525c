import { describe, expect, it } from "vitest";
import { parseMapping } from "../../src/config/index.js";
import { NotionError } from "../../src/notion/index.js";
import type { PropertyItemsAnswer } from "../../src/notion/answers.js";
import { pageValueOf, rollupFromItems } from "../../src/notion/property-items.js";
import { createTransformer, EMPTY_DIRECTORY } from "../../src/transform/index.js";
import { page, segment, v } from "../support/notion-values.js";

const columns = (spec: string) => parseMapping(`t:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n${spec}`, "t.yaml", {}).databases[0]!;
const col = (prop: string, name: string, type: string) => `    - { notion_property: "${prop}", column_name: ${name}, column_type: "${type}" }\n`;
const user = (id: string) => ({ object: "user", id });
const list = (results: PropertyItemsAnswer["results"], rollup: Record<string, unknown>): PropertyItemsAnswer => ({
  results,
  has_more: false,
  next_cursor: null,
  property_item: { type: "rollup", rollup },
});
const item = (type: string, value: unknown) => ({ object: "property_item", id: "r", type, [type]: value });

describe("show-original rollups as page objects hold them (one value per related page)", () => {
  it("flattens people and relations into ids, joins texts, and writes no violation", () => {
    const database = columns(col("P", "p", "ARRAY<STRING>") + col("P", "p_text", "STRING") + col("R", "r", "ARRAY<STRING>") + col("T", "t", "ARRAY<STRING>"));
    const array = (items: unknown[]) => v.rollup({ type: "array", array: items, function: "show_original" });
    const result = createTransformer(database, "quarantine", EMPTY_DIRECTORY).transform(
      page({
        P: array([
          { type: "people", people: [user("u1"), user("u2")] },
          { type: "people", people: [user("u3")] },
        ]),
        R: array([
          { type: "relation", relation: [{ id: "a" }, { id: "b" }] },
          { type: "relation", relation: [] },
        ]),
        T: array([
          { type: "title", title: [segment("Alpha "), segment("one")] },
          { type: "title", title: [segment("Beta")] },
        ]),
      }),
    );
    expect(result.violations).toEqual([]);
    expect(result.silver?.values).toEqual({ p: ["u1", "u2", "u3"], p_text: "u1, u2, u3", r: ["a", "b"], t: ["Alpha one", "Beta"] });
  });
});

describe("rollups from the property endpoint", () => {
  const value = v.rollup({ type: "number", number: 1 });

  it("rebuilds a show-original array from the flattened items (one element each)", () => {
    const out = rollupFromItems(
      value,
      list([item("people", user("u1")), item("relation", { id: "p1" }), item("title", segment("X")), item("number", 3)], {
        type: "array",
        array: [],
        function: "show_original",
      }),
      "w",
    );
    expect(out["rollup"]).toEqual({
      type: "array",
      function: "show_original",
      array: [
        { type: "people", people: [user("u1")] },
        { type: "relation", relation: [{ id: "p1" }] },
        { type: "title", title: [segment("X")] },
        { type: "number", number: 3 },
      ],
    });
    expect(pageValueOf(item("rich_text", segment("y")))).toEqual({ type: "rich_text", rich_text: [segment("y")] });
  });

  it("computes median and unique, which the endpoint lists instead of computing", () => {
    const numbers = [5, 1, 4, 2].map((n) => item("number", n));
    expect(rollupFromItems(value, list(numbers, { type: "array", array: [], function: "median" }), "w")["rollup"]).toEqual({
      type: "number",
      number: 3,
      function: "median",
    });
    const options = ["a", "b", "a", null].map((name) => item("select", name === null ? null : { id: name, name, color: "red" }));
    expect(rollupFromItems(value, list(options, { type: "array", array: [], function: "unique" }), "w")["rollup"]).toEqual({
      type: "number",
      number: 2,
      function: "unique",
    });
  });

  it("takes a computed value as is, and fails rather than keep a rollup still incomplete after the last answer", () => {
    expect(
      rollupFromItems(value, list([], { type: "date", date: { start: "2026-01-01", end: null, time_zone: null }, function: "latest_date" }), "w")["rollup"],
    ).toMatchObject({ type: "date" });
    expect(() => rollupFromItems(value, list([], { type: "incomplete", incomplete: {}, function: "sum" }), "p rollup")).toThrow(NotionError);
    expect(() => rollupFromItems(value, { results: [], has_more: false, next_cursor: null }, "p rollup")).toThrow(/no rollup value/);
  });
});
