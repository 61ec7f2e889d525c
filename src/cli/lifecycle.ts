/**
 * What the CLI's signal handling shares with a command that owns its shutdown (the worker): `signal`
 * is aborted by the first SIGTERM/SIGINT/SIGHUP (stop gracefully), `forced` by a second one (stop now).
 * Other commands are forced out by the CLI itself after a default deadline.
 */
export interface Lifecycle {
  readonly signal: AbortSignal;
  readonly forced: AbortSignal;
}

/** Resolves when the signal aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener("abort", () => resolve(), { once: true })));
}
