import { spawn } from "node:child_process";
import { processEnvironment } from "../../src/config/index.js";

/**
 * Runs a bench script in its own Node process (through tsx) with exactly the given environment and
 * returns the JSON of its last stdout line. Its stderr passes through, so a failure shows why.
 */
export function runChild<T>(script: string, env: Record<string, string>): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      env: { PATH: processEnvironment().PATH ?? "", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1) ?? "null") as T) : reject(new Error(`${script} exited ${code}`)),
    );
  });
}
