import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { queryFile } from "../support/duckdb-file.js";
import { runCommand } from "./support/cli-process.js";
import { compareSilver, duplicates } from "./support/copy-check.js";
import { SECRETS } from "./support/suite.js";

/**
 * Page values with every character class, numbers and dates at the edges, under property names with
 * spaces and punctuation, synced by the real CLI and compared with the sandbox value by value; the
 * raw page must come through to bronze byte for byte, and a second run must find nothing to write.
 */
const NOTES = "Notes — \"quoted\" & 'single' (€) \\ back";
const AMOUNT = "50% / FY'26: amount [net] {x}";
const WHEN = "Name; DROP TABLE risks; --";
const LABELS = "🚀 Étiquettes, עברית";

const CONTROL = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join("");
const TEXTS = [
  `it's "quoted" \`back\` \\ backslash \\\\ two \\n not a newline`,
  `nul-adjacent ${CONTROL} \u007f \u0085 \u2028 \u2029 \u200b\u200d\ufeff end`,
  "👩‍👩‍👧‍👦 🇺🇦 🏳️‍🌈 😀 e\u0301 ﬁ",
  "مرحبا بالعالم \u202eoverride\u202c שלום עולם",
  "x".repeat(2_000),
  "😀".repeat(1_000),
  "'; DROP TABLE ppm_silver.risks; --",
  "Robert'); DELETE FROM ppm_meta.sync_runs WHERE ''=''; --",
  "$1 $$dollar$$ ? :param @var %s %n {0}",
  '{"object":"page","id":"00000000-0000-0000-0000-000000000000"}',
  '"},{"page_id":"x","_is_deleted":true,"a":"',
  '"url":"https://x/y?sig=1","expiry_time":"2026-01-01T00:00:00.000Z"',
  "</script><script>alert(1)</script> <!-- -->",
  "${NOTION_TOKEN} ${HOME} $(rm -rf /) `id`",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x10",
  "  leading and trailing  ",
  "\t\n\r",
];
// Values past 2^53 and past DOUBLE's precision are the point: they must arrive as the API sends them.
/* eslint-disable no-loss-of-precision */
const NUMBERS = [
  0,
  -0,
  1,
  -1,
  0.1 + 0.2,
  1e-7,
  -1e-7,
  5e-324,
  -5e-324,
  2_147_483_647,
  2_147_483_648,
  -2_147_483_648,
  -2_147_483_649,
  9_007_199_254_740_991,
  9_007_199_254_740_993,
  -9_007_199_254_740_991,
  1e21,
  -1e21,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  123_456_789_012_345.67,
  99_999_999_999_999_999_999_999_999_999_999,
  null,
];
/* eslint-enable no-loss-of-precision */
const DATES: ({ start: string; end?: string | null } | null)[] = [
  { start: "0001-01-01" },
  { start: "9999-12-31" },
  { start: "1970-01-01" },
  { start: "1969-12-31T23:59:59.999Z" },
  { start: "2024-02-29" },
  { start: "2026-03-29T02:30:00.000+01:00" },
  { start: "2025-12-31T23:59:59.999-12:00" },
  { start: "2026-01-01T00:00:00.000+14:00" },
  { start: "2026-01-01", end: "2025-01-01" },
  { start: "2026-06-01T09:00:00.000Z", end: "9999-12-31T23:59:59.999Z" },
  null,
];
const OPTIONS = ['quote"d', "'single'", "emoji 🚀", "עברית", "a\\b", "DROP TABLE x;", "  spaced  ", "ünïcödé"];

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;
const db = () => join(dir, "warehouse.duckdb");
const mapping = () => join(dir, "hostile.yaml");
const segments = (text: string) => (text.length <= 2_000 ? [text] : text.match(/[\s\S]{1,2000}/g)!).map((content) => ({ text: { content } }));

function writeMapping(): void {
  const column = (notion_property: string, column_name: string, column_type: string, extra: object = {}) => ({
    notion_property,
    column_name,
    column_type,
    ...extra,
  });
  writeFileSync(
    mapping(),
    stringify({
      settings: { lookback_minutes: 0, batch_size: 50 },
      risks: {
        database_id: "${NOTION_RISKS_DB}",
        columns: [
          column("Risk", "title", "STRING"),
          column(NOTES, "notes", "STRING"),
          column(AMOUNT, "amount_double", "DOUBLE"),
          column(AMOUNT, "amount_decimal", "DECIMAL(38,6)"),
          column(AMOUNT, "amount_small_decimal", "DECIMAL(18,2)"),
          column(AMOUNT, "amount_bigint", "BIGINT"),
          column(AMOUNT, "amount_int", "INT"),
          column(WHEN, "when_date", "DATE"),
          column(WHEN, "when_ts", "TIMESTAMP"),
          column(WHEN, "when_end", "DATE", { extract: "end" }),
          column(WHEN, "when_end_ts", "TIMESTAMP", { extract: "end" }),
          column(LABELS, "labels", "ARRAY<STRING>"),
          column(LABELS, "labels_text", "STRING"),
        ],
      },
    }),
  );
}

