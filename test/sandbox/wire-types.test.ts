import type { Client, PropertyItemObjectResponse } from "@notionhq/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../src/sandbox/index.js";
import { problems, sdkValidators, type AnswerType, type Validators } from "../support/sdk-schemas.js";
import { addValueShowcase } from "../support/value-showcase.js";
import { clientFor } from "./support.js";

/**
 * The sandbox answers to Notion's own types: every answer of a seeded workspace (every property type,
 * every rollup shape, lists past 25, with the value showcase added) is validated against JSON Schemas
 * generated from the response types of `@notionhq/client`. A shape the SDK's types reject is a sandbox bug.
 */
type Json = Record<string, any>;
let sandbox: Sandbox;
let notion: Client;
let validators: Validators;
const failures: string[] = [];
let checked = 0;

function check(type: AnswerType, answer: unknown, what: string): void {
  checked += 1;
  const validate = validators[type];
  if (!validate(answer)) failures.push(`${what} is not a ${type}: ${problems(validate)}`);
}

beforeAll(async () => {
  validators = sdkValidators();
  sandbox = await startSandbox({ seed: 1, scale: 120 });
  addValueShowcase(sandbox);
  notion = clientFor(sandbox);
}, 60_000);
afterAll(() => sandbox.close());

describe("the sandbox's wire shapes against the SDK's response types", () => {
  it("rejects a deliberately wrong shape (so the check can fail)", async () => {
    const [project] = sandbox.store.pageIds(sandbox.databases.projects!.dataSourceId);
    const page = (await notion.pages.retrieve({ page_id: project! })) as Json;
    expect(validators.PageAnswer(page), problems(validators.PageAnswer)).toBe(true);
    // A property item holding a list where Notion holds one element, and a show-original envelope
    // carrying the values (the sandbox's own shapes before issue 14).
    // The same wrong shape fails the type check at compile time (tsc in npm test): the renderers are typed with these types.
    // @ts-expect-error a relation property item holds one `{id}`, not a list
    const wrongItem: PropertyItemObjectResponse = { object: "property_item", id: "x", type: "relation", relation: [{ id: project! }] };
    expect(validators.PropertyItemAnswer(wrongItem)).toBe(false);
    const names = (await notion.pages.properties.retrieve({ page_id: page.id, property_id: page.properties["Line Names"].id })) as Json;
    expect(validators.PropertyItemListAnswer(names), problems(validators.PropertyItemListAnswer)).toBe(true);
    const wrong = {
      ...names,
      property_item: { ...names.property_item, rollup: { type: "array", function: "show_original", array: [{ type: "title", title: [] }] } },
    };
    expect(validators.PropertyItemListAnswer(wrong)).toBe(false);
    expect(validators.PageAnswer({ ...page, parent: { type: "data_source_id" } })).toBe(false);
  });

  it("validates every answer of a seeded workspace: databases, schemas, queries, pages, property items, users, search", async () => {
    for (const [key, db] of Object.entries(sandbox.databases)) {
      check("DatabaseAnswer", await notion.databases.retrieve({ database_id: db.databaseId }), `database ${key}`);
      const schema = (await notion.dataSources.retrieve({ data_source_id: db.dataSourceId })) as Json;
      check("DataSourceAnswer", schema, `data source ${key}`);
      let cursor: string | undefined;
      const ids: string[] = [];
      do {
        const answer = await notion.dataSources.query({ data_source_id: db.dataSourceId, page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) });
        check("QueryAnswer", answer, `query ${key}`);
        ids.push(...answer.results.map((r) => r.id));
        cursor = answer.next_cursor ?? undefined;
      } while (cursor);
      for (const id of ids) {
        const page = (await notion.pages.retrieve({ page_id: id })) as Json;
        check("PageAnswer", page, `page ${key}/${id}`);
      }
      // Every property of a few pages (the largest lists first), through the property endpoint, in small answers.
      const pages = sandbox.store.listPages(db.dataSourceId) as Json[];
      const size = (p: Json) => JSON.stringify(p).length;
      for (const page of [...pages].sort((a, b) => size(b) - size(a)).slice(0, 4)) {
        for (const [name, value] of Object.entries(page.properties as Record<string, Json>)) {
          let itemCursor: string | undefined;
          do {
            const answer = (await notion.pages.properties.retrieve({
              page_id: page.id,
              property_id: value.id,
              page_size: 20,
              ...(itemCursor ? { start_cursor: itemCursor } : {}),
            })) as Json;
            check(answer.object === "list" ? "PropertyItemListAnswer" : "PropertyItemAnswer", answer, `property "${name}" of ${key}/${page.id as string}`);
            itemCursor = answer.object === "list" ? (answer.next_cursor ?? undefined) : undefined;
          } while (itemCursor);
        }
      }
    }
    let userCursor: string | undefined;
    do {
      const answer = await notion.users.list({ page_size: 7, ...(userCursor ? { start_cursor: userCursor } : {}) });
      check("UsersAnswer", answer, "users");
      userCursor = answer.next_cursor ?? undefined;
    } while (userCursor);
    check("UserAnswer", await notion.users.me({}), "users/me");
    check("SearchAnswer", await notion.search({ query: "" }), "search");
    expect(failures.slice(0, 10)).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  }, 120_000);
});
