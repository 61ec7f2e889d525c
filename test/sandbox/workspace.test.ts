import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PLANTED_PROBLEMS, plantedProblems, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { plain } from "./support.js";

/** The property types the brief fixes for the seeded workspace. */
const EXPECTED: Record<string, Record<string, string>> = {
  programs: {
    Name: "title",
    Code: "rich_text",
    Status: "status",
    Owner: "people",
    Timeline: "date",
    Budget: "number",
    Strategic: "checkbox",
    Tags: "multi_select",
    Projects: "relation",
    "Planned Total": "rollup",
    "Latest Due": "rollup",
    "Project Statuses": "rollup",
    "Program ID": "unique_id",
  },
  projects: {
    Name: "title",
    Program: "relation",
    Status: "status",
    Priority: "select",
    "Project Manager": "people",
    Kickoff: "date",
    Due: "date",
    Budget: "number",
    Spent: "number",
    Complete: "number",
    "Budget Lines": "relation",
    Remaining: "formula",
    "Over Budget": "formula",
    Health: "formula",
    "Next Review": "formula",
    "Actual Total": "rollup",
    Docs: "url",
    Contact: "email",
    Phone: "phone_number",
    Attachments: "files",
    "Project Code": "unique_id",
    "Created By": "created_by",
    "Last Edited By": "last_edited_by",
  },
  budget_lines: {
    Line: "title",
    Project: "relation",
    Category: "select",
    "Fiscal Year": "number",
    Planned: "number",
    Actual: "number",
    Approved: "checkbox",
    "Cost Center": "rich_text",
    Period: "date",
    Variance: "formula",
    "Line No": "unique_id",
  },
  milestones: {
    Milestone: "title",
    Project: "relation",
    Due: "date",
    "Completed On": "date",
    Status: "status",
    Owner: "people",
    Done: "checkbox",
    "Days Late": "formula",
  },
  risks: {
    Risk: "title",
    Project: "relation",
    Severity: "select",
    Likelihood: "number",
    Impact: "number",
    Score: "formula",
    Mitigation: "rich_text",
    Tags: "multi_select",
    Owner: "people",
    "Review Date": "date",
    Open: "checkbox",
    "Risk ID": "unique_id",
    Identified: "created_time",
    "Last Updated": "last_edited_time",
  },
};

type Page = Record<string, unknown> & { id: string; in_trash: boolean; properties: Record<string, Record<string, unknown>> };

