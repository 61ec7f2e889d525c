import type { NotionPage } from "./types.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { NotionError } from "./notion-errors.js";
import { checkPage } from "./page-schema.js";

/**
 * One page by id (`GET /v1/pages/{id}`), checked like every page object that enters; undefined when
 * Notion no longer has it or no longer shares it (404): the reconcile of a full sync marks such pages.
 */
export async function readPage(gateway: NotionGateway, pageId: string, databaseKey: string, counter: RequestCounter): Promise<NotionPage | undefined> {
  try {
    const page = await gateway.retrievePage(pageId, `${databaseKey}: read page ${pageId}`, counter);
    return checkPage(page, databaseKey);
  } catch (error) {
    if (error instanceof NotionError && error.code === "notion_not_found") return undefined;
    throw error;
  }
}
