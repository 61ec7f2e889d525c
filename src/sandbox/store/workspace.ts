import { normalizeId, propertyIdFrom, safeDecode, uuidFrom } from "../core/ids.js";
import { rngStream, type Rng } from "../core/rng.js";
import { floorToMinute } from "../core/time.js";
import { notFound } from "../errors.js";
import type { DataSourceRecord, PageRecord, PropertySchema, UserRecord } from "../model/types.js";

/**
 * A change to the workspace, as a webhook subscription hears of it (`page-ops.ts` and `schema-edit.ts`
 * report them): what happened, to which page or data source, when (ms, the sandbox clock) and by whom.
 */
export type WorkspaceChange =
  | {
      kind: "page.created" | "page.properties_updated" | "page.deleted" | "page.undeleted";
      pageId: string;
      dataSourceId: string;
      databaseId: string;
      at: number;
      by: string;
      /** page.properties_updated: the ids of the properties written. */
      properties?: string[];
    }
  | { kind: "page.moved"; pageId: string; toPageId: string; at: number; by: string }
  | {
      kind: "data_source.schema_updated";
      dataSourceId: string;
      databaseId: string;
      at: number;
      by: string;
      properties: { id: string; name: string | null; action: "created" | "updated" | "deleted" }[];
    };

/**
 * The workspace state and its lookups. Mutations live in `page-ops.ts` and `schema-edit.ts`;
 * rendering in `render/`. Everything here is synchronous and in memory.
 */
export class Workspace {
  readonly dataSources = new Map<string, DataSourceRecord>();
  readonly databases = new Map<string, DataSourceRecord>();
  readonly pages = new Map<string, PageRecord>();
  readonly userById = new Map<string, UserRecord>();
  private readonly idRng: Rng;
  private readonly propertyRng: Rng;
  /** Counts file-URL signatures so every read gets a fresh (yet reproducible) one. */
  signatureCounter = 0;
  /** The workspace id (appears in bot info and file URLs). */
  readonly workspaceId: string;
  /** Who hears of changes (the webhook subscription). */
  readonly listeners = new Set<(change: WorkspaceChange) => void>();

  constructor(
    readonly seed: number,
    readonly now: () => number,
    readonly users: UserRecord[],
    readonly bot: UserRecord,
  ) {
    this.idRng = rngStream(seed, "ids:api");
    this.propertyRng = rngStream(seed, "ids:api-properties");
    this.workspaceId = uuidFrom(rngStream(seed, "ids:workspace"));
    for (const user of [...users, bot]) this.userById.set(user.id, user);
  }

  /** Tells the listeners of a change. */
  changed(change: WorkspaceChange): void {
    for (const listener of this.listeners) listener(change);
  }

  /** A fresh page/option id for objects created through the API. */
  newId(): string {
    return uuidFrom(this.idRng);
  }

  /** A fresh property id, unique in `ds`. */
  newPropertyId(ds: DataSourceRecord): string {
    return propertyIdFrom(this.propertyRng, new Set(ds.properties.map((p) => safeDecode(p.id))));
  }

  /** The current time rounded down to the minute, as Notion stamps it. */
  stamp(): number {
    return floorToMinute(this.now());
  }

  /** Adds a workspace member (type person). */
  addPerson(name: string, email: string | null): UserRecord {
    const user: UserRecord = { id: this.newId(), name, type: "person", email, avatarUrl: null };
    this.users.push(user);
    this.userById.set(user.id, user);
    return user;
  }

  addDataSource(ds: DataSourceRecord): void {
    this.dataSources.set(ds.id, ds);
    this.databases.set(ds.databaseId, ds);
  }

  addPage(page: PageRecord): void {
    const ds = this.dataSourceOrThrow(page.dataSourceId);
    ds.pages.push(page);
    this.pages.set(page.id, page);
  }

  /** Deletes a page for good (as emptying Notion's trash, or revoking the integration's access, looks to the API). */
  removePage(rawId: string): boolean {
    const page = this.page(rawId);
    if (!page) return false;
    const ds = this.dataSourceOrThrow(page.dataSourceId);
    ds.pages.splice(ds.pages.indexOf(page), 1);
    this.pages.delete(page.id);
    return true;
  }

  page(rawId: string): PageRecord | undefined {
    const id = normalizeId(rawId);
    return id === undefined ? undefined : this.pages.get(id);
  }

  pageOrThrow(rawId: string): PageRecord {
    const page = this.page(rawId);
    if (!page) throw notFound("page", normalizeId(rawId) ?? rawId);
    return page;
  }

  dataSource(rawId: string): DataSourceRecord | undefined {
    const id = normalizeId(rawId);
    return id === undefined ? undefined : this.dataSources.get(id);
  }

  dataSourceOrThrow(rawId: string): DataSourceRecord {
    const ds = this.dataSource(rawId);
    if (!ds) throw notFound("data_source", normalizeId(rawId) ?? rawId);
    return ds;
  }

  database(rawId: string): DataSourceRecord | undefined {
    const id = normalizeId(rawId);
    return id === undefined ? undefined : this.databases.get(id);
  }

  user(rawId: string): UserRecord | undefined {
    const id = normalizeId(rawId);
    return id === undefined ? undefined : this.userById.get(id);
  }

  /** Resolves a property by id (raw or URL-encoded) or by name. */
  property(ds: DataSourceRecord, ref: string): PropertySchema | undefined {
    const decoded = safeDecode(ref);
    return ds.properties.find((p) => p.id === ref || safeDecode(p.id) === decoded) ?? ds.properties.find((p) => p.name === ref);
  }

  propertyById(ds: DataSourceRecord, id: string): PropertySchema | undefined {
    return ds.properties.find((p) => p.id === id);
  }

  /** The data source of a page. */
  dataSourceOf(page: PageRecord): DataSourceRecord {
    return this.dataSourceOrThrow(page.dataSourceId);
  }

  /** The title property of a data source (every data source has exactly one). */
  titleProperty(ds: DataSourceRecord): PropertySchema {
    const title = ds.properties.find((p) => p.type === "title");
    if (!title) throw new Error(`data source ${ds.id} has no title property`);
    return title;
  }
}
