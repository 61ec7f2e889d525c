/**
 * What the CLI's signal handling shares with a command: the abort signal (the first SIGTERM/SIGINT)
 * and how long the command may take to wind down before the process is forced out with exit 1.
 */
export interface Lifecycle {
  readonly signal: AbortSignal;
  deadlineMs: number;
}
