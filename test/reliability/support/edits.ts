/**
 * Edits made in the sandbox between or during syncs. Only properties that no rollup of another page
 * reads are changed, and only pages nothing rolls up over are trashed: a rollup that changes without
 * its page's last_edited_time moving is the reconcile's business, not a crash's.
 */
import type { Sandbox } from "../../../src/sandbox/index.js";

export type Rng = () => number;

/** A small seeded generator (mulberry32), so that a failing trial can be replayed. */
export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

const EDITS: Record<string, (rng: Rng) => Record<string, unknown>> = {
  budget_lines: (rng) => (rng() < 0.5 ? { Planned: { number: Math.round(rng() * 1e7) / 100 } } : { Approved: { checkbox: rng() < 0.5 } }),
  projects: (rng) => ({ Spent: { number: Math.round(rng() * 1e8) / 100 } }),
  programs: (rng) => ({ Strategic: { checkbox: rng() < 0.5 } }),
  milestones: (rng) => ({ Done: { checkbox: rng() < 0.5 } }),
  risks: (rng) => ({ Impact: { number: 1 + Math.floor(rng() * 5) }, Mitigation: { rich_text: [{ text: { content: `plan ${Math.floor(rng() * 1e6)}` } }] } }),
};

/**
 * Edits `n` random pages (most of them budget lines), and trashes or restores a few risks and
 * milestones. Returns the edits made: `n`, plus each page actually trashed or restored.
 */
export function editPages(sandbox: Sandbox, rng: Rng, n: number, options: { trash?: boolean } = {}): number {
  const ids = (key: string) => sandbox.store.pageIds(sandbox.databases[key]!.dataSourceId);
  for (let i = 0; i < n; i += 1) {
    const key = rng() < 0.7 ? "budget_lines" : pick(rng, Object.keys(EDITS));
    sandbox.store.updatePage(pick(rng, ids(key)), EDITS[key]!(rng));
  }
  if (options.trash === false) return n;
  let done = n;
  for (const key of ["risks", "milestones"]) {
    const all = sandbox.store.pageIds(sandbox.databases[key]!.dataSourceId, { includeTrashed: true });
    const live = new Set(ids(key));
    const trashed = all.filter((id) => !live.has(id));
    if (rng() < 0.5) {
      if (live.size > 0) {
        sandbox.store.trashPage(pick(rng, [...live]));
        done += 1;
      }
    } else if (trashed.length > 0) {
      sandbox.store.trashPage(pick(rng, trashed), false);
      done += 1;
    }
  }
  return done;
}
