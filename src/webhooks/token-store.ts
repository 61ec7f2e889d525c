import { randomUUID } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Secret } from "../config/secret.js";
import { fsError } from "../state/fs-errors.js";

/** Where the handshake's verification token is kept: in the watermark (state) directory, readable by its owner only. */
export const TOKEN_FILE = "notion-webhook-token";

/**
 * The webhook subscription's verification token. `NOTION_WEBHOOK_VERIFICATION_TOKEN` wins when set;
 * else the token the subscription's handshake delivered, kept in a 0600 file. A handshake is taken only
 * while no token is known: a later one (anyone can POST a `verification_token`) must not replace the
 * token that signs the real subscription's events. To take a new subscription's token, delete the file.
 */
export interface WebhookTokenStore {
  /** The token events are verified with; undefined until the handshake or the variable gives one. */
  current(): Promise<Secret | undefined>;
  /** Keeps a handshake's token: `stored` (with the file it went to), or `refused` because a token is known. */
  offer(token: string): Promise<{ outcome: "stored" | "refused"; file: string }>;
  readonly file: string;
}

export function webhookTokenStore(directory: string, configured: Secret | undefined): WebhookTokenStore {
  const file = join(directory, TOKEN_FILE);
  // Read at every delivery (they are few): a file deleted to take a new subscription's token counts at once.
  const readStored = async (): Promise<Secret | undefined> => {
    try {
      const text = (await readFile(file, "utf8")).trim();
      return text ? new Secret(text) : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw fsError(error, "read the webhook verification token", file);
    }
  };
  return {
    file,
    current: async () => configured ?? (await readStored()),
    async offer(token) {
      if (configured || (await readStored())) return { outcome: "refused", file };
      // Written whole beside it, then linked into place: never half-written, and of two handshakes at once only one lands.
      const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
      try {
        await mkdir(directory, { recursive: true });
        await writeFile(temp, `${token}\n`, { mode: 0o600, flush: true });
        await link(temp, file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EEXIST") return { outcome: "refused", file };
        throw fsError(error, "store the webhook verification token", file);
      } finally {
        await rm(temp, { force: true });
      }
      return { outcome: "stored", file };
    },
  };
}
