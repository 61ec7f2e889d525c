export { completePage, needsCompletion } from "./complete-values.js";
export { resolveDataSource, type DataSourceSchema } from "./data-source.js";
export { createNotionGateway, type GatewayOptions, type NotionGateway, type RequestCounter } from "./gateway.js";
export { NotionError, toNotionError } from "./notion-errors.js";
export { createPacer, type Pacer, type PacerOptions } from "./pacer.js";
export { readPages, type ReadOptions } from "./reader.js";
export { withRetry, DEFAULT_RETRY, type RetryOptions } from "./retry.js";
export { loadUserDirectory } from "./users.js";
