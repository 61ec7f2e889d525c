import { decodeOffsetCursor, encodeOffsetCursor } from "../query/cursor.js";
import { notFound } from "../errors.js";
import { pathId, queryPageSize, type Route } from "../http/router.js";
import { renderUser } from "../render/users.js";
import type { ListUsersResponse } from "../render/wire-types.js";

/** `/v1/users/me`, `/v1/users` (paginated), `/v1/users/{id}`. */
export const userRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/v1\/users\/me$/,
    handler: ({ ws }) => renderUser(ws, ws.bot),
  },
  {
    method: "GET",
    pattern: /^\/v1\/users$/,
    handler: ({ ws, query }): ListUsersResponse => {
      const all = [...ws.users, ws.bot];
      const size = queryPageSize(query);
      const raw = query.get("start_cursor");
      const start = raw ? decodeOffsetCursor("users", raw) : 0;
      const slice = all.slice(start, start + size);
      const more = start + size < all.length;
      return {
        object: "list",
        results: slice.map((u) => renderUser(ws, u)),
        next_cursor: more ? encodeOffsetCursor("users", start + size) : null,
        has_more: more,
        type: "user",
        user: {},
      };
    },
  },
  {
    method: "GET",
    pattern: /^\/v1\/users\/([^/]+)$/,
    handler: ({ ws, params }) => {
      const id = pathId(params[0], "user_id");
      const user = ws.userById.get(id);
      if (!user) throw notFound("user", id);
      return renderUser(ws, user);
    },
  },
];
