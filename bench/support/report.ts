import type { ScenarioResult } from "../bench-types.js";

/** The results as one markdown table: each scenario's figures beside its bounds and targets. */
export function markdownTable(results: readonly ScenarioResult[]): string {
  const fmt = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
  const lines = ["| scenario | figures | bound / target | met |", "| --- | --- | --- | --- |"];
  for (const r of results) lines.push(`| ${r.name} | ${fmt(r.figures)} | ${fmt(r.bound)} | ${r.target_met ? "yes" : "no"} |`);
  return `${lines.join("\n")}\n`;
}
