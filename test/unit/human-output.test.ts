import { describe, expect, it } from "vitest";
import { printable } from "../../src/cli/cli-support.js";
import { dqSummary } from "../../src/cli/dq-command.js";
import { summaryLine } from "../../src/cli/sync-command.js";
import type { DqResult } from "../../src/quality/index.js";

/** Values from Notion in lines people read: one value stays on its line and moves no cursor. */
const HOSTILE = "Risks\n✓ everything: fine\u001b[2J\u0007\u2028end";

describe("human output", () => {
  it("escapes control characters, line and paragraph separators, and nothing else", () => {
    expect(printable(HOSTILE)).toBe("Risks\\n✓ everything: fine\\u001b[2J\\u0007\\u2028end");
    expect(printable("Café ✓ — 42 % \"quoted\" 'x'")).toBe("Café ✓ — 42 % \"quoted\" 'x'");
  });

  it("keeps a data-quality message with page values on one line", () => {
    const result = {
      score: 90,
      threshold: 95,
      freshnessMinutes: 3,
      checks: [],
      issuesTotal: 1,
      issues: [{ databaseKey: "risks", pageId: "p1", columnName: "title", rule: "invalid", severity: "high", message: `title = ${HOSTILE}` }],
    } as unknown as DqResult;
    const lines = dqSummary(result).split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe("    - high invalid risks p1: title = Risks\\n✓ everything: fine\\u001b[2J\\u0007\\u2028end");
  });

  it("keeps a database's error on its line under the summary", () => {
    const at = new Date("2026-12-01T00:00:00.000Z");
    const line = summaryLine({
      runId: "r",
      databaseKey: "risks",
      mode: "full",
      status: "failed",
      startedAt: at,
      finishedAt: at,
      pagesRead: 0,
      rowsUpserted: 0,
      bronzeVersions: 0,
      rowsQuarantined: 0,
      notionRequests: 1,
      watermark: null,
      error: `page of "${HOSTILE}"`,
      errorCode: "notion_bad_response",
    });
    expect(line.split("\n")).toHaveLength(2);
    expect(line).not.toContain("\u001b");
  });
});
