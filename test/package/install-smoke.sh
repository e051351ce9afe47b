#!/usr/bin/env bash
# The package as a user gets it: `npm pack`, installed into an empty folder with its own `git init`,
# then `ferry --version`, `init`, `validate`, `run` of both examples, the workflow bundle built from
# inside node_modules, and `ferry worker` started against a local Temporal dev server when the
# `temporal` CLI is on PATH (else: it must fail quickly, naming the address). .ci/run runs it.
#
# better-sqlite3 has no prebuilt binary reachable here, so a plain install compiles it (minutes).
# The install runs with --ignore-scripts and takes the repo's own build of better-sqlite3 when the
# versions match (same Node, same machine); otherwise it runs `npm rebuild better-sqlite3`.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d -t ferry-package-XXXXXX)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install-smoke: FAILED: $*" >&2; exit 1; }
step() { echo "--- $*"; }

step "npm pack"
(cd "$repo" && npm pack --silent --pack-destination "$work" >/dev/null)
tarball="$(ls "$work"/ferry-*.tgz)"
version="$(node -p "require('$repo/package.json').version")"
[ "$(basename "$tarball")" = "ferry-$version.tgz" ] || fail "unexpected tarball $tarball"
tar -tzf "$tarball" > "$work/contents"
for f in dist/src/cli/bin.js dist/workflows/index.js dist/worker.js schema/pipeline.schema.json schema/config.schema.json docs/pipeline-reference.md LICENSE; do
  grep -qx "package/$f" "$work/contents" || fail "the tarball has no $f"
done
if grep -E '\.ts$|\.map$|^package/(test|bench|src|dist/test|dist/bench)/' "$work/contents"; then fail "the tarball carries sources, tests or source maps (above)"; fi

step "install into an empty git repository"
app="$work/app"
mkdir "$app" && cd "$app"
git init -q
echo '{ "name": "smoke-app", "private": true }' > package.json
npm install --no-audit --no-fund --prefer-offline --ignore-scripts "$tarball" >/dev/null
native=build/Release/better_sqlite3.node
if [ "$(node -p "require('better-sqlite3/package.json').version")" = "$(node -p "require('$repo/node_modules/better-sqlite3/package.json').version")" ] \
  && [ -f "$repo/node_modules/better-sqlite3/$native" ]; then
  mkdir -p "node_modules/better-sqlite3/build/Release"
  cp "$repo/node_modules/better-sqlite3/$native" "node_modules/better-sqlite3/$native"
else
  npm rebuild better-sqlite3 >/dev/null
fi
[ ! -e node_modules/ferry/tsconfig.json ] || fail "the installed package carries the repo's tsconfig"

step "ferry --version"
[ "$(npx --no-install ferry --version)" = "$version" ] || fail "ferry --version is not $version"

step "ferry init"
npx --no-install ferry init
for f in ferry.yaml pipelines/import-users.yaml pipelines/import-users.test.yaml pipelines/export-users.yaml pipelines/data/users.csv .gitignore; do
  [ -f "$f" ] || fail "ferry init did not write $f"
done
# The $schema lines point at files of the installed package.
for f in ferry.yaml pipelines/import-users.yaml pipelines/export-users.yaml; do
  schema="$(sed -n '1s/^# yaml-language-server: \$schema=//p' "$f")"
  [ -n "$schema" ] && [ -f "$(dirname "$f")/$schema" ] || fail "$f: \$schema '$schema' is not a file of the installed package"
done
set +e; npx --no-install ferry init >/dev/null 2>&1; code=$?; set -e
[ "$code" = 2 ] || fail "a second ferry init exited $code, not 2"

step "ferry validate"
npx --no-install ferry validate

step "from a subfolder: ferry.yaml found above; a project in a subfolder points \$schema at the root's package"
(cd pipelines/data && npx --no-install ferry validate >/dev/null) || fail "ferry validate from pipelines/data"
mkdir -p packages/etl
(cd packages/etl && npx --no-install ferry init --nested >/dev/null) || fail "ferry init --nested in packages/etl"
for f in packages/etl/ferry.yaml packages/etl/pipelines/import-users.yaml; do
  schema="$(sed -n '1s/^# yaml-language-server: \$schema=//p' "$f")"
  [ -f "$(dirname "$f")/$schema" ] || fail "$f: \$schema '$schema' is not a file of the installed package"
done
rm -rf packages

step "ferry test"
npx --no-install ferry test

step "ferry run (import, then export)"
npx --no-install ferry run pipelines/import-users.yaml --json > import.json
node -e "const r = require('./import.json'); if (r.status !== 'succeeded' || r.summary.inserted !== 4 || r.version !== '$version') { console.error(r); process.exit(1); }"
npx --no-install ferry run pipelines/export-users.yaml --json > export.json
node -e "const r = require('./export.json'); if (r.status !== 'succeeded' || r.summary.exported !== 4) { console.error(r); process.exit(1); }"
[ "$(ls exports | wc -l)" = 1 ] || fail "the export wrote no file under exports/"
git status --porcelain | grep -qE '\.ferry/|exports/' && fail ".gitignore lets job state or exports into git"

