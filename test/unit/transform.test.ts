import { describe, expect, it } from "vitest";
import { parseMapping, type DatabaseConfig } from "../../src/config/index.js";
import { createTransformer, pageHash, type UserDirectory } from "../../src/transform/index.js";
import { page, segment, v } from "../support/notion-values.js";

function database(columns: string): DatabaseConfig {
  const mapping = parseMapping(`t:\n  database_id: "842a0286cef046a8abbaeac4c8ca644e"\n  columns:\n${columns}`, "t.yaml", {});
  return mapping.databases[0]!;
}

const users: UserDirectory = { get: (id) => ({ u1: { name: "Ada Lovelace", email: "ada@example.com" }, u2: { name: "Alan Turing", email: null } })[id] };

function valuesOf(columns: string, properties: Parameters<typeof page>[0], policy: "null" | "quarantine" = "null") {
  const result = createTransformer(database(columns), policy, users).transform(page(properties));
  return { values: result.silver?.values, violations: result.violations, result };
}

const col = (prop: string, name: string, type: string, extra = "") =>
  `    - { notion_property: "${prop}", column_name: ${name}, column_type: "${type}"${extra ? `, ${extra}` : ""} }\n`;

describe("every property type into its column", () => {
  it("reads text, numbers, options, checkbox, url, email and phone", () => {
    const { values, violations } = valuesOf(
      col("T", "t", "STRING") +
        col("R", "r", "STRING") +
        col("N", "n", "DOUBLE") +
        col("I", "i", "INT") +
        col("S", "s", "STRING") +
        col("St", "st", "STRING") +
        col("C", "c", "BOOLEAN") +
        col("U", "u", "STRING") +
        col("E", "e", "STRING") +
        col("P", "p", "STRING"),
      {
        T: v.title("Alpha ", "program"),
        R: v.richText("a", "b", "c"),
        N: v.number(12.5),
        I: v.number(42),
        S: v.select("P1"),
        St: v.status("Done"),
        C: v.checkbox(true),
        U: v.url("https://x.test/a?b=1"),
        E: v.email("a@b.test"),
        P: v.phone("+44 20 7946 0000"),
      },
    );
    expect(violations).toEqual([]);
    expect(values).toEqual({
      t: "Alpha program",
      r: "abc",
      n: 12.5,
      i: 42,
      s: "P1",
      st: "Done",
      c: true,
      u: "https://x.test/a?b=1",
      e: "a@b.test",
      p: "+44 20 7946 0000",
    });
  });

  it("writes null for every empty value, and [] for empty lists", () => {
    const { values, violations } = valuesOf(
      col("T", "t", "STRING") +
        col("N", "n", "DECIMAL(18,2)") +
        col("S", "s", "STRING") +
        col("D", "d", "DATE") +
        col("U", "u", "STRING") +
        col("M", "m", "ARRAY<STRING>") +
        col("M2", "m2", "STRING") +
        col("Pe", "pe", "ARRAY<STRING>") +
        col("F", "f", "DOUBLE") +
        col("Ro", "ro", "DOUBLE") +
        col("Q", "q", "INT"),
      {
        T: v.title(),
        N: v.number(null),
        S: v.select(null),
        D: v.date(null),
        U: v.url(null),
        M: v.multiSelect(),
        M2: v.multiSelect(),
        Pe: v.people(),
        F: v.formula({ type: "number", number: null }),
        Ro: v.rollup({ type: "number", number: null }),
        Q: v.uniqueId(null, null),
      },
    );
    expect(violations).toEqual([]);
    expect(values).toEqual({ t: null, n: null, s: null, d: null, u: null, m: [], m2: null, pe: [], f: null, ro: null, q: null });
  });

  it("keeps the calendar date of a DATE and converts a TIMESTAMP to the UTC instant", () => {
    const { values } = valuesOf(
      col("D", "d", "DATE") +
        col("D", "d_ts", "TIMESTAMP") +
        col("K", "k", "DATE") +
        col("K", "k_ts", "TIMESTAMP") +
        col("R", "r_end", "DATE", "extract: end") +
        col("R", "r_tz", "STRING", "extract: time_zone"),
      { D: v.date("2026-03-05"), K: v.date("2026-03-05T23:30:00.000+02:00"), R: v.date("2026-01-01", "2026-12-31", "Europe/Paris") },
    );
    expect(values).toEqual({
      d: "2026-03-05",
      d_ts: "2026-03-05T00:00:00.000Z",
      k: "2026-03-05",
      k_ts: "2026-03-05T21:30:00.000Z",
      r_end: "2026-12-31",
      r_tz: "Europe/Paris",
    });
  });

  it("reads people as ids, names or e-mails, from the page or the user directory", () => {
    const { values } = valuesOf(
      col("O", "ids", "ARRAY<STRING>") +
        col("O", "names", "ARRAY<STRING>", "extract: name") +
        col("O", "emails", "ARRAY<STRING>", "extract: email") +
        col("O", "joined", "STRING") +
        col("CB", "cb", "STRING") +
        col("CB", "cb_name", "STRING", "extract: name") +
        col("LB", "lb", "STRING"),
      { O: v.people({ id: "u1" }, { id: "u3", name: "Grace Hopper", email: "grace@example.com" }), CB: v.createdBy("u2"), LB: v.lastEditedBy("u1") },
    );
    expect(values).toEqual({
      ids: ["u1", "u3"],
      names: ["Ada Lovelace", "Grace Hopper"],
      emails: ["ada@example.com", "grace@example.com"],
      joined: "u1, u3",
      cb: "u2",
      cb_name: "Alan Turing",
      lb: "u1",
    });
  });

  it("writes every id of a 60-item relation, and one id into a STRING column", () => {
    const ids = Array.from({ length: 60 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`);
    const { values } = valuesOf(col("R", "r", "ARRAY<STRING>") + col("One", "one", "STRING"), { R: v.relation(ids), One: v.relation([ids[0]!]) });
    expect(values?.r).toEqual(ids);
    expect(values?.one).toBe(ids[0]);
  });

  it("reads multi_select as an array or joined text, files by name or url, and unique ids as text or number", () => {
    const { values } = valuesOf(
      col("M", "m", "ARRAY<STRING>") +
        col("M", "m_text", "STRING") +
        col("F", "f", "ARRAY<STRING>") +
        col("F", "f_url", "ARRAY<STRING>", "extract: url") +
        col("K", "k", "STRING") +
        col("K", "k_num", "BIGINT") +
        col("K", "k_prefix", "STRING", "extract: prefix") +
        col("K2", "k2", "STRING"),
      {
        M: v.multiSelect("Finance", "Q3"),
        F: v.files({ name: "plan.pdf", url: "https://s3.test/plan.pdf?X-Amz=1", uploaded: true }, { name: "site", url: "https://example.com" }),
        K: v.uniqueId("PRJ", 7),
        K2: v.uniqueId(null, 12),
      },
    );
    expect(values).toEqual({
      m: ["Finance", "Q3"],
      m_text: "Finance, Q3",
      f: ["plan.pdf", "site"],
      f_url: ["https://s3.test/plan.pdf?X-Amz=1", "https://example.com"],
      k: "PRJ-7",
      k_num: 7,
      k_prefix: "PRJ",
      k2: "12",
    });
  });

  it("reads formulas and rollups by their result type", () => {
    const { values, violations } = valuesOf(
      col("FS", "fs", "STRING") +
        col("FN", "fn", "DOUBLE") +
        col("FB", "fb", "BOOLEAN") +
        col("FD", "fd", "DATE") +
        col("FU", "fu", "STRING") +
        col("RN", "rn", "DOUBLE") +
        col("RD", "rd", "DATE") +
        col("RA", "ra", "ARRAY<STRING>") +
        col("RA1", "ra1", "INT"),
      {
        FS: v.formula({ type: "string", string: "On track" }),
        FN: v.formula({ type: "number", number: -3.25 }),
        FB: v.formula({ type: "boolean", boolean: false }),
        FD: v.formula({ type: "date", date: { start: "2026-09-01T10:00:00.000+00:00", end: null, time_zone: null } }),
        FU: v.formula({ type: "unsupported", unsupported: {} }),
        RN: v.rollup({ type: "number", number: 1500.5 }),
        RD: v.rollup({ type: "date", date: { start: "2026-12-01", end: null, time_zone: null } }),
        RA: v.rollup({
          type: "array",
          array: [
            { type: "status", status: { name: "Done" } },
            { type: "status", status: { name: "Blocked" } },
            { type: "title", title: [segment("x")] },
          ],
        }),
        RA1: v.rollup({ type: "array", array: [{ type: "number", number: 3 }] }),
      },
    );
    expect(violations).toEqual([]);
    expect(values).toEqual({
      fs: "On track",
      fn: -3.25,
      fb: false,
      fd: "2026-09-01",
      fu: null,
      rn: 1500.5,
      rd: "2026-12-01",
      ra: ["Done", "Blocked", "x"],
      ra1: 3,
    });
  });

  it("reads created_time and last_edited_time properties as timestamps", () => {
    const { values } = valuesOf(col("C", "c", "TIMESTAMP") + col("L", "l", "TIMESTAMP"), {
      C: v.createdTime("2026-08-01T09:30:00.000Z"),
      L: v.lastEditedTime("2026-08-02T11:07:00.000Z"),
    });
    expect(values).toEqual({ c: "2026-08-01T09:30:00.000Z", l: "2026-08-02T11:07:00.000Z" });
  });

  it("keeps hostile text byte for byte, never truncated", () => {
    const hostile = [
      `O'Brien "quoted" \\ back\\slash`,
      "line1\nline2\r\n\ttab",
      "emoji 🚀💶 and RTL שלום مرحبا",
      "'; DROP TABLE ppm_silver.programs; --",
      '{"json": [1,2]}',
      "x".repeat(2000),
    ];
    const { values } = valuesOf(col("T", "t", "STRING"), { T: v.richText(...hostile) });
    expect(values?.t).toBe(hostile.join(""));
  });

  it("writes DECIMAL exactly as fixed-point text and normalizes negative zero", () => {
    const { values } = valuesOf(col("A", "a", "DECIMAL(18,2)") + col("B", "b", "DECIMAL(18,2)") + col("Z", "z", "DOUBLE") + col("Y", "y", "DECIMAL(10,4)"), {
      A: v.number(0.1 + 0.2),
      B: v.number(1234567.5),
      Z: v.number(-0),
      Y: v.number(-0),
    });
    expect(values).toEqual({ a: "0.30", b: "1234567.50", z: 0, y: "0.0000" });
  });
});

describe("the row model built from the mapping", () => {
  const columns =
    col("A", "amount", "DECIMAL(18,2)", "min: 0") +
    col("Y", "year", "INT", "min: 2020, max: 2035") +
    col("C", "code", "STRING", "pattern: '^CC-[0-9]{4}$'") +
    col("S", "severity", "STRING", "values: [Low, High]") +
    col("I", "n", "INT") +
    col("T", "tags", "ARRAY<STRING>", "values: [a, b]") +
    col("Name", "name", "STRING", "required: true");
  const bad = {
    A: v.number(-5),
    Y: v.number(2050),
    C: v.richText("CC-12"),
    S: v.select("Extreme"),
    I: v.number(2.5),
    T: v.multiSelect("a", "zzz"),
    Name: v.title(),
  };

  it("nulls each invalid value, keeps the row and lists every violation with its rule (policy null)", () => {
    const { values, violations } = valuesOf(columns, bad);
    expect(values).toEqual({ amount: null, year: null, code: null, severity: null, n: null, tags: null, name: null });
    expect(violations.map((x) => [x.column, x.rule, x.value])).toEqual([
      ["n", "type", "2.5"],
      ["amount", "min", "-5.00"],
      ["year", "max", "2050"],
      ["code", "pattern", "CC-12"],
      ["severity", "values", "Extreme"],
      ["tags", "values", '["a","zzz"]'],
    ]);
    expect(violations[0]?.message).toContain("not a whole number");
  });

  it("keeps the row out of silver under policy quarantine, while bronze keeps the page", () => {
    const { result } = valuesOf(columns, bad, "quarantine");
    expect(result.silver).toBeUndefined();
    expect(result.bronze.page_id).toBe("5a7f0000-0000-4000-8000-000000000001");
    expect(result.violations).toHaveLength(6);
  });

  it("accepts valid values at the bounds", () => {
    const { violations } = valuesOf(columns, {
      A: v.number(0),
      Y: v.number(2035),
      C: v.richText("CC-1234"),
      S: v.select("Low"),
      I: v.number(-7),
      T: v.multiSelect("b"),
      Name: v.title("ok"),
    });
    expect(violations).toEqual([]);
  });

  it("flags a value outside the INT range and a DECIMAL with too many digits", () => {
    const { violations } = valuesOf(col("I", "i", "INT") + col("D", "d", "DECIMAL(5,2)"), { I: v.number(2 ** 31), D: v.number(1234.5) });
    expect(violations.map((x) => [x.column, x.rule])).toEqual([
      ["i", "range"],
      ["d", "range"],
    ]);
  });

  it("reports a mapped property missing from the page and a type that cannot be read", () => {
    const { violations, values } = valuesOf(col("Gone", "g", "STRING") + col("N", "n", "INT"), { N: v.richText("twelve") });
    expect(values).toEqual({ g: null, n: null });
    expect(violations.map((x) => [x.column, x.rule])).toEqual([
      ["g", "missing"],
      ["n", "type"],
    ]);
  });
});

describe("hashes", () => {
  it("ignores re-signed file URLs and their expiry times, in properties, icons and covers", () => {
    const a = page(
      { F: v.files({ name: "a.pdf", url: "https://s3.test/a.pdf?sig=1", uploaded: true, expiry: "2026-01-01T01:00:00.000Z" }) },
      {
        icon: { type: "file", file: { url: "https://s3.test/icon.png?sig=1", expiry_time: "2026-01-01T01:00:00.000Z" } },
        cover: { type: "file", file: { expiry_time: "2026-01-01T01:00:00.000Z", url: "https://s3.test/cover.png?sig=1" } },
      },
    );
    const b = structuredClone(a);
    Object.assign((b.properties.F!.files as { file: object }[])[0]!.file, { url: "https://s3.test/a.pdf?sig=2", expiry_time: "2026-01-01T02:00:00.000Z" });
    (b.icon as { file: object }).file = { url: "https://s3.test/icon.png?sig=2", expiry_time: "2026-01-01T02:00:00.000Z" };
    (b.cover as { file: object }).file = { expiry_time: "2026-01-01T02:00:00.000Z", url: "https://s3.test/cover.png?sig=2" };
    expect(JSON.stringify(b)).not.toBe(JSON.stringify(a));
    expect(pageHash(JSON.stringify(a))).toBe(pageHash(JSON.stringify(b)));
    const c = structuredClone(a);
    Object.assign((c.properties.F!.files as { file: object }[])[0]!.file, { url: "https://s3.test/other.pdf?sig=1" });
    expect(pageHash(JSON.stringify(c))).not.toBe(pageHash(JSON.stringify(a)));
    const external = page({ F: v.files({ name: "x", url: "https://example.com/x?version=1" }) });
    const external2 = structuredClone(external);
    (external2.properties.F!.files as { external: { url: string } }[])[0]!.external.url = "https://example.com/x?version=2";
    expect(pageHash(JSON.stringify(external))).not.toBe(pageHash(JSON.stringify(external2)));
  });

  it("changes the silver hash when a value, the trash flag or the page changes, and only then", () => {
    const transformer = createTransformer(database(col("T", "t", "STRING")), "null", users);
    const base = transformer.transform(page({ T: v.title("a") }));
    expect(transformer.transform(page({ T: v.title("a") })).silver?._row_hash).toBe(base.silver?._row_hash);
    expect(transformer.transform(page({ T: v.title("b") })).silver?._row_hash).not.toBe(base.silver?._row_hash);
    const trashed = transformer.transform(page({ T: v.title("a") }, { in_trash: true }));
    expect(trashed.silver?._is_deleted).toBe(true);
    expect(trashed.silver?._deleted_at).toBe("2026-08-02T11:07:00.000Z");
    expect(trashed.silver?._row_hash).not.toBe(base.silver?._row_hash);
  });

  it("stores the page JSON as received in bronze", () => {
    const p = page({ T: v.title("a") });
    const result = createTransformer(database(col("T", "t", "STRING")), "null", users).transform(p);
    expect(JSON.parse(result.bronze.page_json)).toEqual(p);
  });
});
