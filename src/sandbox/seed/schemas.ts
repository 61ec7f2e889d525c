import { propertyIdFrom, safeDecode, uuidFrom } from "../core/ids.js";
import { rngStream, type Rng } from "../core/rng.js";
import type { DataSourceRecord, FormulaConfig, PropertySchema, PropertyType, RollupFunction, SelectOption, StatusGroup } from "../model/types.js";

/** The five seeded databases, in creation order. */
export const DATABASE_KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"] as const;
export type DatabaseKey = (typeof DATABASE_KEYS)[number];

const TITLES: Record<DatabaseKey, string> = {
  programs: "Programs", projects: "Projects", budget_lines: "Budget Lines", milestones: "Milestones", risks: "Risks",
};

type Spec = [name: string, type: PropertyType, extra?: Partial<PropertySchema> & { opts?: Array<[string, string]> }];
type StatusSpec = { groups: Array<[group: string, color: string, options: Array<[string, string]>]> };

const PROGRAM_STATUS: StatusSpec = { groups: [["To-do", "gray", [["Planning", "gray"]]], ["In progress", "blue", [["Active", "green"], ["On Hold", "yellow"]]], ["Complete", "green", [["Closed", "default"]]]] };
const PROJECT_STATUS: StatusSpec = { groups: [["To-do", "gray", [["Not started", "default"]]], ["In progress", "blue", [["In progress", "blue"], ["Blocked", "red"]]], ["Complete", "green", [["Done", "green"]]]] };
const MILESTONE_STATUS: StatusSpec = { groups: [["To-do", "gray", [["Not started", "default"]]], ["In progress", "blue", [["In progress", "blue"]]], ["Complete", "green", [["Done", "green"]]]] };

/** Property specs per database (relations, rollups and formulas are wired by name in `wire`). */
const SPECS: Record<DatabaseKey, Array<Spec | [string, "status", StatusSpec]>> = {
  programs: [
    ["Name", "title"], ["Code", "rich_text"], ["Status", "status", PROGRAM_STATUS], ["Owner", "people"], ["Timeline", "date"],
    ["Budget", "number", { numberFormat: "dollar" }], ["Strategic", "checkbox"],
    ["Tags", "multi_select", { opts: [["Finance", "blue"], ["IT", "purple"], ["Compliance", "red"], ["Growth", "green"], ["Efficiency", "yellow"], ["Risk", "orange"], ["ESG", "brown"]] }],
    ["Projects", "relation"], ["Planned Total", "rollup"], ["Latest Due", "rollup"], ["Project Statuses", "rollup"],
    ["Program ID", "unique_id", { prefix: "PRG" }],
  ],
  projects: [
    ["Name", "title"], ["Program", "relation"], ["Status", "status", PROJECT_STATUS],
    ["Priority", "select", { opts: [["P0", "red"], ["P1", "orange"], ["P2", "yellow"], ["P3", "gray"]] }],
    ["Project Manager", "people"], ["Kickoff", "date"], ["Due", "date"], ["Budget", "number", { numberFormat: "dollar" }],
    ["Spent", "number", { numberFormat: "dollar" }], ["Complete", "number", { numberFormat: "percent" }], ["Budget Lines", "relation"],
    ["Remaining", "formula"], ["Over Budget", "formula"], ["Health", "formula"], ["Next Review", "formula"], ["Actual Total", "rollup"],
    ["Docs", "url"], ["Contact", "email"], ["Phone", "phone_number"], ["Attachments", "files"],
    ["Project Code", "unique_id", { prefix: "PRJ" }], ["Created By", "created_by"], ["Last Edited By", "last_edited_by"],
  ],
  budget_lines: [
    ["Line", "title"], ["Project", "relation"],
    ["Category", "select", { opts: [["Labour", "blue"], ["Software", "purple"], ["Hardware", "gray"], ["Services", "green"], ["Travel", "orange"], ["Other", "default"]] }],
    ["Fiscal Year", "number", { numberFormat: "number" }], ["Planned", "number", { numberFormat: "dollar" }], ["Actual", "number", { numberFormat: "dollar" }],
    ["Approved", "checkbox"], ["Cost Center", "rich_text"], ["Period", "date"], ["Variance", "formula"], ["Line No", "unique_id", { prefix: "BL" }],
  ],
  milestones: [
    ["Milestone", "title"], ["Project", "relation"], ["Due", "date"], ["Completed On", "date"], ["Status", "status", MILESTONE_STATUS],
    ["Owner", "people"], ["Done", "checkbox"], ["Days Late", "formula"],
  ],
  risks: [
    ["Risk", "title"], ["Project", "relation"],
    ["Severity", "select", { opts: [["Low", "green"], ["Medium", "yellow"], ["High", "orange"], ["Critical", "red"]] }],
    ["Likelihood", "number", { numberFormat: "number" }], ["Impact", "number", { numberFormat: "number" }], ["Score", "formula"],
    ["Mitigation", "rich_text"],
    ["Tags", "multi_select", { opts: [["Vendor", "orange"], ["Schedule", "yellow"], ["Budget", "red"], ["Compliance", "purple"], ["Technology", "blue"], ["People", "pink"], ["Data", "gray"]] }],
    ["Owner", "people"], ["Review Date", "date"], ["Open", "checkbox"], ["Risk ID", "unique_id", { prefix: "RSK" }],
    ["Identified", "created_time"], ["Last Updated", "last_edited_time"],
  ],
};

