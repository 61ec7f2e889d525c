import { z } from "zod";
import { NotionError } from "./notion-errors.js";

/**
 * The answers of the endpoints the engine calls, checked once where they arrive (in the gateway):
 * the fields the engine reads, with unknown keys passed through. Page objects are checked page by page
 * (`page-schema.ts`), so a list's results stay `unknown` here. A cursor that contradicts `has_more` is
 * the pagination loop's business (`paginate.ts`), which says what is wrong with it.
 */
const list = <T extends z.ZodType>(item: T) =>
  z.looseObject({
    results: z.array(item),
    has_more: z.unknown(),
    next_cursor: z.unknown(),
    request_status: z.looseObject({ type: z.string().optional() }).optional(),
  });

export const queryAnswerSchema = list(z.unknown());
export type QueryAnswer = z.infer<typeof queryAnswerSchema>;

export const propertyItemSchema = z.looseObject({ type: z.string() });
export type PropertyItem = z.infer<typeof propertyItemSchema>;
export const propertyItemsAnswerSchema = list(propertyItemSchema).extend({
  property_item: z
    .looseObject({ type: z.string().optional(), rollup: z.looseObject({ type: z.string().optional(), function: z.string().optional() }).optional() })
    .optional(),
});
export type PropertyItemsAnswer = z.infer<typeof propertyItemsAnswerSchema>;

export const userSchema = z.looseObject({ id: z.string(), name: z.string().nullish(), person: z.looseObject({ email: z.string().nullish() }).nullish() });
export const usersAnswerSchema = list(userSchema);
export type UsersAnswer = z.infer<typeof usersAnswerSchema>;

export const databaseSchema = z.looseObject({ id: z.string(), data_sources: z.array(z.looseObject({ id: z.string(), name: z.string() })).optional() });
export type DatabaseAnswer = z.infer<typeof databaseSchema>;

const propertySchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  name: z.string().optional(),
  relation: z
    .looseObject({ data_source_id: z.string().optional(), dual_property: z.looseObject({ synced_property_id: z.string().optional() }).optional() })
    .optional(),
  rollup: z.looseObject({ relation_property_id: z.string().optional() }).optional(),
  formula: z.looseObject({ expression: z.string().optional() }).optional(),
});
export type PropertyAnswer = z.infer<typeof propertySchema>;
export const dataSourceSchema = z.looseObject({
  id: z.string(),
  title: z.array(z.looseObject({ plain_text: z.string().optional() })).optional(),
  parent: z.looseObject({ database_id: z.string().optional() }).optional(),
  properties: z.record(z.string(), propertySchema),
});
export type DataSourceAnswer = z.infer<typeof dataSourceSchema>;

/** A search hit: the data sources (filter object: data_source) the integration can read. */
export const searchAnswerSchema = list(z.looseObject({ object: z.string(), id: z.string() }));
export type SearchAnswer = z.infer<typeof searchAnswerSchema>;

export const botSchema = z.looseObject({ name: z.string().nullish() });

/**
 * Checks one answer. A list without its `results` array is named as such (a proxy's page, a changed
 * API); any other problem names the field. Not retried: the same answer would come again. The
 * message keeps the answer's content out, since it is page data.
 */
export function checkAnswer<T extends z.ZodType>(schema: T, answer: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(answer);
  if (parsed.success) return parsed.data;
  const results = (answer as { results?: unknown } | null)?.results;
  const listAnswer = "shape" in schema && typeof schema.shape === "object" && schema.shape !== null && "results" in schema.shape;
  if (listAnswer && !Array.isArray(results)) {
    const got = results === undefined ? "no results" : `results of type ${typeof results}`;
    throw new NotionError("notion_bad_response", `${what}: Notion's answer has no results list (${got}; a proxy, or a changed API?)`, { transient: false });
  }
  const issue = parsed.error.issues[0];
  throw new NotionError(
    "notion_bad_response",
    `${what}: Notion's answer is malformed: ${issue?.path.join(".") || "(the answer)"}: ${issue?.message ?? "invalid"}`,
    { transient: false },
  );
}