describe("the seeded finance PPM workspace", () => {
  let sandbox: Sandbox;
  const pages = (key: string, includeTrashed = false) => sandbox.store.listPages(sandbox.databases[key]!.dataSourceId, { includeTrashed }) as Page[];
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it("has exactly the schema of the brief, and every property the mapping reads", () => {
    const mapping = parse(readFileSync("config/notion_mapping.yaml", "utf8")) as Record<string, { columns?: Array<{ notion_property: string }> }>;
    for (const [key, expected] of Object.entries(EXPECTED)) {
      const ds = sandbox.store.dataSource(sandbox.databases[key]!.dataSourceId) as { properties: Record<string, { type: string }> };
      const actual = Object.fromEntries(Object.entries(ds.properties).map(([name, p]) => [name, p.type]));
      expect(actual, key).toEqual(expected);
      for (const column of mapping[key]?.columns ?? []) expect(Object.keys(actual), `${key}.${column.notion_property}`).toContain(column.notion_property);
    }
    expect(Object.keys(sandbox.databases).sort()).toEqual(
      Object.keys(mapping)
        .filter((k) => k !== "settings")
        .sort(),
    );
  });

  it("has realistic sizes: 8 programs, 40 live projects, 400 budget lines, 120 milestones, 100 risks", () => {
    expect(pages("programs")).toHaveLength(8);
    expect(pages("projects")).toHaveLength(40);
    expect(pages("projects", true)).toHaveLength(41);
    expect(pages("budget_lines")).toHaveLength(400);
    expect(pages("milestones")).toHaveLength(120);
    expect(pages("risks")).toHaveLength(100);
  });

  it("has several projects with more than 25 budget lines and one with exactly 60", () => {
    const counts = pages("projects").map((p) => (p.properties["Budget Lines"]!["relation"] as unknown[]).length);
    expect(counts.filter((c) => c > 25).length).toBeGreaterThanOrEqual(3);
    expect(counts).toContain(60);
  });

  it("keeps dual relations in step on both sides", () => {
    const lines = new Map(pages("budget_lines", true).map((l) => [l.id, l]));
    for (const project of pages("projects", true)) {
      for (const { id } of project.properties["Budget Lines"]!["relation"] as Array<{ id: string }>) {
        expect((lines.get(id)!.properties["Project"]!["relation"] as Array<{ id: string }>).map((r) => r.id)).toContain(project.id);
      }
    }
  });

  it("has kickoffs with a time and UTC offset, timelines with ranges, mixed file kinds and multi-segment rich text", () => {
    const projects = pages("projects");
    const kickoff = projects[0]!.properties["Kickoff"]!["date"] as { start: string };
    expect(kickoff.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000(Z|[+-]\d{2}:\d{2})$/);
    const timeline = pages("programs")[0]!.properties["Timeline"]!["date"] as { start: string; end: string };
    expect(timeline.end > timeline.start).toBe(true);
    const kinds = new Set(projects.flatMap((p) => (p.properties["Attachments"]!["files"] as Array<{ type: string }>).map((f) => f.type)));
    expect([...kinds].sort()).toEqual(["external", "file"]);
    const mitigation = pages("risks")
      .map((r) => r.properties["Mitigation"]!["rich_text"] as Array<{ type: string; href: string | null; annotations: { bold: boolean } }>)
      .find((m) => m.length > 1)!;
    expect(mitigation.some((s) => s.type === "mention")).toBe(true);
    expect(mitigation.some((s) => s.href !== null && s.annotations.bold)).toBe(true);
  });

  it("has empty values: null numbers, empty rich text, no people, null dates", () => {
    const projects = pages("projects");
    expect(projects.some((p) => p.properties["Spent"]!["number"] === null)).toBe(true);
    expect(pages("risks").some((r) => (r.properties["Mitigation"]!["rich_text"] as unknown[]).length === 0)).toBe(true);
    expect(pages("risks").some((r) => (r.properties["Owner"]!["people"] as unknown[]).length === 0)).toBe(true);
    expect(pages("milestones").some((m) => m.properties["Completed On"]!["date"] === null)).toBe(true);
  });

  it("plants the listed data-quality problems", () => {
    expect(PLANTED_PROBLEMS).toEqual(plantedProblems(1));
    expect(sandbox.plantedProblems).toEqual(PLANTED_PROBLEMS);
    const byId = new Map(Object.keys(EXPECTED).flatMap((k) => pages(k, true).map((p) => [p.id, p] as const)));
    const get = (rule: string, column: string) => byId.get(PLANTED_PROBLEMS.find((p) => p.rule === rule && p.column === column)!.pageId)!;
    expect(plain(get("required", "name"), "Name")).toBe("");
    expect(get("invalid", "budget").properties["Budget"]!["number"]).toBeLessThan(0);
    expect(get("required", "project_id").properties["Project"]!["relation"]).toEqual([]);
    expect(get("invalid", "planned_amount").properties["Planned"]!["number"]).toBeLessThan(0);
    expect(plain(get("invalid", "cost_center"), "Cost Center")).not.toMatch(/^CC-[0-9]{4}$/);
    const orphanTargets = PLANTED_PROBLEMS.filter((p) => p.rule === "orphan").map(
      (p) => (byId.get(p.pageId)!.properties["Project"]!["relation"] as Array<{ id: string }>)[0]!.id,
    );
    expect(orphanTargets.map((id) => byId.get(id)?.in_trash ?? "missing").sort()).toEqual(["missing", true].sort());
    const codes = pages("programs").map((p) => plain(p, "Code"));
    expect(new Set(codes).size).toBe(codes.length - 1);
  });
});
