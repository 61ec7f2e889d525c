import { loadConfig } from "../../src/config/index.js";
import { startSandbox } from "../../src/sandbox/index.js";
import { createTransformer, type NotionPage } from "../../src/transform/index.js";
import { round } from "../support/figures.js";

/**
 * The transform alone (page JSON → validated bronze + silver rows, hashes included) on one core,
 * over the sandbox's project, budget-line and risk pages: the richest rows of the shipped mapping.
 * CPU time of this process, so other load on the machine slows the wall clock but not the figure.
 */
export async function measureTransform(quick: boolean): Promise<{ pages: number; cpuSeconds: number; pagesPerSecondPerCore: number }> {
  const sandbox = await startSandbox({ seed: 1, scale: quick ? 5_000 : 20_000 });
  const config = loadConfig({ env: { ...sandbox.env() }, requireToken: false });
  const users = new Map(
    sandbox.store.users().map((u) => [String(u.id), { name: u.name as string, email: ((u.person as { email?: string }) ?? {}).email ?? null }]),
  );
  const directory = { get: (id: string) => users.get(id) };
  const work: { transform: (p: NotionPage) => unknown; pages: NotionPage[] }[] = [];
  for (const key of ["budget_lines", "projects", "risks"]) {
    const database = config.mapping.databases.find((d) => d.key === key)!;
    const pages = sandbox.store.listPages(sandbox.databases[key]!.dataSourceId, { truncated: true }) as unknown as NotionPage[];
    const transformer = createTransformer(database, "null", directory);
    work.push({ transform: (p) => transformer.transform(p), pages });
  }
  await sandbox.close();
  const total = work.reduce((n, w) => n + w.pages.length, 0);
  for (const w of work) for (const p of w.pages.slice(0, 200)) w.transform(p); // warm-up
  const rounds = quick ? 2 : 5;
  const started = process.cpuUsage();
  for (let r = 0; r < rounds; r += 1) for (const w of work) for (const p of w.pages) w.transform(p);
  const cpu = process.cpuUsage(started);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { pages: total * rounds, cpuSeconds: round(cpuSeconds, 3), pagesPerSecondPerCore: Math.round((total * rounds) / cpuSeconds) };
}
