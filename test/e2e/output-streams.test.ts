import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../support/cli.js";
import { syncFixture, type SyncFixture } from "../support/sync-fixture.js";

/**
 * Output that pipes (issue 19): results and --help on stdout, logs on stderr, `--json` alone on
 * stdout; readable logs on a terminal, JSON lines otherwise, never colour codes into a file.
 */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TOKEN = "secret_streams_P4x9";
const ESC = "\u001b";
let fixture: SyncFixture;

beforeAll(async () => {
  fixture = await syncFixture({ seed: 3, token: TOKEN });
});
afterAll(() => fixture.close());

/** A shell command line with only the given environment (PATH and HOME added), as a user's terminal runs it. */
function shell(line: string, env: Record<string, string>, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-o", "pipefail", "-c", line], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("output that pipes", () => {
  it("pipes `sync --json` through the package's bin into a JSON parser", async () => {
    const parse = `node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); process.stdout.write(String(r.ok))'`;
    const result = await shell(`npx notion-delta-sync sync --json | ${parse}`, { ...fixture.env(), LOG_LEVEL: "info" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("true");
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("prints a sync's summary on stdout and its logs on stderr", async () => {
    const result = await runCli(["sync"], { ...fixture.env(), LOG_LEVEL: "info" });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.map((l) => l.slice(0, 16))).toEqual(["✓ programs      ", "✓ projects      ", "✓ budget_lines  ", "✓ milestones    ", "✓ risks         "]);
    // Not a TTY: the logs are JSON lines, all of them on stderr.
    const logs = result.stderr.trimEnd().split("\n");
    expect(logs.length).toBeGreaterThan(5);
    for (const line of logs) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
  });

  it("puts nothing but the JSON on stdout with --json; the summary goes to stderr", async () => {
    const result = await runCli(["sync", "--json"], { ...fixture.env(), LOG_LEVEL: "info" });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as { ok: boolean }).ok).toBe(true);
    expect(result.stderr).toMatch(/✓ risks\s+incremental:/);
  });

  it("prints `watermarks show` and every --help on stdout", async () => {
    const shown = await runCli(["watermarks", "show"], fixture.env());
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^programs\s+file: \d{4}-\d\d-\d\dT/m);
    const commands = [[], ["sync"], ["verify"], ["dq"], ["watermarks"], ["start"], ["demo"], ["sql"]];
    const helps = await Promise.all(commands.map((command) => runCli([...command, "--help"], {})));
    for (const [i, help] of helps.entries()) {
      expect(help.code, `${commands[i]!.join(" ")} --help: ${help.stderr}`).toBe(0);
      expect(help.stdout, `${commands[i]!.join(" ")} --help`).toMatch(/^Usage: /);
    }
  });

  it("writes readable log lines without colour codes into a file with LOG_FORMAT=pretty", async () => {
    const file = join(fixture.dir, "pretty.log");
    const result = await shell(`npx notion-delta-sync sync 2> ${file}`, { ...fixture.env(), LOG_LEVEL: "info", LOG_FORMAT: "pretty" });
    expect(result.code).toBe(0);
    const log = readFileSync(file, "utf8");
    expect(log).not.toContain(ESC);
    expect(log).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}run started /m);
    expect(log).toMatch(/ INFO {2}database sync finished .*databaseKey=risks status=success /);
    expect(log).not.toContain('{"level"');
  });

  it("logs readable, coloured lines by default when stderr is a terminal", async () => {
    // script(1) gives the command a terminal; everything it prints comes back on script's stdout.
    const result = await shell(`script -qec "node bin/notion-delta-sync.mjs sync" /dev/null`, { ...fixture.env(), LOG_LEVEL: "info" });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toContain(`${ESC}[32mINFO ${ESC}[0m run started`);
    expect(result.stdout).not.toContain('{"level"');
  });
});
