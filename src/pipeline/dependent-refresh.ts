import { clockToleranceMs, type ColumnConfig, type DatabaseConfig } from "../config/index.js";
import { describeError, errorCodeOf } from "../errors.js";
import { completePage, needsCompletion, readPage, resolveDataSource, type RequestCounter } from "../notion/index.js";
import type { DatabaseSummary, DependentRefreshSummary } from "../observability/events.js";
import { createTransformer, EMPTY_DIRECTORY, needsUserDirectory, type NotionPage, type PageTransformer } from "../transform/index.js";
import { bronzeTable, quarantineTable, silverTable, type Warehouse } from "../warehouse/index.js";
import { Batcher, batchLimits, type PendingPage } from "./batcher.js";
import { holdBackFuture } from "./clock-check.js";
import { dependentLink, type DependentLink, type MappedSchema } from "./dependent-links.js";
import { forgetRecent } from "./recent-forget.js";
import type { RunContext } from "./run-context.js";
import { resolveProperties } from "./schema-check.js";
import { writeBatch } from "./write-batch.js";

/**
 * The dependent refresh: a rollup or formula over a relation changes when a related page changes,
 * while its own page's last_edited_time stays, so an incremental read never sees it. After a
 * database B wrote pages in this run, the pages of every other mapped database A whose rollup or
 * formula columns relate to B (found through the relation ids in silver, on either side) are re-read
 * by id, completed as usual, and written where their values changed. One hop only (A's refreshed
 * rows do not refresh a third database), at most `settings.dependent_refresh.max_pages` pages per run;
 * the rest wait for the reconcile. Its requests count in B's `sync_runs` row.
 */
export interface DependentRefresh {
  /**
   * Runs the refresh B's writes call for and returns B's summary with it counted. `later`: the databases
   * this run still syncs; one of them read in full (`--full`) gets fresh values anyway and is skipped.
   */
  afterDatabase(summary: DatabaseSummary, later?: readonly DatabaseConfig[]): Promise<DatabaseSummary>;
}

/** Pages of one database read at once (the pacer still sets the rate). */
const PARALLEL_READS = 8;

export function createDependentRefresh(ctx: RunContext): DependentRefresh {
  const settings = ctx.config.mapping.settings;
  const schemas = ctx.schemas;
  const refreshed = new Map<string, Set<string>>();
  let budget = settings.dependent_refresh.max_pages;

  const mapped = async (database: DatabaseConfig, counter: RequestCounter): Promise<MappedSchema | undefined> => {
    const watermark = await ctx.watermarks.get(database.key);
    // Never synced, or synced under another mapping: its next sync reads it whole anyway.
    if (!watermark || watermark.mappingHash !== database.mappingHash) return undefined;
    let schema = schemas.get(database.key);
    if (!schema) {
      // Not synced in this run yet: one request, straight to the data source its watermark names.
      schema = await resolveDataSource(ctx.gateway, { ...database, dataSourceId: watermark.dataSourceId }, counter);
      schemas.set(database.key, schema);
    }
    return { database, schema, knownIds: watermark.propertyIds };
  };

  return {
    async afterDatabase(summary, later = []) {
      const changed = ctx.config.mapping.databases.find((d) => d.key === summary.databaseKey);
      if (!settings.dependent_refresh.enabled || !ctx.warehouse || !changed || summary.rowsUpserted === 0 || ctx.signal.aborted) return summary;
      const counter: RequestCounter = { count: 0 };
      const totals: DependentRefreshSummary = { databases: [], pagesRead: 0, rowsUpserted: 0, deferred: 0, requests: 0 };
      const log = ctx.logger.child({ databaseKey: changed.key, step: "dependent refresh" });
      try {
        const source = await mapped(changed, counter);
        if (!source) return summary;
        for (const candidate of ctx.config.mapping.databases) {
          const readInFullLater = ctx.full && later.some((d) => d.key === candidate.key);
          const target = candidate.key === changed.key || readInFullLater ? undefined : await mapped(candidate, counter);
          const link = target ? dependentLink(source, target) : undefined;
          if (!link || ctx.signal.aborted) continue;
          const ids = (await relatedIds(ctx.warehouse, ctx, changed, link)).filter((id) => !refreshed.get(candidate.key)?.has(id));
          if (ids.length === 0) continue;
          const taken = ids.slice(0, Math.max(0, budget));
          budget -= taken.length;
          totals.deferred += ids.length - taken.length;
          if (taken.length < ids.length)
            log.warn(
              { dependent: candidate.key, deferred: ids.length - taken.length, maxPages: settings.dependent_refresh.max_pages },
              "dependent refresh cap reached; the other pages wait for the reconcile",
            );
          const seen = refreshed.get(candidate.key) ?? new Set<string>();
          refreshed.set(candidate.key, seen);
          for (const id of taken) seen.add(id);
          const written = await refreshPages(ctx, candidate, target!, taken, counter);
          totals.databases.push(candidate.key);
          totals.pagesRead += written.pagesRead;
          totals.rowsUpserted += written.rowsUpserted;
        }
        return counted(summary, { ...totals, requests: counter.count }, null);
      } catch (error) {
        log.error({ err: error }, "dependent refresh failed; the rollups and formulas it would have refreshed wait for the next reconcile");
        return counted(summary, { ...totals, requests: counter.count }, error);
      }
    },
  };
}

