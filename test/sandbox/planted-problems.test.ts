import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { plantedProblems, startSandbox, type PlantedProblem, type Sandbox } from "../../src/sandbox/index.js";

interface Column {
  notion_property: string;
  column_name: string;
  required?: boolean;
  unique?: boolean;
  references?: string;
  min?: number;
  max?: number;
  pattern?: string;
  values?: string[];
  extract?: string;
}
type Value = { type: string } & Record<string, unknown>;
type Page = { id: string; in_trash: boolean; properties: Record<string, Value> };

const mapping = parse(readFileSync("config/notion_mapping.yaml", "utf8")) as Record<string, { columns?: Column[] }>;

/** The default-extract value of a property as the mapping describes it (null when empty). */
function extract(v: Value): string | number | string[] | null {
  const x = v[v.type];
  switch (v.type) {
    case "title":
    case "rich_text": {
      const text = (x as Array<{ plain_text: string }>).map((t) => t.plain_text).join("");
      return text === "" ? null : text;
    }
    case "number":
      return x as number | null;
    case "select":
    case "status":
      return (x as { name: string } | null)?.name ?? null;
    case "relation":
      return (x as Array<{ id: string }>).map((r) => r.id);
    case "unique_id": {
      const u = x as { prefix: string | null; number: number };
      return `${u.prefix}-${u.number}`;
    }
    case "date":
      return (x as { start: string } | null)?.start ?? null;
    default:
      return null;
  }
}

/** A miniature data-quality checker driven by the mapping's rules. */
function findProblems(sandbox: Sandbox): PlantedProblem[] {
  const live = new Map<string, Set<string>>();
  const pages: Record<string, Page[]> = {};
  for (const key of Object.keys(sandbox.databases)) {
    pages[key] = sandbox.store.listPages(sandbox.databases[key]!.dataSourceId) as Page[];
    live.set(key, new Set(pages[key].map((p) => p.id)));
  }
  const out: PlantedProblem[] = [];
  for (const [key, db] of Object.entries(mapping)) {
    if (key === "settings") continue;
    for (const col of db.columns ?? []) {
      if (col.extract) continue;
      const seen = new Set<string>();
      for (const page of pages[key] ?? []) {
        const value = extract(page.properties[col.notion_property]!);
        const add = (rule: PlantedProblem["rule"]) => out.push({ database: key, pageId: page.id, column: col.column_name, rule, note: "" });
        const empty = value === null || (Array.isArray(value) && value.length === 0);
        if (empty) {
          if (col.required) add("required");
          continue;
        }
        if (col.references && Array.isArray(value) && value.some((id) => !live.get(col.references!)!.has(id))) add("orphan");
        if (typeof value === "number" && ((col.min !== undefined && value < col.min) || (col.max !== undefined && value > col.max))) add("invalid");
        if (typeof value === "string" && col.pattern && !new RegExp(col.pattern).test(value)) add("invalid");
        if (typeof value === "string" && col.values && !col.values.includes(value)) add("invalid");
        if (col.unique && typeof value === "string") {
          if (seen.has(value)) add("duplicate");
          seen.add(value);
        }
      }
    }
  }
  return out;
}

const key = (p: PlantedProblem) => `${p.database}/${p.pageId}/${p.column}/${p.rule}`;

describe("planted data-quality problems", () => {
  it.each([1, 2, 3])("seed %i: the mapping's rules find exactly the planted problems", async (seed) => {
    const sandbox = await startSandbox({ seed });
    try {
      const found = findProblems(sandbox).map(key).sort();
      expect(found).toEqual(sandbox.plantedProblems.map(key).sort());
      expect(sandbox.plantedProblems).toEqual(plantedProblems(seed));
      expect(new Set(sandbox.plantedProblems.map((p) => p.rule))).toEqual(new Set(["invalid", "required", "orphan", "duplicate"]));
    } finally {
      await sandbox.close();
    }
  });
});
