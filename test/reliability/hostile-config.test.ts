import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { runCommand } from "./support/cli-process.js";
import { SECRETS, count } from "./support/suite.js";

/**
 * Malformed mapping files: each must give exit 2 with a message that names the file and where in it
 * the problem is, and touch nothing (the warehouse and the watermarks of an earlier sync stay byte for
 * byte the same; a fresh warehouse directory is never created).
 */
const RISKS = 'risks:\n  database_id: "${NOTION_RISKS_DB}"\n  columns:\n';
const column = (fields: string) => `${RISKS}    - { ${fields} }\n`;
const CASES: { name: string; yaml: string; where: RegExp }[] = [
  { name: "unterminated quote", yaml: 'risks:\n  database_id: "${NOTION_RISKS_DB}\n  columns: []\n', where: /: line \d+, column \d+: YAML syntax error/ },
  { name: "bad indentation", yaml: `${RISKS}    - notion_property: Risk\n   column_name: title\n`, where: /: line \d+, column \d+: YAML syntax error/ },
  {
    name: "tab indentation",
    yaml: `${RISKS}\t- { notion_property: Risk, column_name: title, column_type: STRING }\n`,
    where: /: line \d+, column \d+: YAML syntax error/,
  },
  {
    name: "duplicate key",
    yaml: `${column("notion_property: Risk, column_name: title, column_type: STRING")}risks: {}\n`,
    where: /: line \d+, column \d+: YAML syntax error: Map keys must be unique/,
  },
  { name: "columns is a string", yaml: 'risks:\n  database_id: "${NOTION_RISKS_DB}"\n  columns: "Risk"\n', where: /: risks\.columns: / },
  {
    name: "column_type is a number",
    yaml: column("notion_property: Risk, column_name: title, column_type: 5"),
    where: /: risks\.columns\[0\]\.column_type \(title\): must be a column type \(STRING, INT, .*\) as a string/,
  },
  {
    name: "required is a string",
    yaml: column('notion_property: Risk, column_name: title, column_type: STRING, required: "yes"'),
    where: /: risks\.columns\[0\]\.required \(title\): /,
  },
  {
    name: "batch_size negative",
    yaml: `settings:\n  batch_size: -5\n${column("notion_property: Risk, column_name: title, column_type: STRING")}`,
    where: /: settings\.batch_size: /,
  },
  {
    name: "SQL in a column name",
    yaml: column('notion_property: Risk, column_name: "name; DROP TABLE x", column_type: STRING'),
    where: /: risks\.columns\[0\]\.column_name \(name; DROP TABLE x\): .*lower-case SQL identifier/,
  },
  {
    name: "quote in a column name",
    yaml: column('notion_property: Risk, column_name: "ti\\"tle", column_type: STRING'),
    where: /: risks\.columns\[0\]\.column_name \(ti"tle\): /,
  },
  {
    name: "SQL in a database key",
    yaml: `"risks; DROP TABLE ppm_silver.risks": {}\n`,
    where: /: risks; DROP TABLE ppm_silver\.risks: database key .* lower-case SQL identifier/,
  },
  {
    name: "SQL in a schema name",
    yaml: `settings:\n  schemas: { silver: "ppm_silver; DROP SCHEMA ppm_meta" }\n${column("notion_property: Risk, column_name: title, column_type: STRING")}`,
    where: /: settings\.schemas\.silver: /,
  },
  {
    name: "SQL in a column type",
    yaml: column('notion_property: Risk, column_name: title, column_type: "STRING); DROP TABLE x; --"'),
    where: /: risks\.columns\[0\] \(title\)\.column_type: .*is not a supported column_type/,
  },
  {
    name: "the token read into the mapping",
    yaml: 'risks:\n  database_id: "${NOTION_TOKEN}"\n  columns:\n    - { notion_property: Risk, column_name: title, column_type: STRING }\n',
    where: /: risks\.database_id: NOTION_TOKEN is a secret/,
  },
  {
    name: "a billion laughs",
    yaml: ["a: &a [x, x, x, x, x, x, x, x, x]", ..."bcdef".split("").map((n, i) => `${n}: &${n} [${Array(9).fill(`*${"abcdef"[i]}`).join(", ")}]`)].join("\n"),
    where: /\.yaml: YAML aliases expand too much/,
  },
  { name: "a list, not a mapping", yaml: "- risks\n- projects\n", where: /\.yaml: must be a YAML mapping/ },
  { name: "empty", yaml: "", where: /\.yaml: must be a YAML mapping/ },
];

let sandbox: Sandbox;
let dir: string;
let env: Record<string, string>;

/** Every file under the directory with its content hash and modification time. */
function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(root, { recursive: true }) as string[]) {
    const path = join(root, name);
    if (statSync(path).isFile()) out[name] = `${createHash("sha256").update(readFileSync(path)).digest("hex")} ${statSync(path).mtimeMs}`;
  }
  return out;
}

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 43, scale: 40, token: SECRETS.NOTION_TOKEN });
  dir = mkdtempSync(join(tmpdir(), "nds-config-"));
  mkdirSync(join(dir, "state"));
  env = { ...sandbox.env(), DUCKDB_PATH: join(dir, "state", "warehouse.duckdb"), WATERMARK_DIR: join(dir, "state", "watermarks") };
  const first = await runCommand("config-first-sync", ["sync", "--database", "risks"], env);
  expect(first.code, first.stderr).toBe(0);
});

afterAll(async () => {
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("malformed mapping files", () => {
  it("exit 2 with the file and the place named, and touch nothing", async () => {
    const before = snapshot(join(dir, "state"));
    expect(Object.keys(before)).toEqual(expect.arrayContaining(["warehouse.duckdb", "watermarks/risks.json"]));
    for (const [index, bad] of CASES.entries()) {
      const file = join(dir, `bad-${index}.yaml`);
      writeFileSync(file, bad.yaml);
      let refused = 0;
      for (const state of ["state", `fresh-${index}`]) {
        const result = await runCommand(`config-${index}`, ["sync"], {
          ...env,
          MAPPING_PATH: file,
          DUCKDB_PATH: join(dir, state, "warehouse.duckdb"),
          WATERMARK_DIR: join(dir, state, "watermarks"),
        });
        expect(result.code, `${bad.name}: ${result.stderr}`).toBe(2);
        expect(result.stderr, bad.name).toContain(`${file}`);
        expect(result.stderr, bad.name).toMatch(bad.where);
        expect(result.stderr, bad.name).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
        refused += 1;
      }
      expect(existsSync(join(dir, `fresh-${index}`)), bad.name).toBe(false);
      // Each case runs twice (on the synced state, on a fresh directory): what ran and was refused counts.
      count({ badMappings: refused });
    }
    expect(snapshot(join(dir, "state"))).toEqual(before);
  });
});
