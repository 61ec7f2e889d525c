import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

/**
 * Headless Chromium for browser tests: Debian's `chromium` package (never a downloaded build), driven
 * by playwright-core. CHROMIUM_PATH overrides where it is. `.ci/run` installs it with apt-get.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Where no Chromium could be installed, browser tests skip with this, printed loudly. */
export function missingChromium(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  return [
    "",
    "#".repeat(100),
    `#  BROWSER TEST SKIPPED: no Chromium at ${CHROMIUM_PATH}.`,
    "#  Install Debian's package (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.",
    "#  The Control Room page was NOT checked in a real browser.",
    "#".repeat(100),
    "",
  ].join("\n");
}

/**
 * The flags keep Chromium from calling home (this machine's network is closed, and a test must see
 * only its own requests). playwright-core gives every launch a new, empty profile (its own
 * --user-data-dir in a temporary directory), removed when the browser closes.
 */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: FLAGS, timeout: 60_000 });
}
