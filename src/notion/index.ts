export { completePage, needsCompletion } from "./complete-values.js";
export { resolveDataSource, type DataSourceSchema, type SchemaProperty } from "./data-source.js";
export { createNotionGateway, type GatewayOptions, type NotionGateway, type RequestCounter } from "./gateway.js";
export { NotionError, toNotionError } from "./notion-errors.js";
export { createPacer, type Pacer, type PacerOptions } from "./pacer.js";
export { readPage } from "./read-page.js";
export { readPages, type ReadOptions } from "./reader.js";
export { withRetry, DEFAULT_RETRY, type RetryOptions } from "./retry.js";
export { loadUserDirectory } from "./users.js";
