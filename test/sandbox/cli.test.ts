import { spawn, type ChildProcess } from "node:child_process";
import { describe, expect, it } from "vitest";

const TSX = "node_modules/.bin/tsx";

function run(args: string[]): ChildProcess {
  return spawn(TSX, ["src/sandbox/cli.ts", ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

describe("sandbox CLI", () => {
  it("rejects unknown flags and bad values with exit code 2", async () => {
    const unknown = await finished(run(["--bogus"]));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("--bogus");
    const bad = await finished(run(["--fault-rate", "2"]));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--fault-rate");
  });

  it("prints help", async () => {
    const help = await finished(run(["--help"]));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--print-env");
  });

  it("serves until SIGTERM, printing its URL on stderr and the environment on stdout", async () => {
    const child = run(["--print-env", "--port", "0", "--rps", "0", "--seed", "5", "--token", "secret_cli"]);
    const done = finished(child);
    const env = await new Promise<Record<string, string>>((resolve, reject) => {
      let text = "";
      child.stdout?.on("data", (d: Buffer) => {
        text += d.toString();
        const lines = text.split("\n").filter((l) => l.includes("="));
        if (lines.length >= 7) resolve(Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)])));
      });
      child.on("close", () => reject(new Error("the CLI exited before printing its environment")));
    });
    expect(Object.keys(env).sort()).toEqual([
      "NOTION_BASE_URL",
      "NOTION_BUDGET_LINES_DB",
      "NOTION_MILESTONES_DB",
      "NOTION_PROGRAMS_DB",
      "NOTION_PROJECTS_DB",
      "NOTION_RISKS_DB",
      "NOTION_TOKEN",
    ]);
    expect(env["NOTION_TOKEN"]).toBe("secret_cli");
    const res = await fetch(`${env["NOTION_BASE_URL"]}/v1/databases/${env["NOTION_RISKS_DB"]}`, {
      headers: { authorization: "Bearer secret_cli", "notion-version": "2025-09-03" },
    });
    expect(res.status).toBe(200);
    child.kill("SIGTERM");
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`listening on ${env["NOTION_BASE_URL"]}`);
  });
});