/** Finds a property id by name; the seed's own schemas always have it. */
export function pid(ds: DataSourceRecord, name: string): string {
  const found = ds.properties.find((p) => p.name === name);
  if (!found) throw new Error(`seed schema ${ds.key} has no property "${name}"`);
  return found.id;
}

/** Option id of `name` in property `name` of `ds`. */
export function optionId(ds: DataSourceRecord, prop: string, name: string): string {
  const found = ds.properties.find((p) => p.name === prop)?.options?.find((o) => o.name === name);
  if (!found) throw new Error(`seed schema ${ds.key}.${prop} has no option "${name}"`);
  return found.id;
}

function buildProperty(rng: Rng, optionRng: Rng, taken: Set<string>, spec: Spec | [string, "status", StatusSpec]): PropertySchema {
  const [name, type, extra] = spec;
  const id = type === "title" ? "title" : propertyIdFrom(rng, taken);
  taken.add(safeDecode(id));
  const prop: PropertySchema = { id, name, type, description: null };
  if (type === "status") {
    const status = extra as StatusSpec;
    prop.options = [];
    prop.groups = status.groups.map(([group, color, options]): StatusGroup => {
      const made = options.map(([n, c]): SelectOption => ({ id: uuidFrom(optionRng), name: n, color: c, description: null }));
      prop.options?.push(...made);
      return { id: uuidFrom(optionRng), name: group, color, option_ids: made.map((o) => o.id) };
    });
    return prop;
  }
  const { opts, ...rest } = (extra ?? {});
  Object.assign(prop, rest);
  if (opts) prop.options = opts.map(([n, c]) => ({ id: uuidFrom(optionRng), name: n, color: c, description: null }));
  return prop;
}

/** Creates the five data sources with their schemas (no pages yet). Times and creators are set by the caller. */
export function buildSchemas(seed: number, creatorId: string, createdTime: number): Record<DatabaseKey, DataSourceRecord> {
  const idRng = rngStream(seed, "ids:databases");
  const optionRng = rngStream(seed, "ids:options");
  const out = {} as Record<DatabaseKey, DataSourceRecord>;
  for (const key of DATABASE_KEYS) {
    const propRng = rngStream(seed, `ids:props:${key}`);
    const taken = new Set<string>();
    const databaseId = uuidFrom(idRng);
    out[key] = {
      id: uuidFrom(idRng), databaseId, key, envVar: `NOTION_${key.toUpperCase()}_DB`, title: TITLES[key],
      createdTime, lastEditedTime: createdTime, createdBy: creatorId, lastEditedBy: creatorId,
      properties: SPECS[key].map((spec) => buildProperty(propRng, optionRng, taken, spec)), pages: [],
    };
  }
  wire(out);
  return out;
}

function prop(ds: DataSourceRecord, name: string): PropertySchema {
  const found = ds.properties.find((p) => p.name === name);
  if (!found) throw new Error(`seed schema ${ds.key} has no property "${name}"`);
  return found;
}

function dual(a: DataSourceRecord, aProp: string, b: DataSourceRecord, bProp: string): void {
  prop(a, aProp).relation = { dataSourceId: b.id, syncedPropertyId: pid(b, bProp) };
  prop(b, bProp).relation = { dataSourceId: a.id, syncedPropertyId: pid(a, aProp) };
}

function rollup(ds: DataSourceRecord, name: string, relation: string, target: DataSourceRecord, targetProp: string, fn: RollupFunction): void {
  prop(ds, name).rollup = { fn, relationPropertyId: pid(ds, relation), rollupPropertyId: pid(target, targetProp) };
}

function formula(ds: DataSourceRecord, name: string, kind: FormulaConfig["kind"], refs: string[], param?: number): void {
  prop(ds, name).formula = { kind, refs: refs.map((r) => pid(ds, r)), ...(param === undefined ? {} : { param }) };
}

function wire(s: Record<DatabaseKey, DataSourceRecord>): void {
  dual(s.programs, "Projects", s.projects, "Program");
  dual(s.projects, "Budget Lines", s.budget_lines, "Project");
  prop(s.milestones, "Project").relation = { dataSourceId: s.projects.id, syncedPropertyId: null };
  prop(s.risks, "Project").relation = { dataSourceId: s.projects.id, syncedPropertyId: null };
  rollup(s.programs, "Planned Total", "Projects", s.projects, "Budget", "sum");
  rollup(s.programs, "Latest Due", "Projects", s.projects, "Due", "latest_date");
  rollup(s.programs, "Project Statuses", "Projects", s.projects, "Status", "show_original");
  rollup(s.projects, "Actual Total", "Budget Lines", s.budget_lines, "Actual", "sum");
  formula(s.projects, "Remaining", "difference", ["Budget", "Spent"]);
  formula(s.projects, "Over Budget", "greater", ["Spent", "Budget"]);
  formula(s.projects, "Health", "health", ["Status", "Spent", "Budget"]);
  formula(s.projects, "Next Review", "minus_days", ["Due"], 14);
  formula(s.budget_lines, "Variance", "difference", ["Planned", "Actual"]);
  formula(s.milestones, "Days Late", "days_late", ["Completed On", "Due"]);
  formula(s.risks, "Score", "product", ["Likelihood", "Impact"]);
}
