import { z } from "zod";
import { parseNotionId } from "../config/notion-id.js";

/**
 * A Notion webhook delivery, as far as the worker reads it. Notion's envelope (see the SDK's
 * `BaseWebhookPayload`): an event id, when it happened, its type, the entity it concerns and, for page
 * and data source events, the entity's parent. Events say what to look at, never what changed: the
 * engine reads the data source as always. Fields the worker does not use are let through unread.
 */
const id = z.string().min(1);
const parent = z.looseObject({ id, type: z.string(), data_source_id: id.optional() });

export const webhookEventSchema = z.looseObject({
  id,
  timestamp: z.iso.datetime({ offset: true }),
  type: z.string().regex(/^[a-z_]+(\.[a-z_]+)+$/, "must be an event type such as page.created"),
  entity: z.looseObject({ id, type: z.string() }),
  data: z.looseObject({ parent: parent.optional() }).optional(),
  attempt_number: z.number().int().optional(),
});

export type WebhookEvent = z.infer<typeof webhookEventSchema>;

/** What an event asks to look at: a data source, or a database (whose data sources the mapping names). */
export interface EventTarget {
  readonly dataSourceId?: string;
  readonly databaseId?: string;
}

/**
 * Which data source an event concerns. Page events name it through their parent (`data_source_id` with
 * API 2025-09-03, else a database parent); data source events are about their entity, database events
 * about theirs. Comments, views, file uploads and pages outside a database concern no data source.
 */
export function targetOf(event: WebhookEvent): EventTarget | undefined {
  const [subject] = event.type.split(".");
  const entityId = parseNotionId(event.entity.id);
  if (subject === "data_source") return entityId ? { dataSourceId: entityId, databaseId: idOf(event.data?.parent?.id) } : undefined;
  if (subject === "database") return entityId ? { databaseId: entityId } : undefined;
  if (subject !== "page" || event.type.startsWith("page.transcription")) return undefined;
  const from = event.data?.parent;
  if (!from) return undefined;
  const dataSourceId = idOf(from.data_source_id) ?? (from.type === "data_source" ? idOf(from.id) : undefined);
  const databaseId = from.type === "database" ? idOf(from.id) : undefined;
  return dataSourceId || databaseId ? { dataSourceId, databaseId } : undefined;
}

const idOf = (text: string | undefined) => (text === undefined ? undefined : parseNotionId(text));
