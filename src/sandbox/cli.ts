/**
 * `npm run sandbox -- [--port N] [--token T] [--seed N] [--scale N] [--rps R] [--fault-rate F]
 *   [--latency-ms M] [--result-limit N] [--print-env]`: serves the seeded workspace until SIGINT/SIGTERM.
 * The base URL goes to stderr; `--print-env` prints KEY=value lines on stdout.
 */
import { parseArgs } from "node:util";
import { startSandbox } from "./start.js";
import type { Sandbox, SandboxOptions } from "./types.js";

const HELP = `Usage: npm run sandbox -- [options]

Starts a local Notion-API-compatible server (API version 2025-09-03) with a seeded finance PPM workspace.

Options:
  --port N           TCP port on 127.0.0.1 (default 0: any free port)
  --token T          bearer token to accept (default secret_sandbox)
  --seed N           workspace seed (default 1); the same seed gives the same ids and data
  --scale N          number of budget lines (default 400)
  --rps R            requests per second per token, 0 = unlimited (default 3)
  --fault-rate F     share of requests answered by a random 5xx/529 or a dropped connection, 0..1 (default 0)
  --latency-ms M     delay added to every request (default 0)
  --result-limit N   per-query result cap (default 10000)
  --print-env        print NOTION_BASE_URL, NOTION_TOKEN and NOTION_<KEY>_DB lines on stdout
  -h, --help         show this help
`;

class UsageError extends Error {
  override readonly name = "UsageError";
}

function numberFlag(values: Record<string, string | boolean | undefined>, flag: string, min: number, max = Number.POSITIVE_INFINITY): number | undefined {
  const raw = values[flag];
  if (raw === undefined || typeof raw === "boolean") return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${flag} must be a number within ${min}..${max === Number.POSITIVE_INFINITY ? "∞" : max}, got "${raw}"`);
  }
  return n;
}

function parse(argv: string[]): { options: SandboxOptions; printEnv: boolean; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        token: { type: "string" },
        seed: { type: "string" },
        scale: { type: "string" },
        rps: { type: "string" },
        "fault-rate": { type: "string" },
        "latency-ms": { type: "string" },
        "result-limit": { type: "string" },
        "print-env": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(error.message);
    throw error;
  }
  const v = parsed.values;
  const options: SandboxOptions = { rps: 3 };
  const set = <K extends keyof SandboxOptions>(key: K, value: SandboxOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set("port", numberFlag(v, "port", 0, 65535));
  set("seed", numberFlag(v, "seed", 0));
  set("scale", numberFlag(v, "scale", 0));
  set("rps", numberFlag(v, "rps", 0));
  set("faultRate", numberFlag(v, "fault-rate", 0, 1));
  set("latencyMs", numberFlag(v, "latency-ms", 0));
  set("resultLimit", numberFlag(v, "result-limit", 1));
  if (typeof v.token === "string") {
    if (v.token === "") throw new UsageError("--token must not be empty");
    options.token = v.token;
  }
  return { options, printEnv: v["print-env"] === true, help: v.help === true };
}

async function main(): Promise<void> {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`notion-sandbox: ${error.message}\nRun with --help for usage.\n`);
    process.exitCode = 2;
    return;
  }
  if (args.help) {
    process.stdout.write(HELP);
    return;
  }
  const sandbox: Sandbox = await startSandbox(args.options);
  process.stderr.write(`notion-sandbox listening on ${sandbox.url} (seed ${args.options.seed ?? 1}, rps ${args.options.rps ?? 3})\n`);
  if (args.printEnv) {
    for (const [key, value] of Object.entries(sandbox.env())) process.stdout.write(`${key}=${value}\n`);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.stderr.write(`notion-sandbox: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`notion-sandbox: ${signal} received, closing\n`);
    sandbox.close().then(
      () => {
        process.exitCode = 0;
      },
      (error: unknown) => {
        process.stderr.write(`notion-sandbox: close failed: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`notion-sandbox: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
