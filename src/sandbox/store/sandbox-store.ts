import { SandboxApiError } from "../errors.js";
import type { PageRecord } from "../model/types.js";
import { renderPage } from "../render/page.js";
import { renderDatabase, renderDataSource } from "../render/schema.js";
import { renderUser } from "../render/users.js";
import { createPage, updatePage } from "./page-ops.js";
import { updateDataSource } from "./schema-edit.js";
import type { Workspace } from "./workspace.js";

/** Options of {@link SandboxStore.listPages} and {@link SandboxStore.getPage}. */
export interface PageReadOptions {
  /** Include trashed pages (listPages only; default false). */
  includeTrashed?: boolean;
  /**
   * false (default): complete values, i.e. every relation item and person, rollups over all relations: the oracle.
   * true: exactly what the API's page objects show (25-item truncation, rollups over the first 25 relations).
   */
  truncated?: boolean;
}

/** Options of the write methods. */
export interface StoreWriteOptions {
  /** Acting user id (stamped as last_edited_by / created_by); default the integration's bot. */
  by?: string;
}

type Json = Record<string, unknown>;

/**
 * Direct access to the sandbox workspace, bypassing HTTP (no auth, rate limit or faults).
 * Reads return API-shaped JSON (version 2025-09-03); writes take the API's request shapes, stamp
 * minute-rounded times with the sandbox clock and throw {@link SandboxApiError} on invalid input.
 */
export class SandboxStore {
  constructor(
    /** The internal workspace (compact records); the routes use it. Prefer the methods below in tests. */
    readonly workspace: Workspace,
  ) {}

  /** Every user as `GET /v1/users` lists them: the people, then the bot. */
  users(): Json[] {
    return [...this.workspace.users, this.workspace.bot].map((u) => renderUser(this.workspace, u));
  }

  /** The integration's bot user (`GET /v1/users/me`). */
  bot(): Json {
    return renderUser(this.workspace, this.workspace.bot);
  }

  /** Adds a member (type person) to the workspace, e.g. to build people lists longer than 25. */
  addUser(name: string, email: string | null = null): Json {
    return renderUser(this.workspace, this.workspace.addPerson(name, email));
  }

  /** The data source as `GET /v1/data_sources/{id}` returns it, or undefined. */
  dataSource(id: string): Json | undefined {
    const ds = this.workspace.dataSource(id);
    return ds ? renderDataSource(this.workspace, ds, "2025-09-03") : undefined;
  }

  /** The database container as `GET /v1/databases/{id}` returns it, or undefined. */
  database(id: string): Json | undefined {
    const ds = this.workspace.database(id);
    return ds ? renderDatabase(ds, "2025-09-03") : undefined;
  }

  /** Every page of a data source in creation order, as `GET /v1/pages/{id}` would return it (complete values by default). */
  listPages(dataSourceId: string, options: PageReadOptions = {}): Json[] {
    return this.records(dataSourceId, options.includeTrashed).map((p) => this.render(p, options.truncated));
  }

  /** Page ids of a data source in creation order (cheap; no JSON is built). */
  pageIds(dataSourceId: string, options: Pick<PageReadOptions, "includeTrashed"> = {}): string[] {
    return this.records(dataSourceId, options.includeTrashed).map((p) => p.id);
  }

  /** One page (trashed ones too), complete values by default; undefined when it does not exist. */
  getPage(id: string, options: Pick<PageReadOptions, "truncated"> = {}): Json | undefined {
    const page = this.workspace.page(id);
    return page ? this.render(page, options.truncated) : undefined;
  }

  /** Creates a page; `properties` as in `POST /v1/pages` (keys are names or ids). */
  createPage(dataSourceId: string, properties: Json, options: StoreWriteOptions = {}): Json {
    return this.render(createPage(this.workspace, dataSourceId, { properties }, this.actor(options)));
  }

  /** Updates properties as in `PATCH /v1/pages/{id}`. */
  updatePage(id: string, properties: Json, options: StoreWriteOptions = {}): Json {
    return this.render(updatePage(this.workspace, id, { properties }, this.actor(options)));
  }

  /** Moves a page to the trash (`inTrash` true) or restores it. */
  trashPage(id: string, inTrash = true, options: StoreWriteOptions = {}): Json {
    return this.render(updatePage(this.workspace, id, { inTrash }, this.actor(options)));
  }

  /** Removes a page for good: it vanishes from queries and GET answers 404 (no API does this; tests of reconciles do). */
  deletePage(id: string): boolean {
    return this.workspace.removePage(id);
  }

  /**
   * Moves a page out of its data source under another page (as `POST /v1/pages/{id}/move` to a page
   * parent does): it leaves every query of the data source. The webhook names only its new parent.
   */
  movePage(id: string, toPageId: string, options: StoreWriteOptions = {}): void {
    const page = this.workspace.pageOrThrow(id);
    this.workspace.removePage(page.id);
    this.workspace.changed({ kind: "page.moved", pageId: page.id, toPageId, at: this.workspace.now(), by: this.actor(options) });
  }

  /** Changes a schema or title as `PATCH /v1/data_sources/{id}` does (`{properties, title}`). */
  updateDataSource(id: string, body: Json): Json {
    const ds = this.workspace.dataSourceOrThrow(id);
    updateDataSource(this.workspace, ds, body);
    return renderDataSource(this.workspace, ds, "2025-09-03");
  }

  private records(dataSourceId: string, includeTrashed = false): PageRecord[] {
    const ds = this.workspace.dataSourceOrThrow(dataSourceId);
    return includeTrashed ? [...ds.pages] : ds.pages.filter((p) => !p.inTrash);
  }

  private render(page: PageRecord, truncated = false): Json {
    return renderPage(this.workspace, page, { version: "2025-09-03", truncate: truncated });
  }

  private actor(options: StoreWriteOptions): string {
    if (options.by === undefined) return this.workspace.bot.id;
    const user = this.workspace.user(options.by);
    if (!user) throw new SandboxApiError(400, "validation_error", `Unknown user id ${options.by}.`);
    return user.id;
  }
}
