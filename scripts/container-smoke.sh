#!/usr/bin/env bash
# Container smoke test: builds app/Dockerfile (or takes SMOKE_IMAGE), runs it hardened as ECS runs it and checks it.
#   CONTAINER_ENGINE=docker|podman bash scripts/container-smoke.sh
# Checks: HEALTHCHECK configured and passing; uid is not 0; `/`, `/api/hello`, POST then GET `/api/messages`;
# metrics on the metrics port and not on the public port (the commit reaches nodeapp_info); root filesystem read-only,
# /tmp writable; SIGTERM → readiness 503 while draining → exit 0 within drain + 2 s.
# Prints: image size (total, the app's files, the rest = base), start → healthy, SIGTERM → exit.
#
# Database: PostgreSQL, as in AWS, when SMOKE_DATABASE_URL or TEST_DATABASE_URL is set (.ci/run sets the latter;
# TLS verify-full against SMOKE_DATABASE_CA_FILE / TEST_DATABASE_CA_FILE when given); the smoke uses a database of
# its own when psql is available. Without one, the embedded PGlite runs in /tmp with a larger memory limit: PGlite
# alone needs more than 512 MB (measured: about 1.1 GB peak while it initialises a new database).
# Env: SMOKE_IMAGE (skip the build), SMOKE_PLATFORM (e.g. linux/arm64: fail unless the image is that platform, so a
# per-architecture CI leg proves it ran the architecture it names), SMOKE_DRAIN_SECONDS (2), SMOKE_MEMORY (512m with PostgreSQL, 2g without),
# SMOKE_HEALTHY_TIMEOUT seconds (90). The container uses the host network with free loopback ports.
set -euo pipefail
cd "$(dirname "$0")/.."

engine=${CONTAINER_ENGINE:-docker}
case $engine in
  docker | podman) ;;
  *) echo "CONTAINER_ENGINE must be docker or podman (got '$engine')" >&2; exit 2 ;;
esac
command -v "$engine" >/dev/null || { echo "$engine is not installed" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }

now_ms() { date +%s%3N; }
fail() { echo "SMOKE FAILED: $*" >&2; exit 1; }
free_port() {
  if command -v node >/dev/null; then
    node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
  else
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  fi
}

