import { describe, expect, it } from "vitest";
import { dqScore, severityText, SEVERITY_WEIGHT, type DqCheck } from "../../src/quality/index.js";

const check = (severity: DqCheck["severity"], checked: number, failed: number): DqCheck => ({
  databaseKey: "d",
  rule: "required",
  columnName: "c",
  severity,
  checked,
  failed,
});

describe("the DQ score", () => {
  it("is the weighted share of passing (row, rule) pairs, on a hand-computed example", () => {
    // critical: 10 checked, 1 failed (w 4) · high: 20 checked, 2 failed (w 3) · medium: 50 checked, 5 failed (w 2) · low: 100 checked, 0 failed (w 1)
    // weighted checked = 40 + 60 + 100 + 100 = 300; weighted failed = 4 + 6 + 10 + 0 = 20; score = 100 × (1 − 20/300) = 93.33
    expect(dqScore([check("critical", 10, 1), check("high", 20, 2), check("medium", 50, 5), check("low", 100, 0)])).toBe(93.33);
  });

  it("is 100 when nothing fails or nothing was checked, and 0 when everything fails", () => {
    expect(dqScore([check("high", 500, 0)])).toBe(100);
    expect(dqScore([])).toBe(100);
    expect(dqScore([check("low", 3, 3), check("critical", 2, 2)])).toBe(0);
  });

  it("weighs a critical failure more than a low one", () => {
    expect(dqScore([check("critical", 10, 1), check("low", 10, 0)])).toBeLessThan(dqScore([check("critical", 10, 0), check("low", 10, 1)]));
  });

  it("writes severities that sort critical first under ORDER BY severity DESC", () => {
    const texts = (["low", "critical", "medium", "high"] as const).map(severityText);
    expect([...texts].sort().reverse()).toEqual(["4-critical", "3-high", "2-medium", "1-low"]);
    expect(SEVERITY_WEIGHT).toEqual({ critical: 4, high: 3, medium: 2, low: 1 });
  });
});
