import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { SECRET_ENV, capture } from "./suite.js";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const KILL_POINTS = fileURLToPath(new URL("./kill-points.mjs", import.meta.url));

export interface CliExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<CliExit>;
  stderr(): string;
  kill(): void;
}

/**
 * The real command (`node bin/notion-delta-sync.mjs …`, what `npm run sync` runs) as a child process,
 * with the suite's secrets in its environment and its output kept for the secret scan. With
 * `killAt` (e.g. `merge:3`), the kill-points preload SIGKILLs it at that point.
 */
export function startCli(
  label: string,
  args: readonly string[],
  env: Record<string, string>,
  options: { killAt?: string; timeoutMs?: number } = {},
): CliProcess {
  const preload = options.killAt ? ["--import", KILL_POINTS] : [];
  const child = spawn(process.execPath, [...preload, "bin/notion-delta-sync.mjs", ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_LEVEL: "warn",
      ...SECRET_ENV,
      ...env,
      ...(options.killAt ? { NDS_KILL_AT: options.killAt } : {}),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 180_000);
  const exited = new Promise<CliExit>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      capture(label, `$ ${args.join(" ")}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, exited, stderr: () => stderr, kill: () => child.kill("SIGKILL") };
}

/** Runs the command to its end. */
export function runCommand(label: string, args: readonly string[], env: Record<string, string>, timeoutMs?: number): Promise<CliExit> {
  return startCli(label, args, env, timeoutMs === undefined ? {} : { timeoutMs }).exited;
}
