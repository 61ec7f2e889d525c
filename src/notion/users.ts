import type { UserDirectory } from "./types.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { checkId } from "./page-schema.js";
import { paginate } from "./paginate.js";

/** At most this many answers (of 100 users) for the users list: a workspace of 100,000 people and bots. */
const MAX_USER_ANSWERS = 1_000;

/** Reads the workspace's users once (for `extract: name | email` on people columns). */
export async function loadUserDirectory(
  gateway: NotionGateway,
  counter?: RequestCounter,
): Promise<UserDirectory & { readonly users: readonly { id: string; name: string | null; email: string | null }[] }> {
  const users = new Map<string, { name: string | null; email: string | null }>();
  const what = "list users";
  for await (const answer of paginate((cursor) => gateway.listUsers(cursor, what, counter), { what, maxAnswers: MAX_USER_ANSWERS })) {
    for (const user of answer.results) users.set(checkId(user.id, what), { name: user.name ?? null, email: user.person?.email ?? null });
  }
  return { get: (id) => users.get(id), users: [...users].map(([id, u]) => ({ id, ...u })) };
}
