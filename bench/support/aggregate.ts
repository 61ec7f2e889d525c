import type { Measurement, ScenarioResult } from "../bench-types.js";

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function medians(records: readonly Record<string, number>[]): { value: Record<string, number>; range: Record<string, [number, number]> } {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const value: Record<string, number> = {};
  const range: Record<string, [number, number]> = {};
  for (const key of keys) {
    const values = records.map((r) => r[key]).filter((v): v is number => v !== undefined);
    // An even count's median is a mean of two rounded figures: rounded again to their precision.
    const digits = Math.max(...values.map((v) => (String(v).split(".")[1] ?? "").length));
    value[key] = Number(median(values).toFixed(digits));
    if (values.length > 1) range[key] = [Math.min(...values), Math.max(...values)];
  }
  return { value, range };
}

/**
 * The repetitions of one scenario as reported: per name, the median of each figure and bound with
 * the range of the figures, and the target judged on the medians. A figure measured in fewer runs
 * (work done once per bench run) has the median of those.
 */
export function aggregate(repetitions: readonly (readonly Measurement[])[]): ScenarioResult[] {
  const names = [...new Set(repetitions.flatMap((r) => r.map((m) => m.name)))];
  return names.map((name) => {
    const runs = repetitions.flatMap((r) => r.filter((m) => m.name === name));
    const figures = medians(runs.map((m) => m.figures));
    const bound = medians(runs.map((m) => m.bound)).value;
    const last = runs.at(-1)!;
    return {
      name,
      runs: runs.length,
      figures: figures.value,
      range: figures.range,
      bound,
      target_met: last.judge(figures.value, bound),
      ...(last.notes ? { notes: last.notes } : {}),
    };
  });
}
