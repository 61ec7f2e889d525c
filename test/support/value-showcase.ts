/**
 * Adds to a seeded sandbox what the seed lacks to exercise every value rule of the API reference: a
 * rollup of every shape (computed numbers and dates, the functions the property endpoint only lists,
 * "show original" of titles, text, relations and people) over relations past 25 items, a title and a
 * rich text with more than 25 mentions, and a people list past 25. Writes go through the store, as a
 * user in Notion would make them; `columns` are the mapping columns that read the additions.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import type { Sandbox } from "../../src/sandbox/index.js";

type Json = Record<string, any>;
interface Column {
  notion_property: string;
  column_name: string;
  column_type: string;
  extract?: string;
}

const rollup = (relation: string, property: string, fn: string) => ({
  rollup: { relation_property_name: relation, rollup_property_name: property, function: fn },
});

const PROJECT_ROLLUPS: Record<string, [string, string, string]> = {
  "Line Names": ["Budget Lines", "Line", "show_original"],
  "Cost Centers": ["Budget Lines", "Cost Center", "show_original"],
  "Line Projects": ["Budget Lines", "Project", "show_original"],
  "Unique Categories": ["Budget Lines", "Category", "show_unique"],
  "Median Planned": ["Budget Lines", "Planned", "median"],
  "Category Count": ["Budget Lines", "Category", "unique"],
  "Period Range": ["Budget Lines", "Period", "date_range"],
  "Approved Share": ["Budget Lines", "Approved", "percent_checked"],
  "Line Count": ["Budget Lines", "Line", "count"],
};
const PROGRAM_ROLLUPS: Record<string, [string, string, string]> = {
  Managers: ["Projects", "Project Manager", "show_original"],
  "Program Lines": ["Projects", "Budget Lines", "show_original"],
  "Project Names": ["Projects", "Name", "show_original"],
};

export const SHOWCASE_COLUMNS: Record<string, Column[]> = {
  projects: [
    { notion_property: "Line Names", column_name: "line_names", column_type: "ARRAY<STRING>" },
    { notion_property: "Cost Centers", column_name: "cost_centers", column_type: "STRING" },
    { notion_property: "Line Projects", column_name: "line_project_ids", column_type: "ARRAY<STRING>" },
    { notion_property: "Unique Categories", column_name: "unique_categories", column_type: "ARRAY<STRING>" },
    { notion_property: "Median Planned", column_name: "median_planned", column_type: "DECIMAL(18,2)" },
    { notion_property: "Category Count", column_name: "category_count", column_type: "INT" },
    { notion_property: "Period Range", column_name: "period_first", column_type: "DATE" },
    { notion_property: "Period Range", column_name: "period_last", column_type: "DATE", extract: "end" },
    { notion_property: "Approved Share", column_name: "approved_share", column_type: "DOUBLE" },
    { notion_property: "Line Count", column_name: "line_count", column_type: "INT" },
  ],
  programs: [
    { notion_property: "Managers", column_name: "manager_ids", column_type: "ARRAY<STRING>" },
    { notion_property: "Managers", column_name: "manager_emails", column_type: "STRING", extract: "email" },
    { notion_property: "Program Lines", column_name: "program_line_ids", column_type: "ARRAY<STRING>" },
    { notion_property: "Project Names", column_name: "project_names", column_type: "ARRAY<STRING>" },
    { notion_property: "Project Names", column_name: "project_names_text", column_type: "STRING" },
  ],
};

/** Adds the showcase to `sandbox` and returns the page ids it edited. */
export function addValueShowcase(sandbox: Sandbox): { mentionRisk: string; mentionProject: string; crowdRisk: string; crowdedProgram: string } {
  const { store, databases } = sandbox;
  const ds = (key: string) => databases[key]!.dataSourceId;
  const props = (spec: Record<string, [string, string, string]>) =>
    Object.fromEntries(Object.entries(spec).map(([name, [rel, prop, fn]]) => [name, rollup(rel, prop, fn)]));
  store.updateDataSource(ds("projects"), { properties: props(PROJECT_ROLLUPS) });
  store.updateDataSource(ds("programs"), { properties: props(PROGRAM_ROLLUPS) });

  const crowd = Array.from({ length: 30 }, (_, i) => store.addUser(`Showcase Reviewer ${i + 1}`, `showcase${i + 1}@northwind-finance.example`)["id"] as string);
  const [mentionRisk, crowdRisk] = store.pageIds(ds("risks"));
  const mentions = crowd.flatMap((id, i) => [{ mention: { user: { id } } }, { text: { content: i === crowd.length - 1 ? "." : ", " } }]);
  store.updatePage(mentionRisk!, { Mitigation: { rich_text: [{ text: { content: "Sign-off by " } }, ...mentions] } });
  store.updatePage(crowdRisk!, { Owner: { people: crowd.map((id) => ({ id })) } });

  const projects = store.pageIds(ds("projects"));
  const mentionProject = projects[1]!;
  const pageMentions = projects.slice(2, 32).flatMap((id) => [{ mention: { page: { id } } }, { text: { content: " + " } }]);
  store.updatePage(mentionProject, { Name: { title: [{ text: { content: "Depends on " } }, ...pageMentions] } });

  // One program over 30 projects: its rollups past 25 references come from the property endpoint.
  const crowdedProgram = store.pageIds(ds("programs"))[0]!;
  store.updatePage(crowdedProgram, { Projects: { relation: projects.slice(0, 30).map((id) => ({ id })) } });
  return { mentionRisk: mentionRisk!, mentionProject, crowdRisk: crowdRisk!, crowdedProgram };
}

/** The shipped mapping plus the showcase's columns, written to `file`. */
export function writeShowcaseMapping(file: string, base = "config/notion_mapping.yaml"): Record<string, Column[]> {
  const doc = parse(readFileSync(base, "utf8")) as Record<string, Json>;
  for (const [key, columns] of Object.entries(SHOWCASE_COLUMNS)) doc[key]!.columns.push(...columns);
  writeFileSync(file, stringify(doc));
  return Object.fromEntries(
    Object.entries(doc)
      .filter(([k]) => k !== "settings")
      .map(([k, v]) => [k, v.columns as Column[]]),
  );
}
