import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AppConfig } from "../../src/config/index.js";
import { createWarehouse } from "../../src/warehouse/index.js";
import type { Scenario } from "../bench-types.js";
import { benchWorkspace } from "../support/bench-workspace.js";
import { round } from "../support/figures.js";
import { verifyCopy } from "../support/verify-copy.js";

const DATABASES = ["budget_lines"];
/**
 * The column the mapping change adds: budget lines' cost center (text, with a pattern rule), unmapped
 * before. (A newly mapped rollup or formula is read from Notion instead: bronze's value of it was not
 * kept fresh while it was unmapped.)
 */
const ADDED = `    - notion_property: "Cost Center"\n      column_name: "cost_center"\n      column_type: "STRING"\n      pattern: "^CC-[0-9]{4}$"\n`;

/**
 * 8. Mapping change: one column added to a mapped database of 20,000 pages. Before: a full re-read
 * of Notion; now: silver rebuilt from bronze (`npm run rebuild`, which the sync also does by itself).
 * Both are run: the rebuild on the warehouse a sync with the old mapping filled, the re-read into a
 * fresh warehouse with the new mapping; Notion requests counted at the sandbox, wall time at the
 * engine, and the rebuilt copy checked row by row against the sandbox.
 */
export const mappingChange: Scenario = {
  name: "8. mapping change (one column added): rebuild from bronze vs full re-read",
  async run({ quick }) {
    const lines = quick ? 5_000 : 20_000;
    const ws = await benchWorkspace({ scale: lines });
    try {
      const mapping = readFileSync("config/notion_mapping.yaml", "utf8");
      if (!mapping.includes(ADDED)) throw new Error("mapping-change: the project mapping no longer has budget lines' cost_center column");
      const before = join(ws.dir, "before.yaml");
      writeFileSync(before, mapping.replace(ADDED, ""));
      await ws.sync({ databases: DATABASES, full: true, env: { MAPPING_PATH: before } });
      const rebuilt = await ws.rebuild({ databases: DATABASES });
      const expected = await ws.sandbox.expectedPages(DATABASES);
      await verifyCopy(this.name, ws.config(), expected);
      const rebuiltRows = await silverRows(ws.config());
      ws.freshWarehouse();
      const reread = await ws.sync({ databases: DATABASES, full: true });
      const rereadRows = await silverRows(ws.config());
      const differing = rereadRows.filter((row, i) => row !== rebuiltRows[i]).length + Math.abs(rereadRows.length - rebuiltRows.length);
      const pages = expected.reduce((n, e) => n + e.live.length + e.trashed.length, 0);
      return [
        {
          name: this.name,
          figures: {
            pages,
            rows_differing_from_reread: differing,
            rebuild_notion_requests: rebuilt.requests.total,
            rebuild_seconds: round(rebuilt.seconds, 2),
            rebuild_write_statements: rebuilt.statements.writes,
            rebuild_pages_per_s: round(pages / rebuilt.seconds, 0),
            reread_notion_requests: reread.requests.total,
            reread_seconds: round(reread.seconds, 2),
            // What the re-read costs at Notion's 3 requests per second, which the bench's unthrottled sandbox does not charge.
            reread_seconds_at_3_rps: round(reread.requests.total / 3, 0),
          },
          bound: { max_rebuild_notion_requests: 0, max_rows_differing: 0 },
          judge: (f, b) => f.rebuild_notion_requests! <= b.max_rebuild_notion_requests! && f.rows_differing_from_reread! <= b.max_rows_differing!,
          notes: `budget lines (${lines} pages at scale) synced with the cost_center column left out, then the column added: rebuild_* is \`rebuild --database budget_lines\` on that warehouse (silver checked against the sandbox, and compared whole with the re-read's: rows_differing_from_reread, all columns but _synced_at, _run_id and _row_hash), reread_* a full sync with the new mapping into a fresh one; the sandbox answers unthrottled here, so reread_seconds is the engine's own time and reread_seconds_at_3_rps what Notion's rate limit adds`,
        },
      ];
    } finally {
      await ws.close();
    }
  },
};

/** Budget lines' silver rows as text, in page-id order, without what a run stamps. */
async function silverRows(config: AppConfig): Promise<string[]> {
  const warehouse = await createWarehouse(config.warehouse);
  try {
    const rows = await warehouse.sql.query(`SELECT * EXCLUDE (_synced_at, _run_id, _row_hash) FROM ppm_silver.budget_lines ORDER BY page_id`);
    return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)));
  } finally {
    await warehouse.close();
  }
}
