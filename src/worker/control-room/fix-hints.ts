import type { ErrorCode } from "../../errors.js";

/**
 * What a person does about a failed database, by the error's closed code: the page shows it under the
 * error (whose own text says what happened). Codes without an entry have no general fix.
 */
const FIX_BY_CODE: Partial<Record<ErrorCode, string>> = {
  config_invalid: "Fix the mapping or the environment as the error says, then restart the worker (npm run verify checks it).",
  notion_unauthorized: "Create a new integration token in Notion, set NOTION_TOKEN, restart; npm run verify checks it.",
  notion_forbidden: "Give the integration the 'Read content' capability in Notion's integration settings.",
  notion_not_found: "Share the database with the integration (••• → Connections) or fix its database_id in the mapping.",
  notion_bad_request: "Check the database and property names in the mapping against Notion (npm run verify compares them).",
  notion_rate_limited: "Nothing to do: the worker waits out Retry-After. If it persists, lower NOTION_RPS.",
  notion_unavailable: "Notion failed; the next tick retries. If it persists, see status.notion.so.",
  notion_timeout: "Notion was slow; the next tick retries. If it persists, raise NOTION_TIMEOUT_MS.",
  notion_network: "The worker could not reach Notion: check the network, proxy and NOTION_BASE_URL.",
  notion_bad_response: "Notion (or a proxy in between) answered something unexpected; the next tick retries.",
  notion_query_limit: "The database passed Notion's 10,000-row query limit; the reader splits its windows: see the error.",
  schema_drift: "A property was removed or changed type in Notion: update notion_property or column_type in the mapping, then sync.",
  warehouse_transient: "The warehouse did not answer; the next tick retries. npm run verify checks the connection.",
  warehouse_terminal: "The warehouse refused a statement: see the error for the table; npm run verify checks access and tables.",
  lock_held: "Another sync holds the run lock; the worker retries once it is free or stale.",
  lease_held: "Another host syncs this database now (its lease in ppm_meta.sync_leases); this worker tries again at the next tick.",
  backoff: "Sitting out ticks after failures in a row; the next try is automatic (or npm run sync -- --database KEY).",
  state_invalid: "A watermark file is damaged: npm run watermarks -- reset --database KEY (the next sync is a full one).",
  state_io: "The watermark directory is not writable: check WATERMARK_DIR (a volume in a container) and its free space.",
  shutdown: "Stopped by a shutdown; the next run continues from the last watermark.",
};

export function fixFor(code: string | null): string | undefined {
  return code === null ? undefined : FIX_BY_CODE[code as ErrorCode];
}
