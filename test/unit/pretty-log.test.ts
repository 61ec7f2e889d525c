import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.js";
import { prettyLine } from "../../src/observability/pretty-log.js";

const record = (fields: Record<string, unknown>) =>
  JSON.stringify({ level: 30, time: Date.parse("2026-12-01T09:08:07.006Z"), pid: 1, service: "s", ...fields });

describe("readable log lines", () => {
  it("give the time, the level, the message and the fields, one line per record", () => {
    expect(prettyLine(record({ msg: "database sync finished", databaseKey: "risks", pagesRead: 3, error: null }), false)).toBe(
      "09:08:07.006 INFO  database sync finished databaseKey=risks pagesRead=3 error=null\n",
    );
  });

  it("show an error as its type and message, without its stack", () => {
    const line = prettyLine(
      record({ level: 40, msg: "x", err: { type: "NotionError", message: "no access", stack: "NotionError: no access\n    at a.ts:1" } }),
      false,
    );
    expect(line).toBe('09:08:07.006 WARN  x err="NotionError: no access"\n');
  });

  it("keep a value with control characters on its line, and colour only when asked", () => {
    const line = prettyLine(record({ msg: "title\u001b[2J", title: "a\nb" }), false);
    expect(line).toBe('09:08:07.006 INFO  title\\u001b[2J title="a\\nb"\n');
    expect(prettyLine(record({ msg: "m" }), true)).toContain("\u001b[32mINFO \u001b[0m");
  });

  it("are what a logger writes with LOG_FORMAT=pretty, redacted, with no transport to install", () => {
    let written = "";
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => ((written += chunk.toString()), done()) });
    const logger = createLogger({ level: "info", format: "json", destination: sink });
    logger.info({ token: "secret_abc" }, "hello");
    expect(written).toContain('"token":"[redacted]"');
    expect(prettyLine(written.trim(), false)).toMatch(/ INFO {2}hello token="\[redacted\]"\n$/);
  });
});
