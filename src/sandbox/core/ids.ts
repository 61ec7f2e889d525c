import type { Rng } from "./rng.js";

const HEX32 = /^[0-9a-f]{32}$/;

/** A lower-case dashed UUIDv4 drawn from `rng`. */
export function uuidFrom(rng: Rng): string {
  const words = [rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32()];
  let hex = words.map((w) => w.toString(16).padStart(8, "0")).join("");
  // version 4, variant 10xx
  hex = `${hex.slice(0, 12)}4${hex.slice(13, 16)}${"89ab"[Number.parseInt(hex[16] ?? "0", 16) & 3]}${hex.slice(17)}`;
  return dashed(hex);
}

function dashed(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Accepts an id with or without dashes, any case; returns the dashed lower-case form, or undefined if it is no UUID. */
export function normalizeId(raw: string): string | undefined {
  const hex = raw.trim().toLowerCase().replace(/-/g, "");
  return HEX32.test(hex) ? dashed(hex) : undefined;
}

/** The id without dashes (as in Notion URLs). */
export function compactId(id: string): string {
  return id.replace(/-/g, "");
}

/** Characters of raw property ids; the punctuation makes most ids need URL-encoding, as Notion's do. */
const PROPERTY_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:;<=>?@[]^{|}`";

/** A short URL-encoded property id (e.g. `%3AUPp`), unique within `taken` (compared decoded). */
export function propertyIdFrom(rng: Rng, taken: ReadonlySet<string>): string {
  for (;;) {
    let raw = "";
    for (let i = 0; i < 4; i++) raw += PROPERTY_ID_CHARS[rng.int(0, PROPERTY_ID_CHARS.length - 1)] ?? "x";
    const id = encodeURIComponent(raw);
    if (!taken.has(safeDecode(id)) && raw !== "titl") return id;
  }
}

/** `decodeURIComponent` that returns the input unchanged when it is not valid percent-encoding. */
export function safeDecode(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch (error) {
    if (error instanceof URIError) return value;
    throw error;
  }
}