step "the workflow bundle resolves inside node_modules"
node --input-type=module -e "
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const { workflowsPath } = await import('ferry/dist/worker.js');
  const path = workflowsPath();
  if (!path.includes('/node_modules/ferry/dist/workflows/index.js')) throw new Error('workflows at ' + path);
  const { code } = await bundleWorkflowCode({ workflowsPath: path, logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error } });
  console.log('bundled ' + path.replace(process.cwd() + '/', '') + ': ' + code.length + ' bytes');
"

free_port() { node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); })"; }

step "ferry ui serves its page from the installed package"
node_modules/.bin/ferry ui --port 0 >"$work/ui.log" 2>&1 &
ui=$!
pids+=("$ui")
for _ in $(seq 1 60); do grep -q '^ferry ui: ' "$work/ui.log" && break; kill -0 "$ui" 2>/dev/null || break; sleep 0.5; done
ui_url="$(sed -n 's/^ferry ui: \(http[^ ]*\).*/\1/p' "$work/ui.log")"
[ -n "$ui_url" ] || { cat "$work/ui.log" >&2; fail "ferry ui did not start"; }
# The printed URL carries the token ferry ui made (?token=…): each request presents it.
node --input-type=module -e "
  const printed = new URL(process.argv[1]);
  const base = printed.origin + '/';
  const auth = { headers: { authorization: 'Bearer ' + printed.searchParams.get('token') } };
  const refused = await fetch(base + 'api/jobs');
  const page = await (await fetch(base, auth)).text();
  const script = await fetch(base + 'app.js', auth);
  const jobs = await (await fetch(base + 'api/jobs', auth)).json();
  if (refused.status !== 401 || !page.includes('Ferry console') || script.status !== 200 || jobs.length !== 2) { console.error(refused.status, page.slice(0, 200), script.status, jobs); process.exit(1); }
" "$ui_url"
kill -TERM "$ui"
set +e; wait "$ui"; code=$?; set -e
[ "$code" = 0 ] || { cat "$work/ui.log" >&2; fail "ferry ui exited $code after SIGTERM"; }

step "ferry worker"
if command -v temporal >/dev/null; then
  port="$(free_port)"
  temporal server start-dev --headless --ip 127.0.0.1 --port "$port" --search-attribute FerryPipeline=Keyword >"$work/temporal.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.5; done
  export TEMPORAL_ADDRESS="127.0.0.1:$port"
  # Started through node_modules/.bin (what npx runs): a background job of a script ignores
  # SIGINT, and npm would not pass the signal on; ferry handles SIGTERM the same way.
  node_modules/.bin/ferry worker 2>"$work/worker.log" &
  worker=$!
  pids+=("$worker")
  for _ in $(seq 1 240); do grep -q '^ferry worker: ' "$work/worker.log" && break; kill -0 "$worker" 2>/dev/null || break; sleep 0.5; done
  grep -q '^ferry worker: ' "$work/worker.log" || { cat "$work/worker.log" >&2; fail "ferry worker did not start"; }
  grep -m1 '^ferry worker: ' "$work/worker.log"
  npx --no-install ferry run pipelines/import-users.yaml --engine temporal --json > temporal.json
  node -e "const r = require('./temporal.json'); if (r.status !== 'succeeded' || r.engine !== 'temporal' || r.summary.unchanged !== 4) { console.error(r); process.exit(1); }"
  echo "the import ran on Temporal through the installed worker"
  kill -TERM "$worker"
  set +e; wait "$worker"; code=$?; set -e
  [ "$code" = 0 ] || { cat "$work/worker.log" >&2; fail "ferry worker exited $code after SIGTERM"; }
  grep -q 'shutting down' "$work/worker.log" || fail "ferry worker did not shut down gracefully"
else
  echo "no temporal CLI on PATH: checking that the worker fails fast and names the address"
  port="$(free_port)"
  start=$SECONDS
  set +e; TEMPORAL_ADDRESS="127.0.0.1:$port" timeout 60 npx --no-install ferry worker 2>"$work/worker.log"; code=$?; set -e
  [ "$code" = 1 ] && grep -q "cannot reach Temporal at 127.0.0.1:$port" "$work/worker.log" || { cat "$work/worker.log" >&2; fail "ferry worker without a server exited $code"; }
  [ $((SECONDS - start)) -lt 30 ] || fail "ferry worker took $((SECONDS - start))s to give up"
fi
echo "install-smoke: ok (ferry $version)"
