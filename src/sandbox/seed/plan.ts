import { uuidFrom } from "../core/ids.js";
import { rngStream } from "../core/rng.js";
import type { PlantedProblem } from "../types.js";
import type { DatabaseKey } from "./schemas.js";

/** Page counts of the default workspace (projects include one trashed project). */
export const COUNTS = { programs: 8, projects: 41, budget_lines: 400, milestones: 120, risks: 100 } as const;

/** Index of the trashed project (no program; one budget line still points at it). */
export const TRASHED_PROJECT = 40;
/** Index of the project with exactly 60 budget lines (when the workspace has enough lines). */
export const BIG_PROJECT = 0;

/** Row indices of the planted data-quality problems. */
export const PLANT = {
  duplicateCode: { program: 6, copyOf: 2 },
  emptyProjectName: 5,
  negativeProjectBudget: 12,
  projectOverComplete: 21,
  lineNoProject: 7,
  lineOrphanProject: 13,
  lineNegativePlanned: 19,
  lineBadCostCenter: 23,
  milestoneGhostProject: 9,
  riskLikelihoodOutOfRange: 11,
} as const;

/** Page ids of one database, in creation order. The same stream the generators use. */
export function pageIds(seed: number, key: DatabaseKey, count: number): string[] {
  const rng = rngStream(seed, `ids:pages:${key}`);
  return Array.from({ length: count }, () => uuidFrom(rng));
}

/** The id a planted orphan relation points to: a page that does not exist. */
export function ghostPageId(seed: number): string {
  return uuidFrom(rngStream(seed, "ids:ghost"));
}

/** The data-quality problems planted in the workspace of `seed` with `budgetLines` budget lines. */
export function plantedProblems(seed: number, budgetLines: number = COUNTS.budget_lines): PlantedProblem[] {
  const programs = pageIds(seed, "programs", COUNTS.programs);
  const projects = pageIds(seed, "projects", COUNTS.projects);
  const lines = pageIds(seed, "budget_lines", Math.min(budgetLines, 24));
  const milestones = pageIds(seed, "milestones", COUNTS.milestones);
  const risks = pageIds(seed, "risks", COUNTS.risks);
  const at = (ids: string[], i: number) => ids[i] ?? "";
  const out: PlantedProblem[] = [
    {
      database: "programs",
      pageId: at(programs, PLANT.duplicateCode.program),
      column: "program_code",
      rule: "duplicate",
      note: `Code duplicates program #${PLANT.duplicateCode.copyOf + 1}'s code`,
    },
    { database: "projects", pageId: at(projects, PLANT.emptyProjectName), column: "name", rule: "required", note: "empty Name" },
    { database: "projects", pageId: at(projects, PLANT.negativeProjectBudget), column: "budget", rule: "invalid", note: "negative Budget" },
    { database: "projects", pageId: at(projects, PLANT.projectOverComplete), column: "percent_complete", rule: "invalid", note: "Complete above 100%" },
    { database: "budget_lines", pageId: at(lines, PLANT.lineNoProject), column: "project_id", rule: "required", note: "no Project" },
    { database: "budget_lines", pageId: at(lines, PLANT.lineOrphanProject), column: "project_id", rule: "orphan", note: "Project is a trashed page" },
    { database: "budget_lines", pageId: at(lines, PLANT.lineNegativePlanned), column: "planned_amount", rule: "invalid", note: "negative Planned" },
    { database: "budget_lines", pageId: at(lines, PLANT.lineBadCostCenter), column: "cost_center", rule: "invalid", note: "Cost Center breaks ^CC-[0-9]{4}$" },
    {
      database: "milestones",
      pageId: at(milestones, PLANT.milestoneGhostProject),
      column: "project_id",
      rule: "orphan",
      note: "Project points to a page that does not exist",
    },
    { database: "risks", pageId: at(risks, PLANT.riskLikelihoodOutOfRange), column: "likelihood", rule: "invalid", note: "Likelihood 7 (allowed 1..5)" },
  ];
  return out.filter((p) => p.pageId !== "");
}

/** The planted problems of the default workspace (seed 1, 400 budget lines). */
export const PLANTED_PROBLEMS: readonly PlantedProblem[] = Object.freeze(plantedProblems(1));
