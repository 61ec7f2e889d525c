import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/** docs/walkthrough.md's sandbox block, run as written in bash (in a scratch copy of the paths it writes). */
const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("docs/walkthrough.md", () => {
  it("runs 'against the sandbox' as written", () => {
    const doc = readFileSync(join(ROOT, "docs/walkthrough.md"), "utf8");
    const block = /<!-- walkthrough:sandbox -->\n```bash\n([\s\S]*?)```\n<!-- \/walkthrough:sandbox -->/.exec(doc)?.[1];
    expect(block).toBeDefined();
    const scratch = mkdtempSync(join(tmpdir(), "nds-walkthrough-"));
    try {
      // Its files (sandbox.env, data/) go to a scratch directory; the commands run from the clone.
      const moved = block!
        .replaceAll("./sandbox.env", "sandbox.env")
        .replaceAll("sandbox.env", `${scratch}/sandbox.env`)
        .replaceAll("data/mine", `${scratch}/mine`);
      // On a failure, the sandbox in the background is stopped too.
      const script = `set -eo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\ncd ${JSON.stringify(ROOT)}\n${moved}`;
      const result = spawnSync("bash", ["-c", script], {
        encoding: "utf8",
        timeout: 120_000,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
      });
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/✓ notion token/);
      expect(result.stdout).toMatch(/^true$/m);
      expect(result.stdout).toMatch(/^✓ programs\s+incremental:/m);
      expect(result.stdout).toMatch(/^risks\s+\| success\s+\| \d+/m);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 150_000);
});
