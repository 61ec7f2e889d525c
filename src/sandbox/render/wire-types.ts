/**
 * The wire shapes the sandbox answers with, named after the response types Notion publishes in
 * `@notionhq/client`: every renderer returns one of them, so `tsc` holds the sandbox to Notion's own
 * types (and test/sandbox/wire-types.test.ts validates the answers at run time against JSON Schemas
 * generated from the same types). Type-only imports of an outside package: the sandbox still imports
 * nothing from the rest of src/.
 */
import type {
  DatabaseObjectResponse,
  DataSourceObjectResponse,
  ListUsersResponse,
  PageObjectResponse,
  PartialUserObjectResponse,
  PropertyItemListResponse,
  PropertyItemObjectResponse,
  QueryDataSourceResponse,
  RichTextItemResponse,
  SearchResponse,
  UserObjectResponse,
} from "@notionhq/client";

export type {
  DatabaseObjectResponse,
  DataSourceObjectResponse,
  ListUsersResponse,
  PartialUserObjectResponse,
  PropertyItemListResponse,
  PropertyItemObjectResponse,
  QueryDataSourceResponse,
  RichTextItemResponse,
  SearchResponse,
  UserObjectResponse,
};

/** A page object; under API version 2026-03-11 without the deprecated `archived`. */
export type PageAnswer = Omit<PageObjectResponse, "archived"> & Partial<Pick<PageObjectResponse, "archived">>;

/** One page property value, `{id, type, [type]: value}`. */
export type PropertyValueAnswer = PageObjectResponse["properties"][string];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A property value without its id (the body of a page property, an element of a show-original rollup). */
export type ValueBody = DistributiveOmit<PropertyValueAnswer, "id">;

/** A rollup value as page objects hold it. */
export type RollupAnswer = Extract<ValueBody, { type: "rollup" }>["rollup"];

/** The `property_item` envelope of a property-item list. */
export type PropertyItemEnvelope = PropertyItemListResponse["property_item"];

export type SelectAnswer = NonNullable<Extract<ValueBody, { type: "select" }>["select"]>;
export type DateAnswer = NonNullable<Extract<ValueBody, { type: "date" }>["date"]>;
export type FileAnswer = Extract<ValueBody, { type: "files" }>["files"][number];
export type FormulaAnswer = Extract<ValueBody, { type: "formula" }>["formula"];
