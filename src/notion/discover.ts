import type { PropertyAnswer } from "./answers.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { NotionError } from "./notion-errors.js";
import { paginate } from "./paginate.js";

/**
 * What `mapping init` reads of a data source: its schema as Notion answers it (number formats, options,
 * relation targets, rollup functions), and the values of its most recently edited pages, which say what
 * the schema does not (a formula's or rollup's result type, whether dates carry times).
 */
export interface DiscoveredSource {
  readonly databaseId: string;
  readonly dataSourceId: string;
  readonly title: string;
  /** The parent database holds other data sources too: the mapping must name this one. */
  readonly oneOfSeveral: boolean;
  readonly properties: Readonly<Record<string, PropertyAnswer>>;
  /** Property values (by name) of up to SAMPLE_PAGES recently edited pages. */
  readonly samples: readonly Readonly<Record<string, unknown>>[];
}

/** Pages read per data source for the values' shapes: one query answer. */
export const SAMPLE_PAGES = 100;
/** At most this many search answers (of 100 data sources). */
const MAX_SEARCH_ANSWERS = 100;

/**
 * The data sources of the given database ids (each database's every data source; an id that is a data
 * source's is taken as one), or every data source shared with the integration (search) when none is given.
 */
export async function discoverDataSources(gateway: NotionGateway, ids: readonly string[], counter: RequestCounter = { count: 0 }): Promise<DiscoveredSource[]> {
  const sourceIds = ids.length > 0 ? await sourcesOf(gateway, ids, counter) : await searchSources(gateway, counter);
  const siblings = new Map<string, number>();
  const found: DiscoveredSource[] = [];
  for (const id of [...new Set(sourceIds)]) {
    const source = await gateway.retrieveDataSource(id, `retrieve data source ${id}`, counter);
    const databaseId = source.parent?.database_id ?? id;
    if (!siblings.has(databaseId)) siblings.set(databaseId, await countSources(gateway, databaseId, counter));
    const answer = await gateway.queryDataSource(
      { dataSourceId: id, sorts: [{ timestamp: "last_edited_time", direction: "descending" }], pageSize: SAMPLE_PAGES },
      `sample pages of data source ${id}`,
      counter,
    );
    found.push({
      databaseId,
      dataSourceId: source.id,
      title: (source.title ?? []).map((t) => t.plain_text ?? "").join(""),
      oneOfSeveral: (siblings.get(databaseId) ?? 1) > 1,
      properties: source.properties,
      samples: answer.results.map(propertiesOf),
    });
  }
  // A stable order, whatever order search answers in.
  return found.sort((a, b) => a.title.localeCompare(b.title) || a.dataSourceId.localeCompare(b.dataSourceId));
}

async function sourcesOf(gateway: NotionGateway, ids: readonly string[], counter: RequestCounter): Promise<string[]> {
  const out: string[] = [];
  for (const id of ids) {
    try {
      const database = await gateway.retrieveDatabase(id, `retrieve database ${id}`, counter);
      out.push(...(database.data_sources ?? []).map((s) => s.id));
    } catch (error) {
      // A data source id given as a database id: taken as the data source it names.
      if (!(error instanceof NotionError) || error.code !== "notion_not_found") throw error;
      out.push(id);
    }
  }
  return out;
}

async function searchSources(gateway: NotionGateway, counter: RequestCounter): Promise<string[]> {
  const what = "search the shared data sources";
  const out: string[] = [];
  for await (const answer of paginate((cursor) => gateway.searchDataSources(cursor, what, counter), { what, maxAnswers: MAX_SEARCH_ANSWERS })) {
    for (const hit of answer.results) if (hit.object === "data_source") out.push(hit.id);
  }
  return out;
}

async function countSources(gateway: NotionGateway, databaseId: string, counter: RequestCounter): Promise<number> {
  try {
    const database = await gateway.retrieveDatabase(databaseId, `retrieve database ${databaseId}`, counter);
    return database.data_sources?.length ?? 1;
  } catch (error) {
    if (!(error instanceof NotionError) || error.code !== "notion_not_found") throw error;
    return 1;
  }
}

function propertiesOf(page: unknown): Readonly<Record<string, unknown>> {
  const properties = (page as { properties?: unknown } | null)?.properties;
  return typeof properties === "object" && properties !== null ? (properties as Record<string, unknown>) : {};
}
