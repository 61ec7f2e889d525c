#!/usr/bin/env bash
# Checks the container's entry point outside Docker: the image's layout (dist/ + bin/ +
# production dependencies only, no tsx) starts the worker, which syncs the sandbox, answers
# /healthz and /api/kpis, and exits 0 on SIGTERM.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
cleanup() { [ -n "${worker:-}" ] && kill -9 "$worker" 2>/dev/null || true; [ -n "${sandbox:-}" ] && kill "$sandbox" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

(cd "$root" && npm run -s build -- --outDir "$work/app/dist")
cp "$root/package.json" "$root/package-lock.json" "$work/app/"
cp -r "$root/bin" "$work/app/"
mkdir -p "$work/app/config" && cp "$root/config/notion_mapping.yaml" "$work/app/config/"
(cd "$work/app" && npm ci --omit=dev --no-audit --no-fund --silent)
test ! -e "$work/app/node_modules/tsx" || { echo "tsx must not be in the production layout"; exit 1; }

cd "$work/app"
node dist/sandbox/cli.js --port 0 --rps 0 --print-env > "$work/sandbox.env" 2> "$work/sandbox.log" &
sandbox=$!
for _ in $(seq 50); do grep -q NOTION_RISKS_DB "$work/sandbox.env" 2>/dev/null && break; sleep 0.2; done
set -a; . "$work/sandbox.env"; set +a
PORT=0 DUCKDB_PATH="$work/data/w.duckdb" WATERMARK_DIR="$work/wm" NOTION_RPS=100 LOG_LEVEL=warn \
  node bin/notion-delta-sync.mjs start > "$work/worker.log" 2>&1 &
worker=$!
port=""
for _ in $(seq 100); do
  port="$(sed -n 's/.*worker listening on :\([0-9]*\).*/\1/p' "$work/worker.log" | head -n 1)"
  [ -n "$port" ] && break
  sleep 0.2
done
[ -n "$port" ] || { echo "the worker did not start"; cat "$work/worker.log"; exit 1; }
ok=""
for _ in $(seq 100); do
  if curl -fs "localhost:$port/api/kpis" 2>/dev/null | grep -q '"last_status":"success"'; then ok=1; break; fi
  sleep 0.2
done
curl -fs "localhost:$port/healthz" > /dev/null
[ -n "$ok" ] || { echo "the worker did not sync"; cat "$work/worker.log"; exit 1; }
kill -TERM "$worker"
code=0; wait "$worker" || code=$?
worker=""
[ "$code" -eq 0 ] || { echo "worker exited $code on SIGTERM"; cat "$work/worker.log"; exit 1; }
echo "production layout: worker started from dist/ without dev dependencies, synced, exited 0 on SIGTERM"
