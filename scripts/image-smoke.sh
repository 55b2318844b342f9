#!/usr/bin/env bash
# Smoke test of one loaded image, by its name in infra/config/images.ts: image-smoke.sh NAME IMAGE PLATFORM
#   app          → scripts/container-smoke.sh (the service's own, hardened checks; SMOKE_DATABASE_URL as given)
#   prometheus   → promtool checks the baked config and rules, then Prometheus starts and reports /-/ready
#   alertmanager → amtool checks the baked config, then the image's entrypoint starts Alertmanager to /-/ready
#   grafana      → Grafana starts with the baked provisioning and /api/health reports the database ok
# Every image must be PLATFORM (linux/amd64 | linux/arm64), so a per-architecture leg proves the architecture it
# names. Containers use the host network on free loopback ports (no bridge on the rehearsal's engine).
# Env: CONTAINER_ENGINE (docker), SMOKE_READY_TIMEOUT seconds (120: Grafana's first start migrates its database).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/images.sh
if [ $# -ne 3 ]; then
  echo "usage: $0 NAME IMAGE PLATFORM" >&2
  exit 2
fi
name=$1 image=$2 platform=$3
image_field "$name" repository >/dev/null
engine=${CONTAINER_ENGINE:-docker}

if [ "$name" = app ]; then
  SMOKE_IMAGE=$image SMOKE_PLATFORM=$platform CONTAINER_ENGINE=$engine exec bash scripts/container-smoke.sh
fi

fail() { echo "SMOKE FAILED ($name): $*" >&2; exit 1; }
actual=$("$engine" image inspect -f '{{ .Os }}/{{ .Architecture }}' "$image") || fail "no image $image"
[ "$actual" = "$platform" ] || fail "image $image is $actual, the leg builds $platform"
port=$(node -e 's=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
container=nodeapp-smoke-$name-$$
trap '"$engine" rm -f "$container" >/dev/null 2>&1 || true' EXIT

# wait_ready URL: until it answers 200, the container stops, or the time is up (then its last log lines).
wait_ready() {
  local deadline=$((SECONDS + ${SMOKE_READY_TIMEOUT:-120}))
  until curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null; do
    if [ "$("$engine" inspect -f '{{ .State.Running }}' "$container")" != true ] || [ "$SECONDS" -gt "$deadline" ]; then
      "$engine" logs "$container" 2>&1 | tail -n 30 >&2
      fail "$1 never answered 200"
    fi
    sleep 0.5
  done
}

case $name in
  prometheus)
    "$engine" run --rm --network none --entrypoint /bin/promtool "$image" check config /etc/prometheus/prometheus.yml ||
      fail "promtool check config"
    "$engine" run -d --name "$container" --network host --read-only --tmpfs /tmp --cap-drop ALL \
      --security-opt no-new-privileges "$image" --config.file=/etc/prometheus/prometheus.yml \
      --storage.tsdb.path=/tmp/prometheus "--web.listen-address=127.0.0.1:$port" >/dev/null
    wait_ready "http://127.0.0.1:$port/-/ready"
    rules=$(curl -fsS "http://127.0.0.1:$port/api/v1/rules" | jq '[.data.groups[].rules[]] | length')
    [ "$rules" -gt 0 ] || fail "Prometheus loaded no rules"
    echo "ok prometheus ready with $rules rules"
    ;;
  alertmanager)
    "$engine" run --rm --network none --entrypoint /bin/amtool "$image" check-config /etc/alertmanager/alertmanager.yml ||
      fail "amtool check-config"
    "$engine" run -d --name "$container" --network host --cap-drop ALL --security-opt no-new-privileges \
      -e SLACK_WEBHOOK_URL=https://hooks.example.invalid/smoke "$image" --config.file=/tmp/alertmanager.yml \
      --storage.path=/tmp/alertmanager "--web.listen-address=127.0.0.1:$port" --cluster.listen-address= >/dev/null
    wait_ready "http://127.0.0.1:$port/-/ready"
    echo "ok alertmanager ready (entrypoint wrote its config and secrets)"
    ;;
  grafana)
    "$engine" run -d --name "$container" --network host --cap-drop ALL --security-opt no-new-privileges \
      -e GF_SERVER_HTTP_ADDR=127.0.0.1 -e "GF_SERVER_HTTP_PORT=$port" -e GF_SECURITY_ADMIN_PASSWORD=smoke-only \
      -e PROMETHEUS_URL=http://127.0.0.1:9 -e ALERTMANAGER_URL=http://127.0.0.1:9 -e AWS_REGION=us-east-1 "$image" >/dev/null
    wait_ready "http://127.0.0.1:$port/api/health"
    curl -fsS "http://127.0.0.1:$port/api/health" | jq -e '.database == "ok"' >/dev/null || fail "database not ok"
    echo "ok grafana healthy"
    ;;
  *) fail "no smoke test for image '$name': add one here" ;;
esac
echo "image smoke test passed ($name, $platform)"
