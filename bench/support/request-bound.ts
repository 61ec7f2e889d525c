import type { Sandbox } from "../../src/sandbox/index.js";
import type { ExpectedPages } from "./verify-copy.js";

/** A property value as the sandbox renders it, as far as the bound needs it. */
type Value = { type: string; has_more?: boolean; relation?: unknown[]; rollup?: { type?: string; array?: unknown[] } };

const PAGE_SIZE = 100;
const pagesOf = (items: number) => Math.max(1, Math.ceil(items / PAGE_SIZE));

/**
 * The fewest requests a full read of `keys` needs, from the sandbox's own data (not the engine's
 * code): per database, its live pages in query pages of 100, one query of the trash, and the
 * two schema reads (database, then data source); the users list once when a mapping column needs
 * names or emails; and for every page whose page object truncates a relation (`has_more`), that
 * relation's items and those of each rollup over it, 100 per request.
 */
export function minimumRequests(
  sandbox: Sandbox,
  keys: readonly string[],
  needsUsers: boolean,
): { total: number; queries: number; relationItems: number; fixed: number } {
  let queries = 0;
  let relationItems = 0;
  let fixed = needsUsers ? pagesOf(sandbox.store.users().length) : 0;
  for (const key of keys) {
    const id = sandbox.databases[key]!.dataSourceId;
    const live = sandbox.store.pageIds(id).length;
    queries += Math.ceil(live / PAGE_SIZE);
    fixed += 1 + 2;
    relationItems += completionRequests(sandbox, id);
  }
  return { total: queries + relationItems + fixed, queries, relationItems, fixed };
}

function completionRequests(sandbox: Sandbox, dataSourceId: string): number {
  const schema = (sandbox.store.dataSource(dataSourceId)?.properties ?? {}) as Record<string, { type: string; rollup?: { relation_property_name?: string } }>;
  const truncated = sandbox.store.listPages(dataSourceId, { truncated: true });
  const complete = new Map(sandbox.store.listPages(dataSourceId).map((p) => [p.id as string, p]));
  let requests = 0;
  for (const page of truncated) {
    const shown = page.properties as Record<string, Value>;
    const full = complete.get(page.id as string)!.properties as Record<string, Value>;
    const cut = new Set(
      Object.entries(shown)
        .filter(([, v]) => v.type === "relation" && v.has_more === true)
        .map(([name]) => name),
    );
    if (cut.size === 0) continue;
    for (const name of cut) requests += pagesOf(full[name]?.relation?.length ?? 0);
    for (const [name, property] of Object.entries(schema)) {
      const over = property.rollup?.relation_property_name;
      if (property.type !== "rollup" || over === undefined || !cut.has(over)) continue;
      const rollup = full[name]?.rollup;
      requests += pagesOf(rollup?.type === "array" ? (rollup.array?.length ?? 0) : (full[over]?.relation?.length ?? 0));
    }
  }
  return requests;
}

/**
 * The sandbox's pages of each database, what its copy must hold: live and trashed ids, and every
 * page's last_edited_time (read from the workspace's records: rendering 100,000 pages would be slow).
 */
export function expectedPages(sandbox: Sandbox, keys: readonly string[]): ExpectedPages[] {
  return keys.map((databaseKey) => {
    const id = sandbox.databases[databaseKey]!.dataSourceId;
    const records = sandbox.store.workspace.dataSourceOrThrow(id).pages;
    return {
      databaseKey,
      live: records.filter((p) => !p.inTrash).map((p) => p.id),
      trashed: records.filter((p) => p.inTrash).map((p) => p.id),
      lastEditedMs: new Map(records.map((p) => [p.id, p.lastEditedTime])),
    };
  });
}

/**
 * The fewest requests of the dependent refresh after `lines` changed, from the sandbox's data: each
 * related project is read once by id, and a project whose page object cuts its Budget Lines relation
 * (past 25) has that relation and its rollup over it read from the property endpoint, 100 per request.
 */
export function dependentMinimum(sandbox: Sandbox, lines: readonly string[]): { pages: number; requests: number } {
  const { store } = sandbox;
  const projects = new Set(
    lines.flatMap((id) =>
      ((store.getPage(id) as { properties: Record<string, { relation?: { id: string }[] }> }).properties["Project"]?.relation ?? []).map((r) => r.id),
    ),
  );
  let requests = 0;
  for (const id of projects) {
    const related = ((store.getPage(id) as { properties: Record<string, { relation?: unknown[] }> }).properties["Budget Lines"]?.relation ?? []).length;
    requests += 1 + (related > 25 ? 2 * Math.ceil(related / 100) : 0);
  }
  return { pages: projects.size, requests };
}
