import { describe, expect, it } from "vitest";
import { parseMapping } from "../../src/config/index.js";
import type { DataSourceSchema, SchemaProperty } from "../../src/notion/index.js";
import { dependentLink, type MappedSchema } from "../../src/pipeline/dependent-links.js";

/** Two databases as the mapping and Notion's schemas describe them: projects (A) and budget lines (B). */
const mapping = parseMapping(
  [
    "projects:",
    '  database_id: "842a0286cef046a8abbaeac4c8ca644e"',
    "  columns:",
    '    - { notion_property: "Lines", column_name: line_ids, column_type: "ARRAY<STRING>" }',
    '    - { notion_property: "Total", column_name: total, column_type: "DECIMAL(18,2)" }',
    '    - { notion_property: "Remaining", column_name: remaining, column_type: "DECIMAL(18,2)" }',
    "lines:",
    '  database_id: "942a0286cef046a8abbaeac4c8ca644e"',
    "  columns:",
    '    - { notion_property: "Project", column_name: project_id, column_type: "STRING" }',
    '    - { notion_property: "Owner Project", column_name: owner_project, column_type: "STRING" }',
  ].join("\n"),
  "m.yaml",
  {},
);
const [projects, lines] = mapping.databases as [(typeof mapping.databases)[0], (typeof mapping.databases)[0]];

function schema(dataSourceId: string, properties: Record<string, SchemaProperty>): DataSourceSchema {
  return { databaseId: `db-${dataSourceId}`, dataSourceId, title: dataSourceId, properties: new Map(Object.entries(properties)) };
}

const linesSchema = schema("ds-lines", {
  Project: { id: "prj", type: "relation", relation: { dataSourceId: "ds-projects", syncedPropertyId: "lns" } },
  "Owner Project": { id: "own", type: "relation", relation: { dataSourceId: "ds-projects", syncedPropertyId: undefined } },
});
const B: MappedSchema = { database: lines, schema: linesSchema, knownIds: {} };

function projectsWith(total: SchemaProperty, remaining: SchemaProperty): MappedSchema {
  return {
    database: projects,
    knownIds: {},
    schema: schema("ds-projects", {
      Lines: { id: "lns", type: "relation", relation: { dataSourceId: "ds-lines", syncedPropertyId: "prj" } },
      Total: total,
      Remaining: remaining,
      Budget: { id: "bud", type: "number" },
    }),
  };
}

describe("which databases a change reaches (dependent refresh planning)", () => {
  it("links a rollup through a relation to the changed database, by the ids on both sides of that relation", () => {
    const link = dependentLink(
      B,
      projectsWith({ id: "tot", type: "rollup", rollupRelationId: "lns" }, { id: "rem", type: "formula", expression: 'prop("Budget") - 1' }),
    );
    expect(link?.dependentColumns.map((c) => c.name)).toEqual(["line_ids"]);
    // The one-way "Owner Project" relation is invisible to projects' values: not used.
    expect(link?.changedColumns.map((c) => c.name)).toEqual(["project_id"]);
  });

  it("leaves a database alone whose formulas read only its own properties and that has no rollup over the relation", () => {
    expect(dependentLink(B, projectsWith({ id: "tot", type: "number" }, { id: "rem", type: "formula", expression: 'prop("Budget") - 1' }))).toBeUndefined();
  });

  it("links a formula that names the relation, by name or by id, or names a rollup through it, transitively", () => {
    const viaName = projectsWith({ id: "tot", type: "number" }, { id: "rem", type: "formula", expression: 'prop("Lines").length()' });
    expect(dependentLink(B, viaName)).toBeDefined();
    const viaId = projectsWith({ id: "tot", type: "number" }, { id: "rem", type: "formula", expression: "{{notion:block_property:lns:00000000}} * 2" });
    expect(dependentLink(B, viaId)).toBeDefined();
    const chained = projectsWith({ id: "tot", type: "formula", expression: 'prop("Hidden") + 1' }, { id: "rem", type: "number" });
    const withHidden = {
      ...chained,
      schema: { ...chained.schema, properties: new Map([...chained.schema.properties, ["Hidden", { id: "hid", type: "rollup", rollupRelationId: "lns" }]]) },
    };
    expect(dependentLink(B, withHidden)).toBeDefined();
    const opaque = projectsWith({ id: "tot", type: "number" }, { id: "rem", type: "formula" });
    expect(dependentLink(B, opaque)).toBeDefined();
  });

  it("never links a database to itself", () => {
    const self = projectsWith({ id: "tot", type: "rollup", rollupRelationId: "lns" }, { id: "rem", type: "number" });
    expect(dependentLink(self, self)).toBeUndefined();
  });
});
