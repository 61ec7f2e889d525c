#!/usr/bin/env node
// The command's entry point. A development checkout (tsx installed) runs the TypeScript sources;
// the production image (npm ci --omit=dev, so no tsx) runs the compiled dist/.
let source = false;
try {
  const { register } = await import("tsx/esm/api");
  register();
  source = true;
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
}
await import(source ? "../src/cli/main.ts" : "../dist/cli/main.js");
