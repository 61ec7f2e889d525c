import { Ajv, type AnySchema, type ValidateFunction } from "ajv";
import { createGenerator } from "ts-json-schema-generator";

/**
 * JSON Schemas generated from the response types `@notionhq/client` publishes (see sdk-answers.ts),
 * compiled with ajv. Objects are closed (`additionalProperties: false`): a field the SDK does not know
 * is a finding. One documented exception: page-object relations carry `has_more` ("true if a relation
 * contains more than 25 related pages", API reference), which the SDK type lacks.
 */
export const ANSWERS = [
  "PageAnswer",
  "QueryAnswer",
  "DataSourceAnswer",
  "DatabaseAnswer",
  "PropertyItemAnswer",
  "PropertyItemListAnswer",
  "UsersAnswer",
  "UserAnswer",
  "SearchAnswer",
] as const;
export type AnswerType = (typeof ANSWERS)[number];

export type Validators = Record<AnswerType, ValidateFunction>;

export function sdkValidators(): Validators {
  const generator = createGenerator({
    path: new URL("./sdk-answers.ts", import.meta.url).pathname,
    tsconfig: new URL("../../tsconfig.json", import.meta.url).pathname,
    type: "*",
    skipTypeCheck: true,
    additionalProperties: false,
    expose: "export",
    topRef: false,
    jsDoc: "none",
  });
  const ajv = new Ajv({ allErrors: false, strict: false });
  const out = {} as Validators;
  for (const name of ANSWERS) out[name] = ajv.compile(allowRelationHasMore(generator.createSchema(name)) as AnySchema);
  return out;
}

/** Adds `has_more` to every relation value that carries an `id` (page-object property values). */
function allowRelationHasMore(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(allowRelationHasMore);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) out[key] = allowRelationHasMore(value);
  const props = out["properties"] as Record<string, { const?: unknown; type?: unknown }> | undefined;
  if (props?.["type"]?.const === "relation" && props["relation"]?.type === "array" && props["id"])
    out["properties"] = { ...props, has_more: { type: "boolean" } };
  return out;
}

/** The first problems ajv found, short enough for an assertion message. */
export function problems(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`)
    .join("; ");
}
