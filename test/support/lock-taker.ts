/** Takes the run lock in its own process, holds it briefly, and prints when it held it (for the race test). */
import { acquireRunLock } from "../../src/state/index.js";

const [dir, runId] = process.argv.slice(2) as [string, string];
try {
  const lock = await acquireRunLock(dir, runId, { staleAfterMs: 60_000 });
  const from = performance.timeOrigin + performance.now();
  await new Promise((r) => setTimeout(r, 150));
  const to = performance.timeOrigin + performance.now();
  await lock.release();
  process.stdout.write(JSON.stringify({ runId, from, to }));
} catch (error) {
  process.stdout.write(JSON.stringify({ runId, refused: (error as Error).message }));
}
