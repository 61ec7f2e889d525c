import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { controlRoomStatusTable } from "../../src/quality/index.js";
import type { PlantedProblem } from "../../src/sandbox/index.js";
import { createWarehouse } from "../../src/warehouse/index.js";
import { launchChromium, missingChromium } from "../support/browser.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";
import { startWorkerProcess, until, type WorkerProcess } from "../support/worker-process.js";

/**
 * The Control Room in a real browser: the worker (npm start) syncs the demo's workspace (seed 1, with
 * its planted problems) from the sandbox into DuckDB and checks it; headless Chromium loads GET / and
 * finds every database, the DQ trend chart with its points, the planted problems with links to their
 * pages, a hostile Notion value shown as text, no request leaving 127.0.0.1 and no CSP violation.
 * Screenshots (laptop and phone) go to test/artifacts/.
 */
const ARTIFACTS = join(import.meta.dirname, "..", "artifacts");
const HOSTILE = `<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
const HOUR = 3_600_000;
/** Evaluated in the page (as text: the project's type check has no DOM): scripts, images, and whether anything injected ran. */
const INJECTED = "[document.scripts.length, document.images.length, window.__pwned ?? 0]";
const missing = missingChromium();
if (missing) console.warn(missing);

describe.skipIf(missing !== undefined)("the Control Room page in headless Chromium", () => {
  let fixture: SyncFixture;
  let worker: WorkerProcess;
  let browser: Browser;
  let kpis: { dq_score: number };
  /** Hourly points the trend must draw: the 24 planted below, and the worker's own check. */
  const planted = Array.from({ length: 24 }, (_, i) => ({ at: Date.now() - (6 * 24 - i * 6) * HOUR, score: 95.5 + (i % 5) }));

  beforeAll(async () => {
    fixture = await syncFixture({ seed: 1 });
    const { sandbox } = fixture;
    // A Notion value a check reports in its message: the program's Code breaks its pattern.
    const program = sandbox.store.pageIds(sandbox.databases.programs!.dataSourceId)[0]!;
    sandbox.store.updatePage(program, { Code: { rich_text: [{ text: { content: HOSTILE } }] } });
    // Six days of earlier checks, so that the chart has a week to draw.
    const warehouse = await createWarehouse(fixture.config().warehouse);
    const table = controlRoomStatusTable(fixture.config().mapping.settings);
    await warehouse.sql.ensureTables([table]);
    await warehouse.sql.insertRows(
      table,
      planted.map((p, i) => ({
        checked_at: new Date(p.at).toISOString(),
        dq_score: p.score,
        freshness_minutes: 5,
        databases_total: 5,
        databases_failed: 0,
        issues_total: 10,
        run_id: `earlier-${i}`,
      })),
    );
    await warehouse.close();
    worker = await startWorkerProcess(fixture.env({ SYNC_SCHEDULE: "0 0 1 1 *" }));
    // The planted history gives a score at start already: wait for the worker's own check (nds_dq_issues is set by it only).
    kpis = await until(
      "the first sync and its data-quality check",
      async () => {
        const issues = /^nds_dq_issues (\d+)$/m.exec((await worker.get("/metrics")).body);
        const k = JSON.parse((await worker.get("/api/kpis")).body);
        const synced = Object.values(k.databases).every((d: any) => d.last_status === "success");
        return Number(issues?.[1] ?? 0) > 0 && synced && !k.running ? k : undefined;
      },
      90_000,
      250,
    );
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (worker && worker.child.exitCode === null) {
      worker.child.kill("SIGTERM");
      await worker.exited;
    }
    await fixture?.close();
  });

  /** Opens the page, reloading until the warehouse's part is there (its first read may outlast the page's wait). */
  async function open(viewport: { width: number; height: number }) {
    const context = await browser.newContext({ viewport });
    const requests: string[] = [];
    const problems: string[] = [];
    await context.route("**/*", async (route) => {
      const url = new URL(route.request().url());
      requests.push(url.href);
      if (url.hostname === "127.0.0.1") await route.continue();
      else await route.abort();
    });
    const page = await context.newPage();
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(e.message));
    let bytes = 0;
    await until(
      "the page with the warehouse's part",
      async () => {
        const response = await page.goto(`http://127.0.0.1:${worker.port}/`);
        bytes = (await response!.body()).length;
        return (await page.locator("#dq-trend").count()) > 0;
      },
      30_000,
      500,
    );
    return { page, context, requests, problems, bytes };
  }

  it("shows every database, the DQ score and trend, the planted problems and the runs, fetching nothing beyond 127.0.0.1", async () => {
    const { page, context, requests, problems, bytes } = await open({ width: 1280, height: 900 });
    expect(bytes).toBeLessThan(100 * 1024);
    expect(await page.locator("#databases tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-key")))).toEqual(KEYS);
    for (const key of KEYS) expect(await page.locator(`#databases tr[data-key="${key}"] .badge`).first().textContent(), key).toBe("success");
    expect(await page.locator("#state").textContent()).toBe("OK");
    // It reloads itself (no script: a meta refresh, which the CSP allows).
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute("content")).toBe("30");
    expect(await page.locator("#dq-score").textContent()).toBe(String(kpis.dq_score));

    const chart = page.locator("svg#dq-trend");
    expect(await chart.getAttribute("data-points")).toBe(String(planted.length + 1));
    expect(await chart.locator("circle.pt").count()).toBe(planted.length + 1);
    expect(((await chart.locator("polyline").getAttribute("points")) ?? "").trim().split(/\s+/)).toHaveLength(planted.length + 1);
    expect(await chart.locator("line.threshold").count()).toBe(1);

    await expectPlantedProblems(page, fixture.sandbox.plantedProblems);
    // The hostile value is text on the page; nothing of it ran or became an element.
    expect(await page.locator("#problems").textContent()).toContain(HOSTILE);
    expect(await page.evaluate(INJECTED)).toEqual([0, 0, 0]);
    expect(await page.locator("#runs tbody tr").count()).toBeGreaterThanOrEqual(1);

    expect(requests.filter((u) => new URL(u).hostname !== "127.0.0.1")).toEqual([]);
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(problems).toEqual([]);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "control-room.png"), fullPage: true });
    await context.close();
  });

  it("fits a phone's width: every row a card, nothing wider than the screen, the chart readable", async () => {
    const { page, context, problems } = await open({ width: 390, height: 844 });
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
    expect(await page.locator("#databases thead").isVisible()).toBe(false);
    expect(await page.locator('#databases tr[data-key="budget_lines"]').isVisible()).toBe(true);
    // The chart spans the screen, tall enough to read, its labels at least 10 px high.
    const chart = (await page.locator("svg#dq-trend").boundingBox())!;
    expect(chart.width).toBeLessThanOrEqual(390);
    expect(chart.height).toBeGreaterThanOrEqual(120);
    const label = (await page.locator("svg#dq-trend text.axis").first().boundingBox())!;
    expect(label.height).toBeGreaterThanOrEqual(10);
    expect(problems).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, "control-room-phone.png"), fullPage: true });
    await context.close();
  });
});

async function expectPlantedProblems(page: Page, planted: readonly PlantedProblem[]): Promise<void> {
  expect(planted.length).toBeGreaterThanOrEqual(10);
  for (const p of planted) {
    const row = page.locator(`#problems tr[data-page-id="${p.pageId}"][data-rule="${p.rule}"][data-column="${p.column}"][data-database="${p.database}"]`);
    expect(await row.count(), `${p.database} ${p.column} ${p.rule} (${p.note})`).toBe(1);
    expect(await row.locator("a").getAttribute("href")).toBe(`https://www.notion.so/${p.pageId.replace(/-/g, "")}`);
  }
}
