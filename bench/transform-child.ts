/**
 * The transform alone (page JSON → validated bronze + silver rows, hashes included) in a process of
 * its own, on one core: the project, budget-line and risk pages exactly as the sandbox process serves
 * them (read over HTTP before the clock starts), transformed several times over. CPU time of this
 * process, so other load slows the wall clock, not the figure; the machine's calibration loop is
 * timed here too, just before, so the throughput can also be given per calibration unit.
 */
import { loadConfig, processEnvironment } from "../src/config/index.js";
import { createTransformer, type NotionPage } from "../src/transform/index.js";
import { calibrate } from "./support/calibration.js";

export interface TransformResult {
  pages: number;
  cpuSeconds: number;
  pagesPerSecondPerCore: number;
  calibrationMs: number;
}

const KEYS = ["budget_lines", "projects", "risks"];
const env = processEnvironment();
const sources = JSON.parse(env.BENCH_SOURCES ?? "{}") as Record<string, string>;
const rounds = Number(env.BENCH_ROUNDS ?? "5");
const config = loadConfig({ env, requireToken: false });

interface List {
  results: Record<string, unknown>[];
  has_more: boolean;
  next_cursor: string | null;
}

async function api(path: string, body?: object): Promise<List> {
  const response = await fetch(`${env.NOTION_BASE_URL}/v1${path}`, {
    method: body ? "POST" : "GET",
    headers: { authorization: `Bearer ${env.NOTION_TOKEN}`, "notion-version": "2025-09-03", "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as List;
}

async function all(read: (cursor: string | undefined) => Promise<List>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const list = await read(cursor);
    out.push(...list.results);
    cursor = list.has_more && list.next_cursor ? list.next_cursor : undefined;
  } while (cursor);
  return out;
}

const users = new Map(
  (await all((c) => api(`/users?page_size=100${c ? `&start_cursor=${c}` : ""}`))).map((u) => [
    String(u.id),
    { name: (u.name as string | null) ?? null, email: (u.person as { email?: string } | undefined)?.email ?? null },
  ]),
);
const directory = { get: (id: string) => users.get(id) };
const work: { transform: (p: NotionPage) => unknown; pages: NotionPage[] }[] = [];
for (const key of KEYS) {
  const database = config.mapping.databases.find((d) => d.key === key)!;
  const pages = (await all((c) =>
    api(`/data_sources/${sources[key]}/query`, { page_size: 100, ...(c ? { start_cursor: c } : {}) }),
  )) as unknown as NotionPage[];
  const transformer = createTransformer(database, "null", directory);
  work.push({ transform: (p) => transformer.transform(p), pages });
}
const total = work.reduce((n, w) => n + w.pages.length, 0);
for (const w of work) for (const p of w.pages.slice(0, 200)) w.transform(p); // warm-up
const calibrationMs = calibrate();
const started = process.cpuUsage();
for (let r = 0; r < rounds; r += 1) for (const w of work) for (const p of w.pages) w.transform(p);
const cpu = process.cpuUsage(started);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const result: TransformResult = { pages: total * rounds, cpuSeconds, pagesPerSecondPerCore: (total * rounds) / cpuSeconds, calibrationMs };
process.stdout.write(`${JSON.stringify(result)}\n`);
