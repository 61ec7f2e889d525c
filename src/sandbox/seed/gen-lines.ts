import { uuidFrom } from "../core/ids.js";
import { rngStream, type Rng } from "../core/rng.js";
import { DAY_MS, floorToMinute, isoDate, SEED_EPOCH_MS } from "../core/time.js";
import type { DataSourceRecord, DateValue, PageRecord } from "../model/types.js";
import { CATEGORIES, COST_CENTERS, LINE_ITEMS, MONTHS } from "./catalog.js";
import { monthEnd, round2, type SeedContext } from "./helpers.js";
import { BIG_PROJECT, PLANT, TRASHED_PROJECT } from "./plan.js";
import { optionId, pid } from "./schemas.js";

const NO_PROJECT = -1;

/**
 * Which project each budget line belongs to: one project gets exactly 60 lines, three get 26–40,
 * the rest a handful; lines beyond that (from `scale`) spread over the other live projects.
 */
function assignProjects(rng: Rng, count: number): number[] {
  const planted = new Map<number, number>([
    [PLANT.lineNoProject, NO_PROJECT],
    [PLANT.lineOrphanProject, TRASHED_PROJECT],
  ]);
  const plantedHere = [...planted.keys()].filter((i) => i < count).length;
  let slots: number[] = Array.from({ length: 60 }, () => BIG_PROJECT);
  for (let p = 1; p <= 39; p++) {
    const n = p <= 3 ? rng.int(26, 40) : rng.int(3, 9);
    for (let k = 0; k < n; k++) slots.push(p);
  }
  const available = count - plantedHere;
  if (slots.length > available) slots = rng.shuffle(slots).slice(0, available);
  while (slots.length < available) slots.push(rng.int(1, 39));
  slots = rng.shuffle(slots);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < count; i++) out.push(planted.get(i) ?? slots[next++] ?? NO_PROJECT);
  return out;
}

/** Seeds `ctx.budgetLines` budget lines; created times are spread so that at most ~10 share a minute. */
export function generateBudgetLines(ctx: SeedContext): void {
  const { projects, budget_lines: lines } = ctx.s;
  const n = ctx.budgetLines;
  const rng = rngStream(ctx.seed, "data:budget_lines");
  const idRng = rngStream(ctx.seed, "ids:pages:budget_lines");
  const projectOf = assignProjects(rng, n);
  const linesPer = new Map<number, number>();
  for (const p of projectOf) linesPer.set(p, (linesPer.get(p) ?? 0) + 1);
  const budgetId = pid(projects, "Budget");
  const v = lineProperties(lines);
  const projectLines = pid(projects, "Budget Lines");
  const categoryIds = CATEGORIES.map((c) => optionId(lines, "Category", c));
  const periods = new Map<number, DateValue>();
  const step = Math.max(6_000, Math.floor((240 * DAY_MS) / Math.max(1, n)));
  const firstCreated = SEED_EPOCH_MS - 5 * DAY_MS - n * step;
  for (let i = 0; i < n; i++) {
    const id = uuidFrom(idRng);
    const created = floorToMinute(firstCreated + i * step + rng.int(0, Math.floor(step / 2)));
    const edited = rng.chance(0.3) ? created : floorToMinute(created + rng.next() * Math.min(45 * DAY_MS, SEED_EPOCH_MS - created));
    const createdBy = rng.pick(ctx.people).id;
    const cat = rng.int(0, CATEGORIES.length - 1);
    const month = rng.int(0, 29);
    let periodValue = periods.get(month);
    if (!periodValue) {
      const start = isoDate(Date.UTC(2025, month, 1));
      periodValue = { start, end: monthEnd(start), time_zone: null };
      periods.set(month, periodValue);
    }
    const year = 2025 + Math.floor(month / 12);
    const projectIndex = projectOf[i] ?? NO_PROJECT;
    const projectPage = projectIndex === NO_PROJECT ? undefined : projects.pages[projectIndex];
    const share = Math.abs(Number(projectPage?.values[budgetId] ?? 250_000)) / (linesPer.get(projectIndex) ?? 1);
    const plannedValue = i === PLANT.lineNegativePlanned ? -4_500 : Math.max(5, Math.round((share * (0.5 + rng.next())) / 100)) * 100;
    const past = Date.parse(periodValue.start) < SEED_EPOCH_MS;
    const page: PageRecord = {
      id,
      dataSourceId: lines.id,
      createdTime: created,
      lastEditedTime: edited,
      createdBy,
      lastEditedBy: edited === created ? createdBy : rng.pick(ctx.people).id,
      inTrash: false,
      values: {
        [v.title]: `${rng.pick(LINE_ITEMS[CATEGORIES[cat] ?? "Other"])} – ${MONTHS[month % 12]} ${year}`,
        [v.project]: projectPage ? [projectPage.id] : [],
        [v.category]: categoryIds[cat] ?? null,
        [v.fiscalYear]: year,
        [v.planned]: plannedValue,
        [v.actual]: past && rng.chance(0.85) ? round2(Math.abs(plannedValue) * (0.6 + rng.next() * 0.7)) : null,
        [v.approved]: rng.chance(0.8),
        [v.costCenter]: i === PLANT.lineBadCostCenter ? "CC-12A4" : rng.pick(COST_CENTERS),
        [v.period]: periodValue,
        [v.lineNo]: i + 1,
      },
    };
    lines.pages.push(page);
    if (projectPage) (projectPage.values[projectLines] as string[]).push(id);
  }
}

/** The property ids of the budget lines' data source, by their role. */
function lineProperties(lines: DataSourceRecord) {
  const v = (name: string) => pid(lines, name);
  return {
    title: v("Line"),
    project: v("Project"),
    category: v("Category"),
    fiscalYear: v("Fiscal Year"),
    planned: v("Planned"),
    actual: v("Actual"),
    approved: v("Approved"),
    costCenter: v("Cost Center"),
    period: v("Period"),
    lineNo: v("Line No"),
  };
}
