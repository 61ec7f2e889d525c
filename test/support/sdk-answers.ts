/**
 * The answers of the Notion API as `@notionhq/client` types them: the source of the JSON Schemas the
 * sandbox's wire shapes are validated against (test/support/sdk-schemas.ts).
 */
import type {
  DatabaseObjectResponse,
  DataSourceObjectResponse,
  ListUsersResponse,
  PageObjectResponse,
  PropertyItemListResponse,
  PropertyItemObjectResponse,
  QueryDataSourceResponse,
  SearchResponse,
  UserObjectResponse,
} from "@notionhq/client";

export type PageAnswer = PageObjectResponse;
export type QueryAnswer = QueryDataSourceResponse;
export type DataSourceAnswer = DataSourceObjectResponse;
export type DatabaseAnswer = DatabaseObjectResponse;
export type PropertyItemAnswer = PropertyItemObjectResponse;
export type PropertyItemListAnswer = PropertyItemListResponse;
export type UsersAnswer = ListUsersResponse;
export type UserAnswer = UserObjectResponse;
export type SearchAnswer = SearchResponse;
