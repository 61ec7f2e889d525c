import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";

type Json = Record<string, any>;
interface Column {
  notion_property: string;
  column_name: string;
  column_type: string;
}

const mapping = parse(readFileSync("config/notion_mapping.yaml", "utf8")) as Record<string, { columns?: Column[] }>;
const MONEY_FUNCTIONS = new Set(["sum", "average", "median", "min", "max", "range"]);

/**
 * Which properties of the seeded workspace hold amounts: numbers formatted as currency, rollups that
 * aggregate an amount, and formulas whose expression reads an amount. Derived from the sandbox's own
 * schemas, so a new amount column in the mapping is held to the rule too.
 */
function amountProperties(sandbox: Sandbox): Set<string> {
  const schemas = Object.fromEntries(Object.entries(sandbox.databases).map(([key, db]) => [key, sandbox.store.dataSource(db.dataSourceId)!]));
  const byDataSource = new Map(Object.values(schemas).map((s) => [s.id as string, s]));
  const out = new Set<string>();
  for (const [key, schema] of Object.entries(schemas)) {
    const props = Object.values(schema.properties as Record<string, Json>);
    const money = new Set(props.filter((p) => p.type === "number" && p.number.format === "dollar").map((p) => p.name as string));
    for (const p of props) {
      const isRollup = p.type === "rollup" && MONEY_FUNCTIONS.has(p.rollup.function);
      const target = isRollup ? byDataSource.get(props.find((r) => r.id === p.rollup.relation_property_id)?.relation.data_source_id) : undefined;
      const rolled = target ? Object.values(target.properties as Record<string, Json>).find((t) => t.id === p.rollup.rollup_property_id) : undefined;
      const rollsMoney = rolled?.type === "number" && rolled.number.format === "dollar";
      const formulaOfMoney =
        p.type === "formula" &&
        [...money].some((name) => String(p.formula.expression).includes(`prop("${name}")`)) &&
        /[-+*/]/.test(p.formula.expression) &&
        !/[<>]/.test(p.formula.expression);
      if (money.has(p.name) || rollsMoney || formulaOfMoney) out.add(`${key}.${p.name as string}`);
    }
  }
  return out;
}

describe("the shipped mapping", () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());

  it("writes amounts, and formulas and rollups over amounts, as DECIMAL(18,2), never DOUBLE", () => {
    const amounts = amountProperties(sandbox);
    // The seed's amounts: budgets, spend, planned and actual, their rollups and differences.
    expect([...amounts].sort()).toEqual(
      [
        "budget_lines.Actual",
        "budget_lines.Planned",
        "budget_lines.Variance",
        "programs.Budget",
        "programs.Planned Total",
        "projects.Actual Total",
        "projects.Budget",
        "projects.Remaining",
        "projects.Spent",
      ].sort(),
    );
    const wrong: string[] = [];
    for (const [key, db] of Object.entries(mapping)) {
      for (const column of db.columns ?? []) {
        if (amounts.has(`${key}.${column.notion_property}`) && column.column_type !== "DECIMAL(18,2)")
          wrong.push(`${key}.${column.column_name} is ${column.column_type}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
