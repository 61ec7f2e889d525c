import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-file.js";
import { parseJson, readStateFile } from "./fs-errors.js";

/** Beside the watermarks, named so that their listing never takes it for one. */
const FILE = "notion-users.cache";

const cacheSchema = z.object({
  savedAt: z.string(),
  users: z.array(z.object({ id: z.string(), name: z.string().nullable(), email: z.string().nullable() })),
});

/** Looks a user up by id (the transform's UserDirectory). */
export interface CachedDirectory {
  get(userId: string): { readonly name: string | null; readonly email: string | null } | undefined;
}

export interface CachedUsers {
  readonly savedAt: string;
  readonly users: readonly { readonly id: string; readonly name: string | null; readonly email: string | null }[];
}

/**
 * The workspace's users as the last sync read them (`extract: name | email` where a page's own people
 * value lacks them), kept so that a rebuild from bronze needs no Notion request.
 */
export function userCache(directory: string) {
  const path = join(directory, FILE);
  return {
    path,
    save: (users: CachedUsers) => writeFileAtomic(path, `${JSON.stringify(users)}\n`, "write the user cache"),
    /** The cached directory, or undefined when none was saved (or it cannot be read: it is only a cache). */
    async load(): Promise<{ directory: CachedDirectory; savedAt: string } | undefined> {
      const text = await readStateFile(path, "read the user cache");
      const parsed = cacheSchema.safeParse(text === undefined ? undefined : parseJson(text));
      if (!parsed.success) return undefined;
      const byId = new Map(parsed.data.users.map((u) => [u.id, u]));
      return { directory: { get: (id) => byId.get(id) }, savedAt: parsed.data.savedAt };
    },
  };
}
