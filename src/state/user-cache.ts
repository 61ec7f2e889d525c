import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { writeFileAtomic } from "./atomic-file.js";
import { fsError } from "./fs-errors.js";

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
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw fsError(error, "read the user cache", path);
      }
      const parsed = cacheSchema.safeParse(JSON.parse(text.trim() || "null"));
      if (!parsed.success) return undefined;
      const byId = new Map(parsed.data.users.map((u) => [u.id, u]));
      return { directory: { get: (id) => byId.get(id) }, savedAt: parsed.data.savedAt };
    },
  };
}
