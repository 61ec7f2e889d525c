import type { UserRecord } from "../model/types.js";
import type { Workspace } from "../store/workspace.js";
import type { PartialUserObjectResponse, UserObjectResponse } from "./wire-types.js";

export const WORKSPACE_NAME = "Northwind Finance PPM (sandbox)";

/** A full user object as `GET /v1/users/{id}` returns it. */
export function renderUser(ws: Workspace, user: UserRecord): UserObjectResponse {
  const common = { object: "user" as const, id: user.id, name: user.name, avatar_url: user.avatarUrl };
  if (user.type === "person") return { ...common, type: "person", person: user.email === null ? {} : { email: user.email } };
  return {
    ...common,
    type: "bot",
    bot: {
      owner: { type: "workspace", workspace: true },
      workspace_name: WORKSPACE_NAME,
      workspace_id: ws.workspaceId,
      workspace_limits: { max_file_upload_size_in_bytes: 5_368_709_120 },
    },
  };
}

/** A user by id: full when known, partial `{object:"user", id}` otherwise (e.g. a removed member). */
export function renderUserRef(ws: Workspace, id: string): UserObjectResponse | PartialUserObjectResponse {
  const user = ws.userById.get(id);
  return user ? renderUser(ws, user) : { object: "user", id };
}

/** `{object:"user", id}` as in page `created_by`/`last_edited_by`. */
export function partialUser(id: string): PartialUserObjectResponse {
  return { object: "user", id };
}
