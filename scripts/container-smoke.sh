#!/usr/bin/env bash
# Container smoke test of any service from its contract (<folder>/service.json): builds its image (image.dockerfile,
# image.context) or takes SMOKE_IMAGE, runs it hardened as ECS runs it and checks what the platform relies on; then
# the service's own checks, when its folder has a container-smoke.sh (run with SMOKE_IMAGE and CONTAINER_ENGINE).
#   CONTAINER_ENGINE=docker|podman bash scripts/container-smoke.sh [--service <folder>]  (default NODEAPP_SERVICE, else app)
# Checks: runs as uid 1000 with a read-only root filesystem, no capabilities, no new privileges and a writable /tmp;
# the readiness path answers 200; every smoke request of the contract that is not edgeOnly answers its status (and
# content type); the metrics path answers on the metrics port when the contract has metrics; SIGTERM → readiness 503
# while draining → exit 0 within the contract's stopTimeoutSeconds.
# The platform's variables are set as ECS sets them: PORT (and METRICS_PORT) on free loopback ports, host network.
# Env: SMOKE_IMAGE (skip the build), SMOKE_UNPIN_BASES=true (build with the base images by tag, not digest: offline
# stand-ins), SMOKE_PLATFORM (e.g. linux/arm64: fail unless the image is that platform),
# SMOKE_DRAIN_SECONDS (2: SHUTDOWN_DRAIN_SECONDS), SMOKE_MEMORY (512m), SMOKE_READY_TIMEOUT seconds (60).
set -euo pipefail
cd "$(dirname "$0")/.."

service=${NODEAPP_SERVICE:-app}
while [ $# -gt 0 ]; do
  case $1 in
    --service) service=${2:?--service needs a folder}; shift 2 ;;
    *) echo "usage: bash scripts/container-smoke.sh [--service <folder>] (unknown argument '$1')" >&2; exit 2 ;;
  esac
done
engine=${CONTAINER_ENGINE:-docker}
case $engine in
  docker | podman) ;;
  *) echo "CONTAINER_ENGINE must be docker or podman (got '$engine')" >&2; exit 2 ;;
esac
command -v "$engine" >/dev/null || { echo "$engine is not installed" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 1; }

