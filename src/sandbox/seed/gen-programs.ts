import { uuidFrom } from "../core/ids.js";
import { rngStream, type Rng } from "../core/rng.js";
import { DAY_MS, isoDate } from "../core/time.js";
import type { DateValue, FileValue, StoredValue } from "../model/types.js";
import { ATTACHMENTS, PROGRAM_NAMES, PROJECT_NAMES, TAG_SETS } from "./catalog.js";
import { epochDate, monthEnd, pad3, round2, seedPage, seededTimes, somePeople, type SeedContext } from "./helpers.js";
import { COUNTS, PLANT, TRASHED_PROJECT, pageIds } from "./plan.js";
import { optionId, pid } from "./schemas.js";

/** Seeds the programs (8) and projects (40 live + 1 trashed), with the dual Program ↔ Projects relation. */
export function generateProgramsAndProjects(ctx: SeedContext): void {
  const { programs } = ctx.s;
  const rng = rngStream(ctx.seed, "data:programs");
  const names = rng.shuffle(PROGRAM_NAMES);
  const ids = pageIds(ctx.seed, "programs", COUNTS.programs);
  const v = (name: string) => pid(programs, name);
  ids.forEach((id, i) => {
    const page = seedPage(programs, id, rng, ctx.people, seededTimes(rng, 420, 540));
    const codeIndex = i === PLANT.duplicateCode.program ? PLANT.duplicateCode.copyOf : i;
    const start = isoDate(Date.UTC(2025, rng.int(0, 17), 1));
    const end = monthEnd(isoDate(Date.parse(start) + rng.int(12, 30) * 30 * DAY_MS));
    const values: Record<string, StoredValue> = {
      [v("Name")]: names[i] ?? `Program ${i + 1}`,
      [v("Code")]: `PRG-${pad3(codeIndex + 1)}`,
      [v("Status")]: optionId(programs, "Status", rng.pick(["Planning", "Active", "Active", "Active", "On Hold", "Closed"])),
      [v("Owner")]: i === 3 ? [] : somePeople(rng, ctx.people, rng.int(1, 2)),
      [v("Timeline")]: { start, end, time_zone: null },
      [v("Budget")]: rng.int(15, 120) * 100_000,
      [v("Strategic")]: rng.chance(0.5),
      [v("Tags")]: rng
        .shuffle(TAG_SETS.programs)
        .slice(0, rng.int(1, 3))
        .map((t) => optionId(programs, "Tags", t)),
      [v("Projects")]: [],
      [v("Program ID")]: i + 1,
    };
    page.values = values;
  });
  generateProjects(ctx, ids);
}

function generateProjects(ctx: SeedContext, programIds: string[]): void {
  const { programs, projects } = ctx.s;
  const rng = rngStream(ctx.seed, "data:projects");
  const fileRng = rngStream(ctx.seed, "ids:files");
  const names = rng.shuffle(PROJECT_NAMES);
  const ids = pageIds(ctx.seed, "projects", COUNTS.projects);
  const v = (name: string) => pid(projects, name);
  const programProjects = pid(programs, "Projects");
  ids.forEach((id, i) => {
    const page = seedPage(projects, id, rng, ctx.people, seededTimes(rng, 200, 400));
    const status = rng.pick(["Not started", "In progress", "In progress", "In progress", "Blocked", "Done"] as const);
    const manager = rng.chance(0.9) ? rng.pick(ctx.people) : undefined;
    const kickoffDay = epochDate(rng.int(-420, 60));
    const budget = i === PLANT.negativeProjectBudget ? -25_000 : rng.int(8, 200) * 10_000;
    const spent = status === "Not started" ? null : round2(Math.abs(budget) * (0.05 + rng.next() * 1.1));
    const complete = i === PLANT.projectOverComplete ? 1.2 : status === "Done" ? 1 : status === "Not started" ? 0 : round2(0.05 + rng.next() * 0.9);
    const slug = (names[i] ?? "project").toLowerCase().replace(/[^a-z0-9]+/g, "-");
    page.values = {
      [v("Name")]: i === PLANT.emptyProjectName ? "" : (names[i] ?? `Project ${i + 1}`),
      [v("Program")]: [],
      [v("Status")]: optionId(projects, "Status", status),
      [v("Priority")]: optionId(projects, "Priority", rng.pick(["P0", "P1", "P1", "P2", "P2", "P3"])),
      [v("Project Manager")]: manager ? [manager.id] : [],
      [v("Kickoff")]: kickoff(rng, kickoffDay),
      [v("Due")]: rng.chance(0.92) ? { start: isoDate(Date.parse(kickoffDay) + rng.int(90, 540) * DAY_MS), end: null, time_zone: null } : null,
      [v("Budget")]: budget,
      [v("Spent")]: spent,
      [v("Complete")]: complete,
      [v("Budget Lines")]: [],
      [v("Docs")]: rng.chance(0.8) ? `https://wiki.northwind-finance.example/ppm/${slug}` : null,
      [v("Contact")]: manager?.email ?? null,
      [v("Phone")]: rng.chance(0.7) ? `+44 20 7946 ${String(rng.int(0, 9999)).padStart(4, "0")}` : null,
      [v("Attachments")]: attachments(rng, fileRng, slug),
      [v("Project Code")]: i + 1,
    };
    if (i === TRASHED_PROJECT) {
      page.inTrash = true;
      return;
    }
    const programId = programIds[i % programIds.length] ?? "";
    page.values[v("Program")] = [programId];
    const program = programs.pages.find((p) => p.id === programId);
    if (program) (program.values[programProjects] as string[]).push(id);
  });
}

const OFFSETS = ["+01:00", "+00:00", "-05:00", "+05:30", "+02:00", "Z"] as const;

/** A kickoff date-time with a UTC offset, e.g. `2026-03-02T09:30:00.000+01:00`. */
function kickoff(rng: Rng, day: string): DateValue {
  const hh = String(rng.int(8, 16)).padStart(2, "0");
  const mm = rng.pick(["00", "30"]);
  return { start: `${day}T${hh}:${mm}:00.000${rng.pick(OFFSETS)}`, end: null, time_zone: null };
}

function attachments(rng: Rng, fileRng: Rng, slug: string): FileValue[] {
  return rng
    .shuffle(ATTACHMENTS)
    .slice(0, rng.int(0, 3))
    .map((name, k): FileValue =>
      k % 2 === 0
        ? { name, kind: "file", url: `${uuidFrom(fileRng)}/${name}` }
        : { name, kind: "external", url: `https://drive.northwind-finance.example/${slug}/${name}` },
    );
}
