/**
 * Log records as lines people read: `10:21:03.123 INFO  database sync finished databaseKey=risks …`.
 * Built in rather than pino-pretty (a transport in a worker thread, and a development dependency the
 * production image does not install), so LOG_FORMAT=pretty works wherever the engine runs. Colours
 * only for a terminal; a value keeps to its line (control characters are escaped).
 */
const LEVELS: Record<number, { readonly label: string; readonly colour: string }> = {
  10: { label: "TRACE", colour: "90" },
  20: { label: "DEBUG", colour: "90" },
  30: { label: "INFO ", colour: "32" },
  40: { label: "WARN ", colour: "33" },
  50: { label: "ERROR", colour: "31" },
  60: { label: "FATAL", colour: "35" },
};

/** Fields every record has, shown in the line's head or not at all. */
const HEAD = new Set(["level", "time", "msg", "pid", "hostname", "service"]);

export function prettyLine(json: string, colour: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.endsWith("\n") ? json : `${json}\n`;
  }
  const level = LEVELS[Number(record.level)] ?? { label: String(record.level).toUpperCase().padEnd(5), colour: "0" };
  const paint = (code: string, text: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const time = typeof record.time === "number" ? new Date(record.time).toISOString().slice(11, 23) : "--:--:--.---";
  const fields = Object.entries(record)
    .filter(([key, value]) => !HEAD.has(key) && value !== undefined)
    .map(([key, value]) => `${paint("2", `${key}=`)}${fieldText(value)}`);
  return `${paint("2", time)} ${paint(level.colour, level.label)} ${escapeControls(typeof record.msg === "string" ? record.msg : "")}${fields.length ? ` ${fields.join(" ")}` : ""}\n`;
}

/** Strings bare when they are one word, else JSON-quoted; errors as their type and message (pino's serializer gives both). */
function fieldText(value: unknown): string {
  if (typeof value === "string") return /^[\w.:/@+-]+$/.test(value) ? value : JSON.stringify(value);
  if (isSerializedError(value)) return JSON.stringify(`${value.type}: ${value.message}`);
  return escapeControls(JSON.stringify(value) ?? String(value));
}

function isSerializedError(value: unknown): value is { type: string; message: string } {
  const error = value as { type?: unknown; message?: unknown } | null;
  return typeof error?.type === "string" && typeof error.message === "string";
}

function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
