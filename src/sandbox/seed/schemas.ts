import { propertyIdFrom, safeDecode, uuidFrom } from "../core/ids.js";
import { rngStream, type Rng } from "../core/rng.js";
import type { DataSourceRecord, FormulaConfig, PropertySchema, RollupFunction, SelectOption, StatusGroup } from "../model/types.js";
import { DATABASE_KEYS, SPECS, TITLES, type DatabaseKey, type Spec, type StatusSpec } from "./schema-specs.js";

export { DATABASE_KEYS, type DatabaseKey } from "./schema-specs.js";

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
  const { opts, ...rest } = extra ?? {};
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
      id: uuidFrom(idRng),
      databaseId,
      key,
      envVar: `NOTION_${key.toUpperCase()}_DB`,
      title: TITLES[key],
      createdTime,
      lastEditedTime: createdTime,
      createdBy: creatorId,
      lastEditedBy: creatorId,
      properties: SPECS[key].map((spec) => buildProperty(propRng, optionRng, taken, spec)),
      pages: [],
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
