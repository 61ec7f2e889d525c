/**
 * The Notion page as the engine relies on it, once checked where it enters (`page-schema.ts`). A
 * types-only module: the Notion edge produces these, the transform consumes them, and neither
 * imports the other's code for them.
 */

/** The parts of a Notion page object the engine relies on (validated at the Notion edge). */
export interface NotionPage {
  readonly object: "page";
  readonly id: string;
  readonly created_time: string;
  readonly last_edited_time: string;
  readonly url: string;
  readonly in_trash?: boolean;
  readonly archived?: boolean;
  readonly properties: Readonly<Record<string, PropertyValue>>;
  readonly [key: string]: unknown;
}

/** A page property value: `{ id, type, [type]: … }` with an open set of types. */
export interface PropertyValue {
  readonly id: string;
  readonly type: string;
  readonly [key: string]: unknown;
}

/** Names and e-mails of workspace users, for `extract: name | email` on people columns. */
export interface UserDirectory {
  get(userId: string): { readonly name?: string | null; readonly email?: string | null } | undefined;
}
