/**
 * What a Notion property value holds once its shape is removed: the intermediate between
 * `extract-value.ts` (Notion shapes) and `coerce.ts` (column types).
 */
export type Extracted =
  | { readonly kind: "null" }
  | { readonly kind: "text"; readonly value: string }
  | { readonly kind: "number"; readonly value: number }
  | { readonly kind: "boolean"; readonly value: boolean }
  /** A Notion date or datetime string as written (`2026-03-02` or `2026-03-02T09:30:00.000+01:00`). */
  | { readonly kind: "date"; readonly value: string }
  | { readonly kind: "list"; readonly items: readonly Extracted[] }
  /** The property cannot be read as the mapping asks; the message says why. */
  | { readonly kind: "unreadable"; readonly reason: string };

export const NULL: Extracted = { kind: "null" };
export const text = (value: string | null | undefined): Extracted => (value === null || value === undefined ? NULL : { kind: "text", value });
export const num = (value: number | null | undefined): Extracted => (typeof value === "number" ? { kind: "number", value } : NULL);
export const date = (value: string | null | undefined): Extracted => (value ? { kind: "date", value } : NULL);
export const list = (items: readonly Extracted[]): Extracted => ({ kind: "list", items });
export const unreadable = (reason: string): Extracted => ({ kind: "unreadable", reason });
