import { describe, expect, it } from "vitest";
import { DATABASE_KEYS, startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { clientFor, queryAll, testClock } from "./support.js";

async function snapshot(sandbox: Sandbox): Promise<string> {
  const notion = clientFor(sandbox);
  const parts: unknown[] = [sandbox.databases, sandbox.store.users()];
  for (const key of DATABASE_KEYS) {
    const ds = sandbox.databases[key]!.dataSourceId;
    parts.push(await notion.dataSources.retrieve({ data_source_id: ds }));
    parts.push((await queryAll(notion, { data_source_id: ds, sorts: [{ timestamp: "created_time", direction: "ascending" }] })).pages);
    parts.push(sandbox.store.listPages(ds, { includeTrashed: true }));
  }
  return JSON.stringify(parts);
}

describe("determinism", () => {
  it("two sandboxes with the same seed serve identical JSON for every data source", async () => {
    const clock = testClock();
    const [a, b] = await Promise.all([startSandbox({ seed: 42, now: clock.now }), startSandbox({ seed: 42, now: clock.now })]);
    try {
      const [sa, sb] = [await snapshot(a), await snapshot(b)];
      expect(sa.length).toBeGreaterThan(100_000);
      expect(sa === sb).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("a different seed gives different ids and data; scale only grows budget lines", async () => {
    const [one, two, grown] = await Promise.all([startSandbox({ seed: 1 }), startSandbox({ seed: 2 }), startSandbox({ seed: 1, scale: 900 })]);
    try {
      expect(one.databases.projects!.databaseId).not.toBe(two.databases.projects!.databaseId);
      expect(one.store.pageIds(one.databases.projects!.dataSourceId)).not.toEqual(two.store.pageIds(two.databases.projects!.dataSourceId));
      expect(grown.store.pageIds(grown.databases.budget_lines!.dataSourceId)).toHaveLength(900);
      for (const key of ["programs", "milestones", "risks"]) {
        expect(grown.store.listPages(grown.databases[key]!.dataSourceId)).toEqual(one.store.listPages(one.databases[key]!.dataSourceId));
      }
      expect(grown.plantedProblems).toEqual(one.plantedProblems);
    } finally {
      await Promise.all([one.close(), two.close(), grown.close()]);
    }
  });
});
