import { rngStream, type Rng } from "../core/rng.js";
import type { FaultRule } from "../types.js";

/** What to do instead of serving a request. */
export type FaultDecision =
  | { kind: "status"; status: number; retryAfterSec?: number }
  | { kind: "html"; status: number }
  | { kind: "drop" };

const RANDOM_FAULTS: readonly FaultDecision[] = [
  { kind: "status", status: 500 },
  { kind: "status", status: 502 },
  { kind: "status", status: 503 },
  { kind: "status", status: 504 },
  { kind: "status", status: 529, retryAfterSec: 1 },
  { kind: "drop" },
];

/** Deterministic fault rules (first `times` matches) plus seeded random faults at `rate`. */
export class FaultInjector {
  private rules: Array<{ rule: FaultRule; left: number }> = [];
  private readonly rng: Rng;

  constructor(seed: number, private readonly rate: number) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`faultRate must be within 0..1, got ${rate}`);
    this.rng = rngStream(seed, "faults");
  }

  inject(rule: FaultRule): void {
    if (!Number.isInteger(rule.times) || rule.times < 1) throw new RangeError(`FaultRule.times must be a positive integer, got ${rule.times}`);
    this.rules.push({ rule, left: rule.times });
  }

  clear(): void {
    this.rules = [];
  }

  /** The first rule matching this request (consuming one of its `times`), if any. */
  match(method: string, path: string): FaultDecision | undefined {
    const hit = this.rules.find(({ rule, left }) => left > 0 && matches(rule, method, path));
    if (!hit) return undefined;
    hit.left -= 1;
    this.rules = this.rules.filter((r) => r.left > 0);
    const { rule } = hit;
    if (rule.kind === "drop") return { kind: "drop" };
    if (rule.kind === "html") return { kind: "html", status: rule.status ?? 502 };
    return { kind: "status", status: rule.status ?? 500, ...(rule.retryAfterSec === undefined ? {} : { retryAfterSec: rule.retryAfterSec }) };
  }

  /** A seeded random fault with probability `rate`. */
  random(): FaultDecision | undefined {
    if (this.rate <= 0 || this.rng.next() >= this.rate) return undefined;
    return this.rng.pick(RANDOM_FAULTS);
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  if (typeof rule.path === "string") return rule.path === path;
  rule.path.lastIndex = 0;
  return rule.path.test(path);
}
