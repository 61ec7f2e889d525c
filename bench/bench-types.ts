/** One benchmark scenario's result: figures measured, the theoretical bound or target beside them. */
export interface ScenarioResult {
  readonly name: string;
  readonly figures: Record<string, number>;
  readonly bound: Record<string, number>;
  readonly target_met: boolean;
  readonly notes?: string;
}

export interface Scenario {
  readonly name: string;
  /** One or more results (scenarios that share a workspace run in order). */
  run(options: { quick: boolean }): Promise<ScenarioResult[]>;
}
