#!/usr/bin/env bash
# The guestbook's own container checks, beyond the platform's (scripts/container-smoke.sh runs those from the
# contract, then this file, the service folder's container-smoke.sh, with SMOKE_IMAGE set to the image it built).
# Builds app/Dockerfile (or takes SMOKE_IMAGE), runs it hardened as ECS runs it and checks it.
#   CONTAINER_ENGINE=docker|podman bash app/container-smoke.sh
# Checks: HEALTHCHECK configured and passing; uid is not 0; `/`, `/api/hello`, POST then GET `/api/messages`;
# metrics on the metrics port and not on the public port (the commit reaches nodeapp_info, the memory limit reaches
# nodeapp_memory_limit_bytes); root filesystem read-only, /tmp writable; SIGTERM → readiness 503 while draining →
# "stopped" within drain + 2 s by the service's own log → exit 0.
# /tmp is mounted as ECS mounts it on Fargate (a bind mount volume, root-owned, mode 0755, into which the ECS data
# plane copies the image's directory, owner and mode included, only when the image declares it as a VOLUME:
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bind-mounts.html), not as a tmpfs.
# Prints: image size (total, the app's files, the rest = base), start → healthy, SIGTERM → exit, peak memory.
#
# Runs: PostgreSQL, as in AWS, when SMOKE_DATABASE_URL or TEST_DATABASE_URL is set (.ci/run sets the latter;
# TLS verify-full against SMOKE_DATABASE_CA_FILE / TEST_DATABASE_CA_FILE when given; a database of its own when psql
# is available); then always the embedded PGlite (DATA_DIR=/tmp/data, the image's default) in the same memory limit;
# then the embedded mode below its need (SMOKE_SMALL_MEMORY, 256m), which must exit 1 with one line naming the need.
# Env: SMOKE_IMAGE (skip the build), SMOKE_PLATFORM (e.g. linux/arm64: fail unless the image is that platform, so a
# per-architecture CI leg proves it ran the architecture it names), SMOKE_DRAIN_SECONDS (2), SMOKE_MEMORY (512m, the
# task size; no swap), SMOKE_SMALL_MEMORY (256m), SMOKE_HEALTHY_TIMEOUT seconds (90). The containers use the host
# network with free loopback ports.
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
tmp_dirs=()
cleanup() {
  local n
  for n in postgres embedded small baseline; do "$engine" rm -f -v "$name-$n" >/dev/null 2>&1 || true; done
  # The containers wrote as uid 1000, which may not be this user: a root helper container empties the folders.
  for n in "${tmp_dirs[@]}"; do
    rm -rf "$n" 2>/dev/null || "$engine" run --rm --no-healthcheck --network none --user 0 --entrypoint sh \
      -v "$n:/volume" "$image" -c 'rm -rf /volume/* /volume/.[!.]*' >/dev/null 2>&1 || true
    rm -rf "$n" 2>/dev/null || true
  done
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

memory=${SMOKE_MEMORY:-512m}
small_memory=${SMOKE_SMALL_MEMORY:-256m}
hardening=(--read-only --cap-drop ALL --security-opt no-new-privileges)

# --- /tmp as ECS gives it on Fargate: a fresh host folder, root-owned, 0755; when the image declares /tmp a VOLUME,
# the image's /tmp (contents, owner, mode) copied into it, as the ECS data plane does. A helper container does the
# chown/chmod, so that this also holds when the script runs as a user other than root.
declares_tmp=no
"$engine" image inspect -f '{{ json .Config.Volumes }}' "$image" | grep -q '"/tmp"' && declares_tmp=yes
ecs_tmp() { # sets tmp_volume (not a $(...): the folder must reach tmp_dirs for the cleanup)
  tmp_volume=$(mktemp -d)
  tmp_dirs+=("$tmp_volume")
  "$engine" run --rm --no-healthcheck --network none --user 0 --entrypoint sh -v "$tmp_volume:/volume" "$image" -c \
    'chown 0:0 /volume && chmod 0755 /volume && if [ "$1" = yes ]; then
       cp -a /tmp/. /volume/ && chown "$(stat -c %u:%g /tmp)" /volume && chmod "$(stat -c %a /tmp)" /volume; fi' \
    sh "$declares_tmp" >/dev/null || fail "cannot prepare the /tmp volume in $tmp_volume"
}
echo "/tmp: an ECS-style bind mount volume (image declares VOLUME /tmp: $declares_tmp)"

# Baseline measured in the same run: what the engine itself takes to create, start and reap a container of this
# image that runs node and exits at once. start → healthy minus this is the time the service is responsible for.
ecs_tmp
baseline_started=$(now_ms)
"$engine" run --rm --no-healthcheck --network host "${hardening[@]}" -v "$tmp_volume:/tmp" --entrypoint node "$image" -e 0 >/dev/null ||
  fail "the image cannot run node -e 0"
engine_ms=$(($(now_ms) - baseline_started))

# log_time_ms LOGS MSG: the time (ms since the epoch) of the first log line whose msg starts with MSG; pino writes
# epoch milliseconds or an ISO string, depending on its timestamp option.
log_time_ms() {
  local line t
  line=$(grep -m 1 "\"msg\":\"$2" <<<"$1") || return 1
  t=$(grep -o '"time":[^,}]*' <<<"$line" | head -n 1 | cut -d: -f2-)
  t=${t//\"/}
  if [[ $t =~ ^[0-9]+$ ]]; then echo "$t"; else date -d "$t" +%s%3N; fi
}

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }
summary=()

# smoke_run MODE [env args...]: runs the image as ECS does (MODE names the container and the figures), checks it,
# stops it with SIGTERM.
smoke_run() {
  local mode=$1
  local container=$name-$mode
  shift
  local port metrics_port started deadline
  port=$(free_port)
  metrics_port=$(free_port)
  while [ "$metrics_port" = "$port" ]; do metrics_port=$(free_port); done
  local health_opts=()
  [ "$engine" = docker ] && health_opts=(--health-interval 1s) # so docker's own status turns healthy quickly
  # podman < 4.4 schedules HEALTHCHECK with systemd timers and, without systemd, logs `level=error … unable to get
  # systemd connection to add healthchecks` (https://github.com/containers/podman/issues/16644, fixed in 4.4 by
  # https://github.com/containers/podman/pull/16749; Debian 12 has 4.3). `--health-interval disable` sets up no timer
  # (podman-run(1)), but 4.3 honours it only with a command given on the command line: the image's own, unchanged
  # (checked below), so `podman healthcheck run` still runs exactly the image's check.
  [ "$engine" = podman ] && health_opts=(--health-cmd "${health/\"CMD\",/}" --health-interval disable)
  echo "--- $mode: memory limit $memory"
  ecs_tmp
  started=$(now_ms)
  "$engine" run -d --name "$container" --network host "${hardening[@]}" -v "$tmp_volume:/tmp" \
    --memory "$memory" --memory-swap "$memory" "${health_opts[@]}" -e HOST=127.0.0.1 -e "PORT=$port" \
    -e "METRICS_PORT=$metrics_port" -e "SHUTDOWN_DRAIN_SECONDS=$drain" "$@" "$image" >/dev/null
  if [ "$engine" = podman ]; then
    local run_health
    run_health=$(podman inspect -f '{{ json .Config.Healthcheck.Test }}' "$container")
    [ "$run_health" = "$health" ] || fail "$mode: the container's health check is $run_health, the image's $health"
  fi

  # answering: /health/live from the host (cheap to poll, so it times the service rather than the engine)
  deadline=$((started + ${SMOKE_HEALTHY_TIMEOUT:-90} * 1000))
  keep_waiting() { # between polls; fails with the container's last log lines once it stopped or time is up
    local running
    running=$("$engine" inspect -f '{{ .State.Running }}' "$container")
    if [ "$running" != true ] || [ "$(now_ms)" -gt "$deadline" ]; then
      "$engine" logs "$container" 2>&1 | tail -n 30 >&2
      fail "$mode: $1 (running: $running, exit code $("$engine" inspect -f '{{ .State.ExitCode }}' "$container"), OOM killed: $("$engine" inspect -f '{{ .State.OOMKilled }}' "$container"))"
    fi
  }
  until curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/health/live" 2>/dev/null; do
    keep_waiting "the service never answered /health/live"
    sleep 0.05
  done
  local live_ms=$(($(now_ms) - started))

  # healthy: the image's own HEALTHCHECK command (podman runs it on demand; no systemd timers here)
  until if [ "$engine" = podman ]; then podman healthcheck run "$container" >/dev/null 2>&1; else
    docker exec "$container" node dist/healthcheck.js >/dev/null 2>&1; fi; do
    keep_waiting "container did not become healthy"
    sleep 0.1
  done
  local healthy_ms=$(($(now_ms) - started))
  if [ "$engine" = docker ]; then
    for _ in $(seq 1 100); do
      [ "$(docker inspect -f '{{ .State.Health.Status }}' "$container")" = healthy ] && break
      sleep 0.2
    done
    [ "$(docker inspect -f '{{ .State.Health.Status }}' "$container")" = healthy ] ||
      fail "$mode: docker health status never turned healthy"
  fi
  # The service's own figure (process start → listening), from its "ready" log line.
  local app_startup
  app_startup=$("$engine" logs "$container" 2>&1 | grep -o '"startupMs":[0-9]*' | head -n 1 | cut -d: -f2)
  echo "ok answering after ${live_ms} ms, HEALTHCHECK passing after ${healthy_ms} ms (service: ready ${app_startup:-?} ms after its start)"

  local uid
  uid=$("$engine" exec "$container" id -u)
  [ "$uid" != 0 ] || fail "$mode: runs as root"
  echo "ok runs as uid $uid"

  local base=http://127.0.0.1:$port
  expect() { # expect STATUS METHOD PATH [curl args...]: prints the body
    local want=$1 method=$2 path=$3 out
    shift 3
    out=$(curl -sS -X "$method" -w '\n%{http_code}' --max-time 10 "$@" "$base$path") || fail "$mode: $method $path: no answer"
    [ "${out##*$'\n'}" = "$want" ] || fail "$mode: $method $path: HTTP ${out##*$'\n'}, want $want: ${out%$'\n'*}"
    echo "${out%$'\n'*}"
  }
  # Bodies go through variables, not pipes: `grep -q` closing a pipe early would fail `expect` with SIGPIPE
  # under pipefail, and a `fail` inside a pipeline would only leave its subshell.
  local page text listed
  page=$(expect 200 GET /)
  grep -qi '<html' <<<"$page" || fail "$mode: / is not the page"
  expect 200 GET /api/hello >/dev/null
  text="smoke $mode $$ $(date +%s)"
  expect 201 POST /api/messages -H 'content-type: application/json' --data "{\"name\":\"smoke\",\"text\":\"$text\"}" >/dev/null
  listed=$(expect 200 GET /api/messages)
  grep -qF "$text" <<<"$listed" || fail "$mode: GET /api/messages does not list the posted message"
  echo "ok /, /api/hello, POST then GET /api/messages"

  local metrics public_metrics limit_bytes
  metrics=$(curl -sS --max-time 10 "http://127.0.0.1:$metrics_port/metrics") || fail "$mode: metrics port $metrics_port does not answer"
  grep -q '^nodeapp_info{' <<<"$metrics" || fail "$mode: no nodeapp_info on the metrics port"
  grep -q "commit=\"$commit\"" <<<"$metrics" || fail "$mode: nodeapp_info does not carry the image revision $commit"
  limit_bytes=$("$engine" inspect -f '{{ .HostConfig.Memory }}' "$container")
  grep -q "^nodeapp_memory_limit_bytes $limit_bytes\$" <<<"$metrics" ||
    fail "$mode: nodeapp_memory_limit_bytes is not the container's limit $limit_bytes: $(grep nodeapp_memory_limit <<<"$metrics" || echo absent)"
  public_metrics=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$base/metrics")
  [ "$public_metrics" != 200 ] || fail "$mode: the public port serves /metrics"
  echo "ok metrics on :$metrics_port (commit $commit, nodeapp_memory_limit_bytes $limit_bytes), public /metrics answers $public_metrics"

  if "$engine" exec "$container" sh -c 'echo x > /app/probe' 2>/dev/null; then fail "$mode: root filesystem is writable"; fi
  "$engine" exec "$container" sh -c 'echo x > /tmp/probe' || fail "$mode: /tmp is not writable"
  echo "ok root filesystem read-only, /tmp (the ECS-style volume) writable by uid $uid"

  # Peaks so far: node's own (VmHWM of PID 1) and the container's cgroup (v2 memory.peak, v1 max_usage_in_bytes;
  # the cgroup also counts the page cache of the database files).
  local node_peak_kb cgroup_peak
  node_peak_kb=$("$engine" exec "$container" sh -c "grep VmHWM /proc/1/status" | awk '{ print $2 }')
  cgroup_peak=$("$engine" exec "$container" sh -c 'cat /sys/fs/cgroup/memory.peak 2>/dev/null ||
    cat /sys/fs/cgroup/memory/memory.max_usage_in_bytes 2>/dev/null' || true)

  # SIGTERM: not ready at once, drains, exits 0
  local stop_started ready code stop_ms
  stop_started=$(now_ms)
  "$engine" kill --signal TERM "$container" >/dev/null
  ready=
  for _ in $(seq 1 20); do
    ready=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 1 "$base/health/ready" 2>/dev/null || true)
    [ "$ready" = 503 ] && break
    sleep 0.05
  done
  [ "$ready" = 503 ] || fail "$mode: readiness did not turn 503 after SIGTERM (got '$ready')"
  code=$("$engine" wait "$container" | tail -n 1)
  stop_ms=$(($(now_ms) - stop_started))
  [ "$code" = 0 ] || fail "$mode: exit code $code after SIGTERM"
  # Timed by the service's own log (its SIGTERM line → "stopped"), not by the engine's kill/wait round trip, which
  # on a loaded machine takes seconds by itself.
  local logs term_ms stopped_ms service_stop_ms
  logs=$("$engine" logs "$container" 2>&1)
  term_ms=$(log_time_ms "$logs" 'shutting down') || fail "$mode: no 'shutting down' log line after SIGTERM: $logs"
  stopped_ms=$(log_time_ms "$logs" 'stopped') || fail "$mode: no 'stopped' log line after SIGTERM: $logs"
  service_stop_ms=$((stopped_ms - term_ms))
  [ "$service_stop_ms" -le $(((drain + 2) * 1000)) ] ||
    fail "$mode: SIGTERM → stopped took ${service_stop_ms} ms in the service's log (drain ${drain} s + 2 s allowed)"
  echo "ok SIGTERM: readiness 503 while draining, stopped ${service_stop_ms} ms after it (its log), exit 0"
  summary+=("$mode ($memory): start → answering ${live_ms} ms; start → healthy ${healthy_ms} ms, $((healthy_ms - engine_ms)) ms beyond the engine (service start → ready ${app_startup:-?} ms); SIGTERM → exit ${stop_ms} ms, → stopped ${service_stop_ms} ms in its log (drain ${drain} s); peak memory: node $(mb $((node_peak_kb * 1024))) RSS, container cgroup ${cgroup_peak:+$(mb "$cgroup_peak")}")
}

if [ -n "$db_url" ]; then
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
  smoke_run postgres "${db_env[@]}"
else
  echo "PostgreSQL run skipped: set SMOKE_DATABASE_URL or TEST_DATABASE_URL to run the image against a server too"
fi
echo "database: embedded PGlite in /tmp/data (the image's default)"
smoke_run embedded

# --- below the embedded database's need: one clear line and exit 1, not a silent kill (137)
echo "--- embedded below its need: memory limit $small_memory"
ecs_tmp
timeout 120 "$engine" run --name "$name-small" --network host "${hardening[@]}" -v "$tmp_volume:/tmp" \
  --memory "$small_memory" --memory-swap "$small_memory" -e HOST=127.0.0.1 -e "PORT=$(free_port)" \
  -e "METRICS_PORT=$(free_port)" "$image" >/dev/null 2>&1 || true
small_code=$("$engine" inspect -f '{{ .State.ExitCode }}' "$name-small")
small_log=$("$engine" logs "$name-small" 2>&1)
[ "$small_code" = 1 ] || fail "at $small_memory: exit code $small_code, want 1: $small_log"
grep -q 'needs [0-9]* MiB of memory' <<<"$small_log" || fail "at $small_memory: no line naming the need: $small_log"
[ "$(grep -c . <<<"$small_log")" = 1 ] || fail "at $small_memory: want one log line, got: $small_log"
echo "ok at $small_memory: exit 1, $(grep -o '"error":"[^"]*"' <<<"$small_log")"

# Baseline for SIGTERM → exit, same run: the engine's kill + wait round trip for a node process of this image that
# exits at once on SIGTERM. What the service adds beyond it is its drain plus its own close.
"$engine" run -d --no-healthcheck --name "$name-baseline" --network host "${hardening[@]}" --tmpfs /tmp --entrypoint node "$image" \
  -e "process.on('SIGTERM', () => process.exit(0)); console.log('up'); setInterval(() => {}, 1000)" >/dev/null
until "$engine" logs "$name-baseline" 2>/dev/null | grep -q up; do sleep 0.05; done
baseline_started=$(now_ms)
"$engine" kill --signal TERM "$name-baseline" >/dev/null
"$engine" wait "$name-baseline" >/dev/null
engine_stop_ms=$(($(now_ms) - baseline_started))

echo
echo "image $image: $(mb "$total") total = $(mb "$app_bytes") app (/app + /node_modules) + $(mb $((total - app_bytes))) base (Debian slim + node)"
for line in "${summary[@]}"; do echo "$line"; done
echo "engine baselines, same run: run + exit of 'node -e 0' in this image ${engine_ms} ms, kill + wait of a node that exits on SIGTERM ${engine_stop_ms} ms"
echo "container smoke test passed ($engine, $platform)"
