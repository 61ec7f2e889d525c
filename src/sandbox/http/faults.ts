import { rngStream, type Rng } from "../core/rng.js";
import type { FaultRule } from "../types.js";

/** What to do instead of serving a request. */
export type FaultDecision =
  | { kind: "status"; status: number; retryAfterSec?: number }
  | { kind: "html"; status: number }
  | { kind: "drop" }
  | { kind: "body"; status: number; body: string }
  | { kind: "mutate"; mutate: (json: unknown) => unknown };

/** A fault answered instead of the real answer (every kind but "mutate"). */
export type ReplacingFault = Exclude<FaultDecision, { kind: "mutate" }>;

const RANDOM_FAULTS: readonly ReplacingFault[] = [
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

  constructor(
    seed: number,
    private readonly rate: number,
  ) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`faultRate must be within 0..1, got ${rate}`);
    this.rng = rngStream(seed, "faults");
  }

  inject(rule: FaultRule): void {
    if (!Number.isInteger(rule.times) || rule.times < 1) throw new RangeError(`FaultRule.times must be a positive integer, got ${rule.times}`);
    if (rule.kind === "body" && rule.body === undefined) throw new RangeError('FaultRule.body is required with kind "body"');
    if (rule.kind === "mutate" && rule.mutate === undefined) throw new RangeError('FaultRule.mutate is required with kind "mutate"');
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
    if (rule.kind === "body") return { kind: "body", status: rule.status ?? 200, body: rule.body ?? "" };
    if (rule.kind === "mutate") return { kind: "mutate", mutate: rule.mutate ?? ((json) => json) };
    return { kind: "status", status: rule.status ?? 500, ...(rule.retryAfterSec === undefined ? {} : { retryAfterSec: rule.retryAfterSec }) };
  }

  /** A seeded random fault with probability `rate`. */
  random(): ReplacingFault | undefined {
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