/** One page per text (as title and, shifted, as notes), number and date, with option lists cycling. */
function createHostilePages(): number {
  const ds = sandbox.databases.risks!.dataSourceId;
  const n = Math.max(TEXTS.length, NUMBERS.length, DATES.length) * 2;
  for (let i = 0; i < n; i += 1) {
    const title = TEXTS[i % TEXTS.length]!;
    sandbox.store.createPage(ds, {
      Risk: { title: segments(title) },
      [NOTES]: { rich_text: segments(i < TEXTS.length ? TEXTS[(i + 3) % TEXTS.length]! : TEXTS.slice(0, 3 + (i % 4)).join("")) },
      [AMOUNT]: { number: NUMBERS[i % NUMBERS.length]! },
      [WHEN]: { date: DATES[i % DATES.length]! },
      [LABELS]: { multi_select: OPTIONS.slice(0, i % (OPTIONS.length + 1)).map((name) => ({ name })) },
    });
  }
  return n;
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 41, scale: 40, token: SECRETS.NOTION_TOKEN, now: () => Date.parse("2026-11-01T10:00:00.000Z") });
  dir = mkdtempSync(join(tmpdir(), "nds-hostile-"));
  sandbox.store.updateDataSource(sandbox.databases.risks!.dataSourceId, {
    properties: { [NOTES]: { rich_text: {} }, [AMOUNT]: { number: {} }, [WHEN]: { date: {} }, [LABELS]: { multi_select: {} } },
  });
  writeMapping();
  env = { ...sandbox.env(), DUCKDB_PATH: db(), WATERMARK_DIR: join(dir, "watermarks"), MAPPING_PATH: mapping(), NOTION_RPS: "500", NOTION_BURST: "100" };
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("hostile page values and property names", () => {
  it("arrive in silver exactly as the source holds them, and raw in bronze", async () => {
    const created = createHostilePages();
    const result = await runCommand("hostile-values", ["sync", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    expect(await compareSilver(sandbox, db(), mapping())).toEqual([]);
    expect(await duplicates(db(), ["risks"])).toEqual([]);
    // Bronze holds each page as the API served it (JSON: -0 travels as 0): parsed back, it is the sandbox's page.
    const bronze = await queryFile(db(), "SELECT page_id, page_json FROM ppm_bronze.notion_risks");
    const pages = sandbox.store.listPages(sandbox.databases.risks!.dataSourceId, { includeTrashed: true });
    expect(bronze.length).toBe(pages.length);
    const byId = new Map(bronze.map((r) => [String(r.page_id), JSON.parse(String(r.page_json)) as unknown]));
    for (const page of pages) expect(byId.get(page.id as string), String(page.id)).toEqual(JSON.parse(JSON.stringify(page)));
    // The values out of range are nulled and logged, never truncated or wrapped.
    const quarantined = await queryFile(db(), "SELECT column_name, rule, count(*) AS n FROM ppm_meta.quarantine GROUP BY ALL ORDER BY ALL");
    expect(quarantined.map((r) => `${String(r.column_name)}:${String(r.rule)}`)).toEqual(
      expect.arrayContaining(["amount_bigint:range", "amount_decimal:range", "amount_int:range", "amount_int:type", "amount_small_decimal:range"]),
    );
    expect(created).toBeGreaterThan(40);
  });

  it("are stable: a second run finds nothing to write", async () => {
    const result = await runCommand("hostile-values-again", ["sync", "--json"], env);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as { summaries: { rowsUpserted: number; bronzeVersions: number; rowsQuarantined: number }[] };
    expect(json.summaries.map((s) => [s.rowsUpserted, s.bronzeVersions])).toEqual([[0, 0]]);
    const full = await runCommand("hostile-values-full", ["sync", "--full", "--json"], env);
    expect(full.code, full.stderr).toBe(0);
    expect((JSON.parse(full.stdout) as typeof json).summaries.map((s) => [s.rowsUpserted, s.bronzeVersions])).toEqual([[0, 0]]);
    expect(await compareSilver(sandbox, db(), mapping())).toEqual([]);
  });
});
