/**
 * HTML built by a tagged template that escapes every interpolated value unless it is already `Html`
 * (made by this same tag): a value from Notion or the warehouse cannot become markup, whichever part
 * of the page it lands in. Attribute values are always written in double quotes, which escaping covers.
 */
export class Html {
  constructor(readonly text: string) {}
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): Html {
  let out = strings[0] ?? "";
  for (let i = 0; i < values.length; i += 1) out += piece(values[i]) + (strings[i + 1] ?? "");
  return new Html(out);
}

function piece(value: HtmlValue): string {
  if (typeof value === "string") return escapeHtml(value);
  if (typeof value === "number" || value === true) return escapeHtml(String(value));
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof Html) return value.text;
  return value.map(piece).join("");
}
