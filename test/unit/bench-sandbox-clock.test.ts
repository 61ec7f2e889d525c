import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxProcess, type SandboxProcess } from "../../bench/support/sandbox-process.js";

/**
 * The benchmark's sandbox process runs on a clock the harness sets: a simulated day (scenario 9) must
 * see Notion stamp its edits and date its answers in simulated time, or every page edited "half an
 * hour earlier" is still inside its minute by Notion's clock and a quiet run cannot prove it unchanged.
 */
let sandbox: SandboxProcess;
beforeAll(async () => {
  sandbox = await startSandboxProcess({ scale: 20 });
});
afterAll(() => sandbox.close());

describe("the bench sandbox's clock", () => {
  it("stamps edits and dates answers with the time the harness set, and runs on from it", async () => {
    const at = Date.UTC(2031, 2, 4, 9, 30, 12);
    await sandbox.setTime(at);
    const [id] = await sandbox.changePages("budget_lines", 1, "Planned", 7);
    const { NOTION_BASE_URL: base, NOTION_TOKEN: token } = sandbox.env();
    const answer = await fetch(`${base}/v1/pages/${id}`, { headers: { authorization: `Bearer ${token}`, "notion-version": "2025-09-03" } });
    const page = (await answer.json()) as { last_edited_time: string };
    expect(page.last_edited_time).toBe("2031-03-04T09:30:00.000Z");
    const date = Date.parse(answer.headers.get("date")!);
    expect(date).toBeGreaterThanOrEqual(at - 1_000);
    expect(date).toBeLessThan(at + 60_000);
  });
});
