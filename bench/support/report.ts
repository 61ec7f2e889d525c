import type { ScenarioResult } from "../bench-types.js";

/** The results as one markdown table: each figure's median (with its min–max when it varied) beside the bounds. */
export function markdownTable(results: readonly ScenarioResult[]): string {
  const figure = (r: ScenarioResult, k: string, v: number) => {
    const range = r.range[k];
    return range && range[0] !== range[1] ? `${k}=${v} (${range[0]}–${range[1]})` : `${k}=${v}`;
  };
  const lines = ["| scenario | runs | figures: median (min–max) | bound / target | met |", "| --- | --- | --- | --- | --- |"];
  for (const r of results) {
    const figures = Object.entries(r.figures)
      .map(([k, v]) => figure(r, k, v))
      .join(", ");
    const bound = Object.entries(r.bound)
      .map(([k, v]) => `${k}=${v}`)
      .join(", ");
    lines.push(`| ${r.name} | ${r.runs} | ${figures} | ${bound} | ${r.target_met ? "yes" : "no"} |`);
  }
  return `${lines.join("\n")}\n`;
}
