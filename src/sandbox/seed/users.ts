import { uuidFrom } from "../core/ids.js";
import { rngStream } from "../core/rng.js";
import type { UserRecord } from "../model/types.js";
import { EMAIL_DOMAIN, PEOPLE } from "./catalog.js";

/** The seeded members (type person, with e-mail) and the integration's bot user. */
export function buildUsers(seed: number): { people: UserRecord[]; bot: UserRecord } {
  const rng = rngStream(seed, "ids:users");
  const people = PEOPLE.map((name, i): UserRecord => ({
    id: uuidFrom(rng),
    name,
    type: "person",
    email: `${name
      .toLowerCase()
      .replace(/[^a-z ]/g, "")
      .replace(/ +/g, ".")}@${EMAIL_DOMAIN}`,
    avatarUrl: i % 3 === 2 ? null : `https://s3-us-west-2.amazonaws.com/public.notion-static.com/avatars/${i + 1}.png`,
  }));
  const bot: UserRecord = { id: uuidFrom(rng), name: "PPM Delta Sync", type: "bot", email: null, avatarUrl: null };
  return { people, bot };
}
