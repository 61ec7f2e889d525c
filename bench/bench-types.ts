/**
 * One repetition's measurement of a scenario: figures measured, the bound or target beside them, and
 * how the target is judged. The harness runs each scenario N times and reports, per figure, the
 * median with min and max; ratios are figures of their own run, so their median is taken too.
 */
export interface Measurement {
  readonly name: string;
  readonly figures: Record<string, number>;
  readonly bound: Record<string, number>;
  /** Judged on the medians of the figures and bounds (bounds that depend on the run are medians too). */
  readonly judge: (figures: Record<string, number>, bound: Record<string, number>) => boolean;
  readonly notes?: string;
}

/** The result as reported: medians, the range of each figure that varied, the repetitions behind it. */
export interface ScenarioResult {
  readonly name: string;
  readonly runs: number;
  readonly figures: Record<string, number>;
  /** [min, max] of each figure over the runs, for figures measured more than once. */
  readonly range: Record<string, [number, number]>;
  readonly bound: Record<string, number>;
  readonly target_met: boolean;
  readonly notes?: string;
}

export interface RunOptions {
  readonly quick: boolean;
  /** 0-based: work done once per bench run (a decomposition, a baseline) goes with repetition 0. */
  readonly repetition: number;
  /** CPU burner processes for the scenarios that measure pacing (0: none). */
  readonly load: number;
}

export interface Scenario {
  readonly name: string;
  /** One repetition: a fresh sandbox process, fresh warehouses, fresh engine processes. */
  run(options: RunOptions): Promise<Measurement[]>;
}
