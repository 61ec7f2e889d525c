import { execFileSync } from "node:child_process";
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
      expect(result.stderr).toMatch(/✓ budget_lines\s+full: 400 pages read, 400 rows upserted/);
      expect(result.stderr).toMatch(/✓ budget_lines\s+incremental: \d+ pages read, 3 rows upserted/);
      // The three edited lines' projects are re-read in the same run: their rollups are right at once.
      expect(result.stderr).toMatch(/dependent refresh after budget_lines: 3 pages of projects re-read/);
      expect(result.stderr).toMatch(/rollups: every project's actual_total equals the sum of its live budget lines \((\d+) of \1\)/);
      expect(result.stderr).toMatch(/score 99\.\d+ \(threshold 95\); 10 problems/);
      expect(result.stderr).toContain("2-medium invalid projects 08bd1f02-3de9-4893-987a-97e606563241: budget = -25000.00 failed min");
      expect(result.stderr).toContain("3-high orphan milestones 623bfe9f-901f-4735-b949-5bc25ce378ab");
      expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("not the demo's");
      expect(result.stderr).toContain(`DuckDB file: ${join(dir, "warehouse.duckdb")}`);
      // The "Try it yourself" command is one a shell runs as printed: two arguments, the file and the query.
      const command = /^ {2}(duckdb .*)$/m.exec(result.stderr)![1]!;
      const args = execFileSync("sh", ["-c", `duckdb() { printf '%s\\0' "$@"; }; ${command}`], { encoding: "utf8" })
        .split("\0")
        .slice(0, -1);
      expect(args).toHaveLength(2);
      expect(args[0]).toBe(join(dir, "warehouse.duckdb"));
      // The query arrives as the demo ran it, its quoted identifiers included.
      expect(args[1]).toContain('FROM "ppm_silver"."projects"');
      expect(await queryFile(args[0]!, args[1]!)).toHaveLength(5);
      // Money is exact: amounts and rollups over them are DECIMAL(18,2), never a binary double's tail.
      expect(result.stderr).toMatch(/"actual_total":\d+(\.\d{1,2})?[,}]/);
      expect(result.stderr).not.toMatch(/"(budget|actual_total)":-?\d+\.\d{3,}/);
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
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
