import type { UserDirectory } from "../transform/types.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { checkList } from "./page-schema.js";

interface UserList { results: { id: string; name?: string | null; type?: string; person?: { email?: string | null } }[]; has_more: boolean; next_cursor: string | null }

/** Reads the workspace's users once (for `extract: name | email` on people columns). */
export async function loadUserDirectory(gateway: NotionGateway, counter?: RequestCounter): Promise<UserDirectory> {
  const users = new Map<string, { name: string | null; email: string | null }>();
  let cursor: string | undefined;
  do {
    const args = { page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) };
    const page = (await gateway.call("list users", counter, (c) => c.users.list(args).then((r) => checkList(r, "list users")))) as unknown as UserList;
    for (const user of page.results) users.set(user.id, { name: user.name ?? null, email: user.person?.email ?? null });
    cursor = page.has_more && page.next_cursor ? page.next_cursor : undefined;
  } while (cursor);
  return { get: (id) => users.get(id) };
}
