import { isMap, isSeq, type Document, type LineCounter } from "yaml";
import { ConfigError } from "./config-error.js";

/** The document as plain data; aliases that expand without bound (a "billion laughs") are a config error. */
export function toTree(doc: Document, file: string): unknown {
  try {
    return doc.toJS();
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    throw new ConfigError([{ source: file, path: "", message: `YAML aliases expand too much: ${error.message}` }]);
  }
}

/** The line of the node at `path`, for messages. */
export function lineOf(doc: Document, lines: LineCounter, path: readonly (string | number)[]): number | undefined {
  const node = doc.getIn(path, true);
  if (node && (isMap(node) || isSeq(node) || typeof node === "object") && "range" in node) {
    const range = (node as { range?: [number, number, number] }).range;
    if (range) return lines.linePos(range[0]).line;
  }
  return undefined;
}
