import { compactId } from "../core/ids.js";
import { iso } from "../core/time.js";
import type { PageRecord, PropertySchema } from "../model/types.js";
import { textOf } from "../model/values.js";
import type { Workspace } from "../store/workspace.js";
import { partialUser } from "./users.js";
import { propertyValue } from "./values.js";
import type { PageAnswer } from "./wire-types.js";

/** Notion-Version values the sandbox understands; they only change a few shapes. */
export const API_VERSIONS = ["2022-06-28", "2025-09-03", "2026-03-11"] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

export interface PageRenderOptions {
  version: ApiVersion;
  /** true: as the API shows pages (25-item truncation, rollups over 25); false: complete values (the test oracle). */
  truncate: boolean;
  /** Only these properties (from `filter_properties`); all when undefined. */
  only?: ReadonlySet<string>;
}

/** The page object for `page` in the given API version. */
export function renderPage(ws: Workspace, page: PageRecord, options: PageRenderOptions): PageAnswer {
  const ds = ws.dataSourceOf(page);
  const properties: PageAnswer["properties"] = {};
  for (const prop of ds.properties) {
    if (options.only && !options.only.has(prop.id)) continue;
    properties[prop.name] = propertyValue(ws, ds, page, prop, options.truncate);
  }
  const parent: PageAnswer["parent"] =
    options.version === "2022-06-28"
      ? { type: "database_id", database_id: ds.databaseId }
      : { type: "data_source_id", data_source_id: ds.id, database_id: ds.databaseId };
  const trash = options.version === "2026-03-11" ? { in_trash: page.inTrash } : { in_trash: page.inTrash, archived: page.inTrash };
  return {
    object: "page",
    id: page.id,
    created_time: iso(page.createdTime),
    last_edited_time: iso(page.lastEditedTime),
    created_by: partialUser(page.createdBy),
    last_edited_by: partialUser(page.lastEditedBy),
    // Icons and covers are stored as the API request gave them, in response form.
    cover: (page.cover ?? null) as PageAnswer["cover"],
    icon: (page.icon ?? null) as PageAnswer["icon"],
    parent,
    ...trash,
    is_archived: false,
    is_locked: false,
    properties,
    url: pageUrl(page, ds.properties),
    public_url: null,
  };
}

function pageUrl(page: PageRecord, props: PropertySchema[]): string {
  const title = props.find((p) => p.type === "title");
  const slug = textOf(title ? page.values[title.id] : undefined)
    .replace(/[^A-Za-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `https://www.notion.so/${slug ? `${slug}-` : ""}${compactId(page.id)}`;
}
