import { rngStream } from "../core/rng.js";
import { DAY_MS, isoDate, SEED_EPOCH_MS } from "../core/time.js";
import type { RichTextItem, UserRecord } from "../model/types.js";
import { textItem, userMention } from "../model/values.js";
import type { Rng } from "../core/rng.js";
import { MILESTONE_NAMES, MITIGATION_OPENERS, RISK_TITLES, TAG_SETS } from "./catalog.js";
import { epochDate, seedPage, seededTimes, somePeople, type SeedContext } from "./helpers.js";
import { COUNTS, PLANT, ghostPageId, pageIds } from "./plan.js";
import { optionId, pid } from "./schemas.js";

/** Seeds 120 milestones (three per live project). */
export function generateMilestones(ctx: SeedContext): void {
  const { milestones: ds, projects } = ctx.s;
  const rng = rngStream(ctx.seed, "data:milestones");
  const v = (name: string) => pid(ds, name);
  pageIds(ctx.seed, "milestones", COUNTS.milestones).forEach((id, i) => {
    const page = seedPage(ds, id, rng, ctx.people, seededTimes(rng, 20, 300));
    const projectId = i === PLANT.milestoneGhostProject ? ghostPageId(ctx.seed) : (projects.pages[Math.floor(i / 3)]?.id ?? "");
    const stage = (i % 3) * 2 + rng.int(0, 2);
    const due = epochDate(rng.int(-300, 240));
    const past = Date.parse(due) < SEED_EPOCH_MS;
    const status = past ? (rng.chance(0.85) ? "Done" : "In progress") : rng.chance(0.6) ? "Not started" : "In progress";
    const completedAt = Date.parse(due) + rng.int(-10, 20) * DAY_MS + rng.int(9, 18) * 3_600_000;
    page.values = {
      [v("Milestone")]: MILESTONE_NAMES[stage] ?? "Checkpoint",
      [v("Project")]: [projectId],
      [v("Due")]: { start: due, end: null, time_zone: null },
      [v("Completed On")]:
        status === "Done" ? { start: new Date(Math.min(completedAt, SEED_EPOCH_MS - DAY_MS)).toISOString(), end: null, time_zone: null } : null,
      [v("Status")]: optionId(ds, "Status", status),
      [v("Owner")]: rng.chance(0.1) ? [] : somePeople(rng, ctx.people, rng.int(1, 2)),
      [v("Done")]: status === "Done",
    };
  });
}

/** Seeds 100 risks, most with a multi-segment Mitigation (annotations, a link, a user mention). */
export function generateRisks(ctx: SeedContext): void {
  const { risks: ds, projects } = ctx.s;
  const rng = rngStream(ctx.seed, "data:risks");
  const v = (name: string) => pid(ds, name);
  pageIds(ctx.seed, "risks", COUNTS.risks).forEach((id, i) => {
    const page = seedPage(ds, id, rng, ctx.people, seededTimes(rng, 10, 250));
    const owner = rng.chance(0.9) ? rng.pick(ctx.people) : undefined;
    page.values = {
      [v("Risk")]: rng.pick(RISK_TITLES),
      [v("Project")]: [projects.pages[rng.int(0, 39)]?.id ?? ""],
      [v("Severity")]: optionId(ds, "Severity", rng.pick(["Low", "Medium", "Medium", "High", "Critical"])),
      [v("Likelihood")]: i === PLANT.riskLikelihoodOutOfRange ? 7 : rng.int(1, 5),
      [v("Impact")]: rng.int(1, 5),
      [v("Mitigation")]: rng.chance(0.8) ? mitigation(rng, owner ?? rng.pick(ctx.people)) : "",
      [v("Tags")]: rng
        .shuffle(TAG_SETS.risks)
        .slice(0, rng.int(0, 2))
        .map((t) => optionId(ds, "Tags", t)),
      [v("Owner")]: owner ? [owner.id] : [],
      [v("Review Date")]: rng.chance(0.6) ? { start: isoDate(SEED_EPOCH_MS + rng.int(-30, 120) * DAY_MS), end: null, time_zone: null } : null,
      [v("Open")]: rng.chance(0.7),
      [v("Risk ID")]: i + 1,
    };
  });
}

function mitigation(rng: Rng, person: UserRecord): RichTextItem[] {
  return [
    textItem(rng.pick(MITIGATION_OPENERS)),
    userMention(person.id, person.name),
    textItem("; follow the "),
    textItem("risk runbook", "https://wiki.northwind-finance.example/ppm/risk-runbook", { bold: true }),
    textItem(" and re-score "),
    textItem("before the next steering committee", null, { italic: true, color: "red" }),
    textItem("."),
  ];
}