run_id=$$-$RANDOM
name=nodeapp-smoke-$run_id
drain=${SMOKE_DRAIN_SECONDS:-2}
db_url=${SMOKE_DATABASE_URL:-${TEST_DATABASE_URL:-}}
db_ca=${SMOKE_DATABASE_CA_FILE:-${TEST_DATABASE_CA_FILE:-}}
smoke_db=
built_image=
cleanup() {
  "$engine" rm -f "$name" "$name-baseline" >/dev/null 2>&1 || true
  # Only this run's tag: the layers stay cached for the next build.
  if [ -n "$built_image" ]; then "$engine" rmi "$built_image" >/dev/null 2>&1 || true; fi
  if [ -n "$smoke_db" ]; then psql "$db_url" -qc "DROP DATABASE IF EXISTS $smoke_db" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# --- image
image=${SMOKE_IMAGE:-}
commit=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [ -z "$image" ]; then
  image=nodeapp-smoke:$run_id # a tag of its own: concurrent runs on one machine never swap images
  built_image=$image
  format=()
  [ "$engine" = podman ] && format=(--format docker) # podman's OCI format drops HEALTHCHECK
  echo "building $image with $engine"
  build_log=$(mktemp)
  build_started=$(now_ms)
  if ! "$engine" build "${format[@]}" -f app/Dockerfile -t "$image" \
    --build-arg "GIT_COMMIT=$commit" \
    --build-arg "APP_VERSION=$(node -p 'require("./app/package.json").version' 2>/dev/null || echo dev)" \
    --build-arg "BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)" . >"$build_log" 2>&1; then
    tail -n 40 "$build_log" >&2
    fail "image build failed"
  fi
  rm -f "$build_log"
  echo "built in $((($(now_ms) - build_started) / 1000)) s"
fi
label=$("$engine" image inspect -f '{{ index .Config.Labels "org.opencontainers.image.revision" }}' "$image")
if [ -n "$built_image" ] && [ "$label" != "$commit" ]; then fail "built image says revision '$label', want $commit"; fi
commit=$label
platform=$("$engine" image inspect -f '{{ .Os }}/{{ .Architecture }}' "$image")
if [ -n "${SMOKE_PLATFORM:-}" ] && [ "$platform" != "$SMOKE_PLATFORM" ]; then
  fail "image $image is $platform, SMOKE_PLATFORM wants $SMOKE_PLATFORM"
fi
echo "image platform: $platform"
health=$("$engine" image inspect -f '{{ json .Config.Healthcheck.Test }}' "$image")
[ "$health" = '["CMD","node","dist/healthcheck.js"]' ] || fail "image HEALTHCHECK is $health"
total=$("$engine" image inspect -f '{{ .Size }}' "$image")
app_bytes=$("$engine" run --rm --no-healthcheck --network none --entrypoint du "$image" -scb /app /node_modules | tail -n 1 | cut -f1)

# --- database
db_env=()
if [ -n "$db_url" ]; then
  memory=${SMOKE_MEMORY:-512m}
  if command -v psql >/dev/null; then
    smoke_db=smoke_${run_id/-/_}
    psql "$db_url" -qc "CREATE DATABASE $smoke_db" >/dev/null
    base_url=${db_url%%\?*}
    query=${db_url#"$base_url"}
    db_url="${base_url%/*}/$smoke_db$query"
  fi
  db_env=(-e "DATABASE_URL=$db_url")
  if [ -n "$db_ca" ]; then
    db_env+=(-e DATABASE_SSL=verify-full -e DATABASE_CA_FILE=/run/db-ca.pem -v "$db_ca:/run/db-ca.pem:ro")
  fi
  echo "database: PostgreSQL${db_ca:+ (TLS verify-full)}${smoke_db:+, database $smoke_db}"
else
  memory=${SMOKE_MEMORY:-2g}
  echo "database: embedded PGlite in /tmp/data (no SMOKE_DATABASE_URL/TEST_DATABASE_URL; memory limit $memory)"
fi

# --- run hardened
port=$(free_port)
metrics_port=$(free_port)
while [ "$metrics_port" = "$port" ]; do metrics_port=$(free_port); done
health_opts=()
[ "$engine" = docker ] && health_opts=(--health-interval 1s) # so docker's own status turns healthy quickly
# podman < 4.4 schedules HEALTHCHECK with systemd timers and, without systemd, logs `level=error … unable to get
# systemd connection to add healthchecks` (https://github.com/containers/podman/issues/16644, fixed in 4.4 by
# https://github.com/containers/podman/pull/16749; Debian 12 has 4.3). `--health-interval disable` sets up no timer
# (podman-run(1)), but 4.3 honours it only with a command given on the command line: the image's own, unchanged
# (checked below), so `podman healthcheck run` still runs exactly the image's check.
[ "$engine" = podman ] && health_opts=(--health-cmd "${health/\"CMD\",/}" --health-interval disable)
# The helper containers below (du, the baselines) run without the image's health check (--no-healthcheck, both
# engines): it is not what they measure, and podman 4.3 would try to schedule it through systemd.
# Baseline measured in the same run: what the engine itself takes to create, start and reap a container of this
# image that runs node and exits at once. start → healthy minus this is the time the service is responsible for.
baseline_started=$(now_ms)
"$engine" run --rm --no-healthcheck --network host --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges \
  --entrypoint node "$image" -e 0 >/dev/null || fail "the image cannot run node -e 0"
engine_ms=$(($(now_ms) - baseline_started))
started=$(now_ms)
"$engine" run -d --name "$name" --network host \
  --read-only --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges --memory "$memory" \
  "${health_opts[@]}" -e HOST=127.0.0.1 -e "PORT=$port" -e "METRICS_PORT=$metrics_port" \
  -e "SHUTDOWN_DRAIN_SECONDS=$drain" "${db_env[@]}" "$image" >/dev/null

if [ "$engine" = podman ]; then
  run_health=$(podman inspect -f '{{ json .Config.Healthcheck.Test }}' "$name")
  [ "$run_health" = "$health" ] || fail "the container's health check is $run_health, the image's $health"
fi

# --- answering: /health/live from the host (cheap to poll, so it times the service rather than the engine)
deadline=$((started + ${SMOKE_HEALTHY_TIMEOUT:-90} * 1000))
# keep_waiting WHAT: between polls; fails with the container's last log lines once it stopped or time is up.
keep_waiting() {
  local running
  running=$("$engine" inspect -f '{{ .State.Running }}' "$name")
  if [ "$running" != true ] || [ "$(now_ms)" -gt "$deadline" ]; then
    "$engine" logs "$name" 2>&1 | tail -n 30 >&2
    fail "$1 (running: $running, exit code $("$engine" inspect -f '{{ .State.ExitCode }}' "$name"))"
  fi
}
until curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/health/live" 2>/dev/null; do
  keep_waiting "the service never answered /health/live"
  sleep 0.05
done
live_ms=$(($(now_ms) - started))

# --- healthy: the image's own HEALTHCHECK command (podman runs it on demand; no systemd timers here)
until if [ "$engine" = podman ]; then podman healthcheck run "$name" >/dev/null 2>&1; else
  docker exec "$name" node dist/healthcheck.js >/dev/null 2>&1; fi; do
  keep_waiting "container did not become healthy"
  sleep 0.1
done
healthy_ms=$(($(now_ms) - started))
if [ "$engine" = docker ]; then
  for _ in $(seq 1 100); do
    [ "$(docker inspect -f '{{ .State.Health.Status }}' "$name")" = healthy ] && break
    sleep 0.2
  done
  [ "$(docker inspect -f '{{ .State.Health.Status }}' "$name")" = healthy ] || fail "docker health status never turned healthy"
fi
# The service's own figure (process start → listening), from its "ready" log line.
app_startup=$("$engine" logs "$name" 2>&1 | grep -o '"startupMs":[0-9]*' | head -n 1 | cut -d: -f2)
echo "ok answering after ${live_ms} ms, HEALTHCHECK passing after ${healthy_ms} ms (service: ready ${app_startup:-?} ms after its start)"

# --- checks
uid=$("$engine" exec "$name" id -u)
[ "$uid" != 0 ] || fail "runs as root"
echo "ok runs as uid $uid"

base=http://127.0.0.1:$port
expect() { # expect STATUS METHOD PATH [curl args...]: prints the body
  local want=$1 method=$2 path=$3 out
  shift 3
  out=$(curl -sS -X "$method" -w '\n%{http_code}' --max-time 10 "$@" "$base$path") || fail "$method $path: no answer"
  [ "${out##*$'\n'}" = "$want" ] || fail "$method $path: HTTP ${out##*$'\n'}, want $want: ${out%$'\n'*}"
  echo "${out%$'\n'*}"
}
# Bodies go through variables, not pipes: `grep -q` closing a pipe early would fail `expect` with SIGPIPE
# under pipefail, and a `fail` inside a pipeline would only leave its subshell.
page=$(expect 200 GET /)
grep -qi '<html' <<<"$page" || fail "/ is not the page"
expect 200 GET /api/hello >/dev/null
text="smoke $$ $(date +%s)"
expect 201 POST /api/messages -H 'content-type: application/json' --data "{\"name\":\"smoke\",\"text\":\"$text\"}" >/dev/null
listed=$(expect 200 GET /api/messages)
grep -qF "$text" <<<"$listed" || fail "GET /api/messages does not list the posted message"
echo "ok /, /api/hello, POST then GET /api/messages"

metrics=$(curl -sS --max-time 10 "http://127.0.0.1:$metrics_port/metrics") || fail "metrics port $metrics_port does not answer"
grep -q '^nodeapp_info{' <<<"$metrics" || fail "no nodeapp_info on the metrics port"
grep -q "commit=\"$commit\"" <<<"$metrics" || fail "nodeapp_info does not carry the image revision $commit"
public_metrics=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$base/metrics")
[ "$public_metrics" != 200 ] || fail "the public port serves /metrics"
echo "ok metrics on :$metrics_port (commit $commit), public /metrics answers $public_metrics"

if "$engine" exec "$name" sh -c 'echo x > /app/probe' 2>/dev/null; then fail "root filesystem is writable"; fi
"$engine" exec "$name" sh -c 'echo x > /tmp/probe' || fail "/tmp is not writable"
echo "ok root filesystem read-only, /tmp writable"

# --- SIGTERM: not ready at once, drains, exits 0
stop_started=$(now_ms)
"$engine" kill --signal TERM "$name" >/dev/null
ready=
for _ in $(seq 1 20); do
  ready=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 1 "$base/health/ready" 2>/dev/null || true)
  [ "$ready" = 503 ] && break
  sleep 0.05
done
[ "$ready" = 503 ] || fail "readiness did not turn 503 after SIGTERM (got '$ready')"
code=$("$engine" wait "$name" | tail -n 1)
stop_ms=$(($(now_ms) - stop_started))
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
[ "$stop_ms" -le $(((drain + 2) * 1000)) ] || fail "SIGTERM → exit took ${stop_ms} ms (drain ${drain} s + 2 s allowed)"
echo "ok SIGTERM: readiness 503 while draining, exit 0"

# Baseline for SIGTERM → exit, same run: the engine's kill + wait round trip for a node process of this image that
# exits at once on SIGTERM. What the service adds beyond it is its drain plus its own close.
"$engine" run -d --no-healthcheck --name "$name-baseline" --network host --read-only --tmpfs /tmp --cap-drop ALL \
  --security-opt no-new-privileges --entrypoint node "$image" \
  -e "process.on('SIGTERM', () => process.exit(0)); console.log('up'); setInterval(() => {}, 1000)" >/dev/null
until "$engine" logs "$name-baseline" 2>/dev/null | grep -q up; do sleep 0.05; done
baseline_started=$(now_ms)
"$engine" kill --signal TERM "$name-baseline" >/dev/null
"$engine" wait "$name-baseline" >/dev/null
engine_stop_ms=$(($(now_ms) - baseline_started))

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
echo
echo "image $image: $(mb "$total") total = $(mb "$app_bytes") app (/app + /node_modules) + $(mb $((total - app_bytes))) base (Debian slim + node)"
echo "start → answering: ${live_ms} ms; start → healthy: ${healthy_ms} ms (engine start and health exec included; service start → ready ${app_startup:-?} ms); SIGTERM → exit: ${stop_ms} ms (drain ${drain} s)"
echo "engine baselines, same run: run + exit of 'node -e 0' in this image ${engine_ms} ms, kill + wait of a node that exits on SIGTERM ${engine_stop_ms} ms"
echo "beyond the engine: start → healthy $((healthy_ms - engine_ms)) ms; SIGTERM → exit $((stop_ms - engine_stop_ms)) ms (drain ${drain} s)"
echo "container smoke test passed ($engine, $platform)"
