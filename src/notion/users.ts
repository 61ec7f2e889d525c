import type { UserDirectory } from "../transform/types.js";
import type { NotionGateway, RequestCounter } from "./gateway.js";
import { checkId, checkList } from "./page-schema.js";
import { paginate } from "./paginate.js";

interface UserList { results: { id: string; name?: string | null; type?: string; person?: { email?: string | null } }[]; has_more: boolean; next_cursor: string | null }

/** At most this many answers (of 100 users) for the users list: a workspace of 100,000 people and bots. */
const MAX_USER_ANSWERS = 1_000;

/** Reads the workspace's users once (for `extract: name | email` on people columns). */
export async function loadUserDirectory(gateway: NotionGateway, counter?: RequestCounter): Promise<UserDirectory> {
  const users = new Map<string, { name: string | null; email: string | null }>();
  const what = "list users";
  const fetchAnswer = (cursor: string | undefined) => {
    const args = { page_size: 100, ...(cursor ? { start_cursor: cursor } : {}) };
    return gateway.call(what, counter, (c) => c.users.list(args).then((r) => checkList(r, what))) as unknown as Promise<UserList>;
  };
  for await (const answer of paginate(fetchAnswer, { what, maxAnswers: MAX_USER_ANSWERS })) {
    for (const user of answer.results) users.set(checkId(user.id, what), { name: user.name ?? null, email: user.person?.email ?? null });
  }
  return { get: (id) => users.get(id) };
}
