import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { queryFile } from "../support/duckdb-file.js";

describe("npm run demo", () => {
  it("runs with no environment at all: two syncs, the edits picked up incrementally, a report", async () => {
    // A space in the path: the printed command must still hand the shell the file as one argument.
    const dir = mkdtempSync(join(tmpdir(), "nds demo-"));
    writeFileSync(join(dir, "notes.txt"), "not the demo's");
    try {
      const result = await runCli(["demo", "--dir", dir], {}, 120_000);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/✓ budget_lines\s+full: 400 pages read, 400 rows upserted/);
      expect(result.stdout).toMatch(/✓ budget_lines\s+incremental: \d+ pages read, 3 rows upserted/);
      // The three edited lines' projects are re-read in the same run: their rollups are right at once.
      expect(result.stdout).toMatch(/dependent refresh after budget_lines: 3 pages of projects re-read/);
      expect(result.stdout).toMatch(/rollups: every project's actual_total equals the sum of its live budget lines \((\d+) of \1\)/);
      expect(result.stdout).toMatch(/score 99\.\d+ \(threshold 95\); 10 problems/);
      expect(result.stdout).toContain("2-medium invalid projects 08bd1f02-3de9-4893-987a-97e606563241: budget = -25000.00 failed min");
      expect(result.stdout).toContain("3-high orphan milestones 623bfe9f-901f-4735-b949-5bc25ce378ab");
      expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("not the demo's");
      expect(result.stdout).toContain(`DuckDB file: ${join(dir, "warehouse.duckdb")}`);
      // Money is exact: amounts and rollups over them are DECIMAL(18,2), never a binary double's tail.
      expect(result.stdout).toMatch(/"actual_total":\d+(\.\d{1,2})?[,}]/);
      expect(result.stdout).not.toMatch(/"(budget|actual_total)":-?\d+\.\d{3,}/);
      const [risks] = await queryFile(
        join(dir, "warehouse.duckdb"),
        "SELECT count(*) FILTER (WHERE _is_deleted) AS deleted, count(*) AS total FROM ppm_silver.risks",
      );
      expect(risks).toEqual({ deleted: 1n, total: 100n });
      const [milestone] = await queryFile(
        join(dir, "warehouse.duckdb"),
        "SELECT name, CAST(due_date AS VARCHAR) AS due FROM ppm_silver.milestones WHERE name = 'Demo go-live'",
      );
      expect(milestone).toEqual({ name: "Demo go-live", due: "2026-12-15" });
      // The query the demo suggests runs as printed, with nothing else installed (it suggested a `duckdb` that nothing installs).
      // Single-quoted for the shell: the directory's name holds a space, the query double-quoted identifiers.
      const suggested = /^ {2}(DUCKDB_PATH='[^'\n]+' npx notion-delta-sync sql '[^'\n]+')$/m.exec(result.stdout)?.[1];
      expect(suggested, result.stdout).toBeDefined();
      const tried = spawnSync("bash", ["-c", suggested!], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } });
      expect(tried.status, tried.stderr).toBe(0);
      expect(tried.stdout).toMatch(/^name +\| status +\| budget/);
      expect(tried.stdout).toContain("(5 rows)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