fail() { echo "SMOKE FAILED ($service): $*" >&2; exit 1; }
now_ms() { date +%s%3N; }
free_port() { node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
# The contract, validated (exit 1 naming each bad field), as shell-safe lines: key<TAB>value.
contract_json=$(node contract/bin/contract.ts --service "$service" json) || exit 1
field() { node -e 'let v=JSON.parse(process.argv[1]);for(const k of process.argv[2].split("."))v=v?.[k];
  if(v!==undefined)console.log(typeof v==="string"?v:JSON.stringify(v))' "$contract_json" "$1"; }
name=$(field name)
readiness=$(field health.readiness)
stop_timeout=$(field stopTimeoutSeconds)
metrics_path=$(field metrics.path)
drain=${SMOKE_DRAIN_SECONDS:-2}
memory=${SMOKE_MEMORY:-512m}

run_id=$$-$RANDOM
container=nodeapp-service-smoke-$run_id
built_image=
cleanup() {
  "$engine" rm -f -v "$container" >/dev/null 2>&1 || true
  if [ -n "$built_image" ]; then "$engine" rmi "$built_image" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

image=${SMOKE_IMAGE:-}
if [ -z "$image" ]; then
  image=nodeapp-service-smoke-$name:$run_id
  built_image=$image
  format=()
  [ "$engine" = podman ] && format=(--format docker)
  echo "building $image from $(field image.dockerfile) (context $(field image.context)) with $engine"
  started=$(now_ms)
  build_log=$(mktemp)
  dockerfile=$(field image.dockerfile)
  if [ "${SMOKE_UNPIN_BASES:-}" = true ]; then
    # Base images pinned by digest (FROM name:tag@sha256:…) resolve to local stand-ins by tag: an offline machine's
    # stand-ins cannot have the official digests (as in scripts/image-rehearsal.sh).
    dockerfile=$(mktemp)
    sed -E 's/@sha256:[0-9a-f]{64}//g' "$(field image.dockerfile)" >"$dockerfile"
  fi
  # The release labels every image carries (OCI labels from build arguments; an image may ignore them).
  "$engine" build "${format[@]}" -f "$dockerfile" -t "$image" \
    --build-arg "GIT_COMMIT=$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
    --build-arg "BUILD_DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(field image.context)" >"$build_log" 2>&1 ||
    { tail -n 40 "$build_log" >&2; rm -f "$build_log"; fail "image build failed"; }
  rm -f "$build_log"
  [ "$dockerfile" = "$(field image.dockerfile)" ] || rm -f "$dockerfile"
  echo "built in $((($(now_ms) - started) / 1000)) s"
fi

platform=$("$engine" image inspect -f '{{ .Os }}/{{ .Architecture }}' "$image")
if [ -n "${SMOKE_PLATFORM:-}" ] && [ "$platform" != "$SMOKE_PLATFORM" ]; then
  fail "image $image is $platform, SMOKE_PLATFORM wants $SMOKE_PLATFORM"
fi

port=$(free_port)
metrics_env=()
if [ -n "$metrics_path" ]; then
  metrics_port=$(free_port)
  while [ "$metrics_port" = "$port" ]; do metrics_port=$(free_port); done
  metrics_env=(-e "METRICS_PORT=$metrics_port")
fi
# As ECS runs the task (infra/lib/constructs/app-task-definition.ts): uid 1000, read-only root, every capability
# dropped, /tmp the only writable path.
"$engine" run -d --name "$container" --network host --user 1000:1000 --read-only --tmpfs /tmp:mode=1777 \
  --cap-drop ALL --security-opt no-new-privileges --memory "$memory" --memory-swap "$memory" --no-healthcheck \
  -e NODE_ENV=production -e HOST=127.0.0.1 -e "PORT=$port" "${metrics_env[@]}" -e "SHUTDOWN_DRAIN_SECONDS=$drain" \
  "$image" >/dev/null
base=http://127.0.0.1:$port
started=$(now_ms)
deadline=$((started + ${SMOKE_READY_TIMEOUT:-60} * 1000))
until curl -fsS -o /dev/null --max-time 1 "$base$readiness" 2>/dev/null; do
  if [ "$("$engine" inspect -f '{{ .State.Running }}' "$container")" != true ] || [ "$(now_ms)" -gt "$deadline" ]; then
    "$engine" logs "$container" 2>&1 | tail -n 30 >&2
    fail "$readiness never answered 200"
  fi
  sleep 0.05
done
echo "ok $readiness answers 200 after $(($(now_ms) - started)) ms"

[ "$("$engine" exec "$container" id -u)" = 1000 ] || fail "does not run as uid 1000"
if "$engine" exec "$container" sh -c 'echo x > /probe' 2>/dev/null; then fail "root filesystem is writable"; fi
"$engine" exec "$container" sh -c 'echo x > /tmp/probe' || fail "/tmp is not writable"
caps=$("$engine" exec "$container" sh -c "grep CapEff /proc/self/status" | awk '{ print $2 }')
[ "$caps" = 0000000000000000 ] || fail "effective capabilities $caps, want none"
echo "ok uid 1000, read-only root, /tmp writable, no capabilities"

# The contract's smoke requests the service itself answers (edgeOnly ones need the public URL).
while IFS=$'\t' read -r method path status content_type; do
  out=$(curl -sS -X "$method" -o /dev/null -w '%{http_code}\t%{content_type}' --max-time 10 "$base$path") ||
    fail "$method $path: no answer"
  [ "${out%%$'\t'*}" = "$status" ] || fail "$method $path: HTTP ${out%%$'\t'*}, want $status"
  [ -z "$content_type" ] || [[ ${out#*$'\t'} == "$content_type"* ]] ||
    fail "$method $path: content type '${out#*$'\t'}', want $content_type"
  echo "ok $method $path → $status${content_type:+ ($content_type)}"
done < <(node -e 'for (const t of JSON.parse(process.argv[1]).smokeTests)
  if (!t.edgeOnly) console.log([t.method, t.path, t.status, t.contentType ?? ""].join("\t"))' "$contract_json")

if [ -n "$metrics_path" ]; then
  curl -fsS -o /dev/null --max-time 10 "http://127.0.0.1:$metrics_port$metrics_path" ||
    fail "metrics: $metrics_path does not answer on the metrics port"
  echo "ok metrics on :$metrics_port$metrics_path"
fi

stop_started=$(now_ms)
"$engine" kill --signal TERM "$container" >/dev/null
ready=
for _ in $(seq 1 40); do
  ready=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 1 "$base$readiness" 2>/dev/null || true)
  [ "$ready" = 503 ] && break
  sleep 0.05
done
[ "$ready" = 503 ] || fail "$readiness did not turn 503 after SIGTERM (got '$ready')"
code=$(timeout "$((stop_timeout + 10))" "$engine" wait "$container" | tail -n 1) || fail "still running after SIGTERM"
stop_ms=$(($(now_ms) - stop_started))
[ "$code" = 0 ] || fail "exit code $code after SIGTERM"
[ "$stop_ms" -le $((stop_timeout * 1000)) ] || fail "SIGTERM → exit took $stop_ms ms, the contract allows ${stop_timeout} s"
echo "ok SIGTERM: readiness 503 while draining ($drain s), exit 0 after $stop_ms ms (stopTimeoutSeconds $stop_timeout)"
echo "platform checks passed: $name ($engine, $platform)"

if [ -f "$service/container-smoke.sh" ]; then
  echo "--- the service's own checks: $service/container-smoke.sh"
  SMOKE_IMAGE=$image CONTAINER_ENGINE=$engine bash "$service/container-smoke.sh"
fi
echo "container smoke test passed: $name ($engine)"
