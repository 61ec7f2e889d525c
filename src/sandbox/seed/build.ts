import { SEED_EPOCH_MS, DAY_MS } from "../core/time.js";
import { Workspace } from "../store/workspace.js";
import { generateBudgetLines } from "./gen-lines.js";
import { generateProgramsAndProjects } from "./gen-programs.js";
import { generateMilestones, generateRisks } from "./gen-tracking.js";
import { COUNTS } from "./plan.js";
import { buildSchemas, DATABASE_KEYS } from "./schemas.js";
import { buildUsers } from "./users.js";

export interface SeedOptions {
  seed: number;
  /** Budget lines to create (default 400). */
  budgetLines?: number;
  now: () => number;
}

/** Builds the seeded finance PPM workspace. Deterministic in `seed` and `budgetLines`; the clock is not used. */
export function buildWorkspace(options: SeedOptions): Workspace {
  const { people, bot } = buildUsers(options.seed);
  const owner = people[0];
  if (!owner) throw new Error("the seed catalog has no people");
  const s = buildSchemas(options.seed, owner.id, SEED_EPOCH_MS - 600 * DAY_MS);
  const ctx = { seed: options.seed, s, people, budgetLines: Math.max(0, Math.floor(options.budgetLines ?? COUNTS.budget_lines)) };
  generateProgramsAndProjects(ctx);
  generateBudgetLines(ctx);
  generateMilestones(ctx);
  generateRisks(ctx);
  const ws = new Workspace(options.seed, options.now, people, bot);
  for (const key of DATABASE_KEYS) {
    const ds = s[key];
    ws.addDataSource(ds);
    for (const page of ds.pages) ws.pages.set(page.id, page);
  }
  return ws;
}
