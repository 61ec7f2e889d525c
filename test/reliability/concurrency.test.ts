import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { startCli, type CliExit } from "./support/cli-process.js";
import { compareSilver, duplicates } from "./support/copy-check.js";
import { editPages, seeded } from "./support/edits.js";
import { writeMapping } from "./support/mapping.js";
import { SECRETS, count } from "./support/suite.js";
import { createLogger } from "../../src/observability/logger.js";
import { runSync } from "../../src/pipeline/index.js";
import { syncFixture } from "../support/sync-fixture.js";

/**
 * Two syncs at once, and a workspace edited while a sync runs; the mapping has no lookback, the
 * strictest setting. The commands run on the real clock, as does their sandbox. The last test runs
 * the engine in-process on the sandbox's clock at 60 times real time (a second is a minute), so that
 * edits made during a run fall into many different minutes around the reader's position.
 */
const KEYS = ["programs", "projects", "budget_lines", "milestones", "risks"];
const rng = seeded(777);
const t0 = Date.now();
const clock = () => Date.parse("2026-11-01T10:00:00.000Z") + (Date.now() - t0) * 60;
let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
let mapping: string;
const db = () => join(dir, "warehouse.duckdb");

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 31, scale: 2_000, latencyMs: 2, token: SECRETS.NOTION_TOKEN });
  dir = mkdtempSync(join(tmpdir(), "nds-concurrency-"));
  mapping = writeMapping(join(dir, "mapping.yaml"), { lookback_minutes: 0, batch_size: 100 }, sandbox.env());
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: join(dir, "watermarks"), MAPPING_PATH: mapping, NOTION_RPS: "300", NOTION_BURST: "60" };
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

const LOCK_MESSAGE = /another sync holds the lock: pid \d+ on .+, run .+, since .+, heartbeat .+; wait for it to finish or stop it/;

/** Starts two syncs in the same tick; returns both exits. */
async function twoAtOnce(label: string, args: string[] = []): Promise<CliExit[]> {
  const runs = [startCli(`${label}-a`, ["sync", ...args], env), startCli(`${label}-b`, ["sync", ...args], env)];
  return Promise.all(runs.map((r) => r.exited));
}

/** Runs whose database syncs overlap in time: none may, since only the lock holder writes. */
async function overlappingRuns(): Promise<string[]> {
  const runs = await queryFile(
    db(),
    "SELECT run_id, epoch_ms(min(started_at)) AS s, epoch_ms(max(finished_at)) AS f FROM ppm_meta.sync_runs GROUP BY run_id ORDER BY s",
  );
  const out: string[] = [];
  for (let i = 1; i < runs.length; i += 1)
    if (Number(runs[i]!.s) < Number(runs[i - 1]!.f)) out.push(`${String(runs[i]!.run_id)} started before ${String(runs[i - 1]!.run_id)} finished`);
  return out;
}

describe("two syncs started at the same time", () => {
  it("never both write: one runs, the other exits 1 saying another sync holds the lock", async () => {
    let refused = 0;
    for (let round = 0; round < 4; round += 1) {
      if (round > 0) editPages(sandbox, rng, 300);
      // Round 3 starts from the lock of a sync killed with SIGKILL: one of the two takes it over.
      if (round === 3) expect((await startCli("concurrency-killed", ["sync"], env, { killAt: "merge:1" }).exited).signal).toBe("SIGKILL");
      const exits = await twoAtOnce(`concurrency-pair-${round}`, round === 2 ? ["--full"] : []);
      const codes = exits.map((e) => e.code).sort();
      expect(codes[0], exits.map((e) => e.stderr).join("\n")).toBe(0);
      for (const exit of exits.filter((e) => e.code !== 0)) {
        expect(exit.code).toBe(1);
        expect(exit.stderr).toMatch(LOCK_MESSAGE);
        refused += 1;
      }
      expect(await overlappingRuns()).toEqual([]);
    }
    // Sequential finishes are allowed (never both writing); in practice the second is refused.
    expect(refused).toBeGreaterThanOrEqual(3);
    expect(await compareSilver(sandbox, db(), mapping)).toEqual([]);
    expect(await duplicates(db(), KEYS)).toEqual([]);
  });
});

describe("pages edited while a sync is running", () => {
  it("are in this run or the next, never lost", async () => {
    let edits = 0;
    for (const args of [[], ["--full"]]) {
      editPages(sandbox, rng, 1_200, { trash: false });
      const run = startCli(`concurrency-edits${args.join("")}`, ["sync", ...args], env);
      let running = true;
      void run.exited.finally(() => (running = false));
      const started = edits;
      while (running) {
        edits += editPages(sandbox, rng, 2, { trash: rng() < 0.1 });
        await new Promise((r) => setTimeout(r, 20));
      }
      const first = await run.exited;
      expect(first.code, first.stderr).toBe(0);
      expect(edits - started, "edits made while the sync ran").toBeGreaterThan(50);
      const next = await startCli(`concurrency-next${args.join("")}`, ["sync"], env).exited;
      expect(next.code, next.stderr).toBe(0);
      expect(await compareSilver(sandbox, db(), mapping)).toEqual([]);
      expect(await duplicates(db(), KEYS)).toEqual([]);
    }
    count({ concurrentEdits: edits });
  });
});

describe("pages edited while a sync runs, with the engine on the sandbox's clock", () => {
  it("are never lost with no lookback: the watermark stops at the minute each sync started", async () => {
    // The engine's clock is the sandbox's (60 times real time), so edits made during a run fall in the
    // minutes the reader is reading, behind its cursor as often as ahead of it.
    const fixture = await syncFixture({ seed: 37, scale: 1_500, latencyMs: 25, now: clock });
    try {
      const file = writeMapping(join(fixture.dir, "mapping.yaml"), { lookback_minutes: 0, batch_size: 100 }, fixture.sandbox.env());
      const config = fixture.config({ MAPPING_PATH: file, NOTION_RPS: "300", NOTION_BURST: "60" });
      const local = seeded(4242);
      let edits = 0;
      for (let round = 0; round < 4; round += 1) {
        editPages(fixture.sandbox, local, 400, { trash: false });
        let running = true;
        const run = runSync(
          { config, logger: createLogger({ level: "silent", format: "json" }), now: () => new Date(clock()) },
          round === 3 ? { full: true } : {},
        ).finally(() => (running = false));
        while (running) {
          edits += editPages(fixture.sandbox, local, 3, { trash: local() < 0.1 });
          await new Promise((r) => setTimeout(r, 10));
        }
        expect((await run).ok).toBe(true);
        const next = await runSync({ config, logger: createLogger({ level: "silent", format: "json" }), now: () => new Date(clock()) });
        expect(next.ok).toBe(true);
        expect(await compareSilver(fixture.sandbox, fixture.duckdbPath, file)).toEqual([]);
      }
      expect(edits, "edits made while the syncs ran").toBeGreaterThan(100);
      count({ concurrentEdits: edits });
    } finally {
      await fixture.close();
    }
  });
});
