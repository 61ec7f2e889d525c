export { coerce, toDecimalString } from "./coerce.js";
export { extractValue } from "./extract-value.js";
export { pageHash, valuesHash } from "./row-hash.js";
export { buildRowModel, type RowModel, type RowModelIssue } from "./row-model.js";
export { createTransformer, needsUserDirectory, TRANSFORM_VERSION, type PageTransformer } from "./transform-page.js";
export * from "./types.js";
