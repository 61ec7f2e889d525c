import type { PageRecord, PropertySchema } from "../model/types.js";
import { idsOf } from "../model/values.js";
import type { Workspace } from "./workspace.js";

/** Marks a page as edited now by `by` (minute-rounded). */
export function touch(page: PageRecord, at: number, by: string): void {
  page.lastEditedTime = at;
  page.lastEditedBy = by;
}

/**
 * Sets a relation value and keeps the synced property of a dual relation in step:
 * related pages gain or lose this page on their side, and count as edited.
 */
export function setRelation(ws: Workspace, page: PageRecord, prop: PropertySchema, next: string[], at: number, by: string): void {
  const previous = idsOf(page.values[prop.id]);
  page.values[prop.id] = next;
  const syncedId = prop.relation?.syncedPropertyId;
  if (!syncedId) return;
  const before = new Set(previous);
  const after = new Set(next);
  // The other side changes too, and is an edit of that page (Notion sends it its own event).
  const edited = (target: PageRecord) => {
    touch(target, at, by);
    const ds = ws.dataSourceOf(target);
    ws.changed({
      kind: "page.properties_updated",
      pageId: target.id,
      dataSourceId: ds.id,
      databaseId: ds.databaseId,
      at: ws.now(),
      by,
      properties: [syncedId],
    });
  };
  for (const id of previous) {
    if (after.has(id)) continue;
    const target = ws.pages.get(id);
    if (!target) continue;
    target.values[syncedId] = idsOf(target.values[syncedId]).filter((other) => other !== page.id);
    edited(target);
  }
  for (const id of next) {
    if (before.has(id)) continue;
    const target = ws.pages.get(id);
    if (!target) continue;
    const theirs = idsOf(target.values[syncedId]);
    if (!theirs.includes(page.id)) target.values[syncedId] = [...theirs, page.id];
    edited(target);
  }
}