function counted(summary: DatabaseSummary, refresh: DependentRefreshSummary, error: unknown): DatabaseSummary {
  const failure =
    error === undefined || error === null
      ? {}
      : {
          error: `${summary.error ? `${summary.error}; ` : ""}dependent refresh failed (the rollups it would have refreshed wait for the reconcile): ${describeError(error)}`,
          errorCode: summary.errorCode ?? errorCodeOf(error),
        };
  return { ...summary, notionRequests: summary.notionRequests + refresh.requests, dependentRefresh: refresh, ...failure };
}

/** Live pages of A tied to the rows of B this run wrote, through either side's relation columns. */
function relatedIds(warehouse: Warehouse, ctx: RunContext, changed: DatabaseConfig, link: DependentLink): Promise<string[]> {
  const settings = ctx.config.mapping.settings;
  const spec = (column: ColumnConfig) => ({ name: column.name, type: column.type });
  return warehouse.relatedPages({
    dependent: silverTable(link.dependent, settings),
    changed: silverTable(changed, settings),
    runId: ctx.runId,
    dependentColumns: link.dependentColumns.map(spec),
    changedColumns: link.changedColumns.map(spec),
  });
}

/** Re-reads the given pages of A, completes them and writes those whose values changed. */
async function refreshPages(
  ctx: RunContext,
  database: DatabaseConfig,
  mapped: MappedSchema,
  ids: readonly string[],
  counter: RequestCounter,
): Promise<{ pagesRead: number; rowsUpserted: number }> {
  const settings = ctx.config.mapping.settings;
  const properties = resolveProperties(database, mapped.schema, mapped.knownIds, ctx.config.mapping.file);
  const users = needsUserDirectory(database) ? await ctx.users() : EMPTY_DIRECTORY;
  const transformer = createTransformer(database, settings.on_invalid, users, properties.names);
  const tables = { bronze: bronzeTable(database, settings), silver: silverTable(database, settings), quarantine: quarantineTable(settings) };
  const batcher = new Batcher(batchLimits(settings, ctx.warehouse?.capabilities));
  const totals = { pagesRead: 0, rowsUpserted: 0 };
  const flush = async () => {
    const pending = batcher.take();
    if (pending.length === 0) return;
    // What the refresh writes is not what the database's recent window recorded (`recent-forget.ts`).
    await forgetRecent(
      ctx,
      database.key,
      pending.map((p) => p.page.id),
    );
    totals.rowsUpserted += (await writeBatch(ctx, database.key, tables, pending)).rowsUpserted;
  };
  for (let i = 0; i < ids.length && !ctx.signal.aborted; i += PARALLEL_READS) {
    const pages = await Promise.all(
      ids.slice(i, i + PARALLEL_READS).map(async (id) => {
        const page = await readPage(ctx.gateway, id, database.key, counter);
        return page && needsCompletion(page) ? completePage(ctx.gateway, page, database.key, counter) : page;
      }),
    );
    for (const page of pages) {
      if (!page) continue;
      totals.pagesRead += 1;
      if (batcher.add(transformed(ctx, database, transformer, page))) await flush();
    }
  }
  await flush();
  return totals;
}

/**
 * A re-read page as the main read takes it: one stamped later than now + clock_tolerance_minutes keeps
 * its bronze version and a `future_time` violation, and its silver row is held back.
 */
function transformed(ctx: RunContext, database: DatabaseConfig, transformer: PageTransformer, page: NotionPage): PendingPage {
  const result = transformer.transform(page);
  const heldBack = holdBackFuture(page, result, ctx.now(), clockToleranceMs(ctx.config.mapping.settings));
  if (!heldBack) return { page, result };
  ctx.events.emit("page:held_back", {
    runId: ctx.runId,
    databaseKey: database.key,
    pageId: page.id,
    lastEditedTime: page.last_edited_time,
    createdTime: page.created_time,
  });
  return { page, result: heldBack, heldBack: true };
}
