import { createHash } from "node:crypto";

/** A fixed document shaped like a page of query results: 100 pages of a dozen properties. */
const DOCUMENT = {
  object: "list",
  results: Array.from({ length: 100 }, (_, i) => ({
    object: "page",
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    last_edited_time: "2026-01-01T00:00:00.000Z",
    properties: Object.fromEntries(
      Array.from({ length: 12 }, (_, j) => [
        `Property ${j}`,
        { id: `p${j}`, type: "rich_text", rich_text: [{ type: "text", plain_text: `value ${i}-${j}`, annotations: { bold: false, code: false } }] },
      ]),
    ),
  })),
};
const ROUNDS = 40;
const SAMPLES = 5;

/**
 * The machine's calibration figure: CPU milliseconds of a fixed loop (JSON text of a fixed result
 * page written, parsed and hashed, 40 times), the median of 5 samples. Slower machine, larger figure:
 * figures of two machines compare by the ratio of their calibrations. CPU time, so the other work on
 * the machine counts only as far as it slows a core down (shared caches, frequency).
 */
export function calibrate(): number {
  let sink = 0;
  const samples: number[] = [];
  for (let s = 0; s < SAMPLES; s += 1) {
    const at = process.cpuUsage();
    for (let r = 0; r < ROUNDS; r += 1) {
      const text = JSON.stringify(DOCUMENT);
      const parsed = JSON.parse(text) as typeof DOCUMENT;
      sink += parsed.results.length + createHash("sha256").update(text).digest()[0]!;
    }
    const cpu = process.cpuUsage(at);
    samples.push((cpu.user + cpu.system) / 1000);
  }
  if (sink < 0) throw new Error("unreachable");
  samples.sort((a, b) => a - b);
  return Math.round(samples[Math.floor(SAMPLES / 2)]! * 10) / 10;
}
