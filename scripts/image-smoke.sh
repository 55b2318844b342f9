#!/usr/bin/env bash
# Smoke test of one loaded image, by its name in infra/config/images.ts: image-smoke.sh NAME IMAGE PLATFORM
#   app          → scripts/container-smoke.sh (the service's own, hardened checks; SMOKE_DATABASE_URL as given)
#   prometheus   → promtool checks both baked configs; the image's entrypoint starts Prometheus read-only with the env
#                  label and AMP remote_write rendered onto its volume, to /-/ready with its rules loaded
#   alertmanager → without SNS_TOPIC_ARN it refuses to start; with the settings the entrypoint renders the config
#                  (SNS, heartbeat; the config 0600), amtool accepts it, /-/ready
#   ecsSd        → without ECS_CLUSTER it exits 1; against a loopback ECS API (AWS_ENDPOINT_URL_ECS) it serves the
#                  running tasks as HTTP SD JSON, read-only as uid 1000
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
err=$(mktemp)
trap '"$engine" rm -f "$container" >/dev/null 2>&1 || true; rm -f "$err"' EXIT

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

# process_uid: the effective uid of the container's PID 1 (from /proc: no `id` needed in the image).
process_uid() { "$engine" exec "$container" cat /proc/1/status | awk '$1 == "Uid:" { print $3 }'; }
# file_mode PATH: a file's permissions in the running container, from the engine's tar copy (no `stat` needed).
file_mode() { "$engine" cp "$container:$1" - | tar -tvf - | awk '{ print $1 }'; }
# not_in_logs TEXT: a secret must never reach the container's output.
not_in_logs() { if "$engine" logs "$container" 2>&1 | grep -qF "$1"; then fail "the logs show $1"; fi; }

case $name in
  prometheus)
    # Both baked configs (ECS: the discovery sidecar on loopback; compose: the service's static target) and their rules.
    for config in prometheus.yml prometheus.compose.yml; do
      "$engine" run --rm --network none --entrypoint /bin/promtool "$image" check config "/etc/prometheus/$config" ||
        fail "promtool check config $config"
    done
    # As the ECS task runs it: the image's entrypoint and user, read-only root, the data volume the only writable
    # path (docker gives the image's VOLUME /prometheus an anonymous volume, ECS a bind mount). With AMP configured the
    # entrypoint first writes the extended config there. The AMP host resolves to loopback (--add-host), and the
    # SigV4 credentials are dummies from the environment: nothing leaves the machine, the pushes just fail.
    amp_host=aps-workspaces.us-east-1.amazonaws.com
    "$engine" run -d --name "$container" --network host --read-only --cap-drop ALL --security-opt no-new-privileges \
      --add-host "$amp_host:127.0.0.1" -e NODEAPP_ENV=dev -e AWS_REGION=us-east-1 \
      -e "AMP_REMOTE_WRITE_URL=https://$amp_host/workspaces/ws-smoke/api/v1/remote_write" \
      -e AWS_ACCESS_KEY_ID=AKIDSMOKEONLY -e AWS_SECRET_ACCESS_KEY=smoke-only \
      "$image" --storage.tsdb.path=/prometheus "--web.listen-address=127.0.0.1:$port" >/dev/null
    [ "$("$engine" exec "$container" cat /etc/hosts | awk -v h="$amp_host" '$2 == h { print $1 }')" = 127.0.0.1 ] ||
      { "$engine" logs "$container" 2>&1 | tail -n 30 >&2; fail "$amp_host does not resolve to loopback in the container"; }
    wait_ready "http://127.0.0.1:$port/-/ready"
    [ "$(process_uid)" = 65534 ] || fail "Prometheus does not run as nobody (65534)"
    rules=$(curl -fsS "http://127.0.0.1:$port/api/v1/rules" | jq '[.data.groups[].rules[]] | length')
    [ "$rules" -gt 0 ] || fail "Prometheus loaded no rules"
    # The environment's SLO rules (the entrypoint links rules/slo/$NODEAPP_ENV.rules.yml; it refuses an unknown env).
    curl -fsS "http://127.0.0.1:$port/api/v1/rules" | jq -e '[.data.groups[].file] | any(endswith("slo/dev.rules.yml"))' \
      >/dev/null || fail "the SLO rules of NODEAPP_ENV=dev are not loaded"
    config=$(curl -fsS "http://127.0.0.1:$port/api/v1/status/config" | jq -r .data.yaml)
    grep -qE '^ +env: dev$' <<<"$config" || fail "the external label env is not NODEAPP_ENV (expand-external-labels)"
    grep -qF "url: https://$amp_host/workspaces/ws-smoke/api/v1/remote_write" <<<"$config" ||
      fail "the rendered config has no AMP remote_write"
    flags=$(curl -fsS "http://127.0.0.1:$port/api/v1/status/flags")
    jq -e '.data."config.file" == "/prometheus/config/prometheus.yml"' <<<"$flags" >/dev/null ||
      fail "Prometheus does not read the config rendered on its volume: $(jq -c . <<<"$flags")"
    echo "ok prometheus ready as 65534 on a read-only root with $rules rules, env=dev, AMP remote_write rendered"
    ;;
  alertmanager)
    # Without its required settings the entrypoint refuses to start, naming the variable.
    if "$engine" run --rm --network none "$image" >/dev/null 2>"$err"; then fail "started without SNS_TOPIC_ARN"; fi
    grep -q 'SNS_TOPIC_ARN must be an SNS topic ARN' "$err" || { cat "$err" >&2; fail "no SNS_TOPIC_ARN error"; }
    # As the ECS task runs it: read-only root, the rendered config and secrets on the data volume (VOLUME
    # /alertmanager). No Prometheus sends alerts here, so no notification is attempted (nothing leaves the machine).
    heartbeat=https://heartbeat.example.invalid/smoke-secret-token
    "$engine" run -d --name "$container" --network host --read-only --cap-drop ALL --security-opt no-new-privileges \
      -e SNS_TOPIC_ARN=arn:aws:sns:us-east-1:000000000000:nodeapp-smoke-alarms -e AWS_REGION=us-east-1 \
      -e HEARTBEAT_TOPIC_ARN=arn:aws:sns:us-east-1:000000000000:nodeapp-smoke-heartbeat \
      -e GRAFANA_URL=http://127.0.0.1:9 -e RUNBOOK_URL=https://example.invalid/runbook.md \
      -e "HEARTBEAT_URL=$heartbeat" \
      "$image" --storage.path=/alertmanager "--web.listen-address=127.0.0.1:$port" --cluster.listen-address= >/dev/null
    wait_ready "http://127.0.0.1:$port/-/ready"
    [ "$(process_uid)" = 65534 ] || fail "Alertmanager does not run as nobody (65534)"
    "$engine" exec "$container" /bin/amtool check-config /alertmanager/run/alertmanager.yml >/dev/null ||
      fail "amtool check-config of the rendered config"
    config=$(curl -fsS "http://127.0.0.1:$port/api/v2/status" | jq -r .config.original)
    grep -qF 'topic_arn: arn:aws:sns:us-east-1:000000000000:nodeapp-smoke-alarms' <<<"$config" ||
      fail "the SNS receiver has not the topic"
    grep -qF "url: $heartbeat" <<<"$config" || fail "the heartbeat receiver has not its URL"
    if grep -qF '${' <<<"$config"; then fail "placeholders left in the rendered config"; fi
    mode=$(file_mode /alertmanager/run/alertmanager.yml)
    [ "$mode" = -rw------- ] || fail "/alertmanager/run/alertmanager.yml (it holds the heartbeat URL) is $mode, not 0600"
    not_in_logs "$heartbeat"
    echo "ok alertmanager ready as 65534 on a read-only root; config rendered for SNS and heartbeat, 0600"
    ;;
  ecsSd)
    # Without its required settings the sidecar exits 1 naming the variable.
    if "$engine" run --rm --network none "$image" >/dev/null 2>"$err"; then fail "started without ECS_CLUSTER"; fi
    grep -q 'ECS_CLUSTER must be set' "$err" || { cat "$err" >&2; fail "no ECS_CLUSTER error"; }
    # A loopback ECS API (scripts/lib/fake-ecs.ts: two RUNNING tasks, one STOPPED) reached through the SDK's
    # AWS_ENDPOINT_URL_ECS, dummy credentials from the environment (the task role's in ECS): nothing leaves the machine.
    # ECS_CONTAINER is the fake's container name; infra passes the contract's name and metrics port.
    url_file=$(mktemp)
    node scripts/lib/fake-ecs.ts smoke-cluster smoke-app "$url_file" &
    fake_pid=$!
    trap '"$engine" rm -f "$container" >/dev/null 2>&1 || true; kill "$fake_pid" 2>/dev/null || true; rm -f "$err" "$url_file"' EXIT
    for _ in $(seq 1 100); do [ -s "$url_file" ] && break; sleep 0.1; done
    [ -s "$url_file" ] || fail "the fake ECS API did not start"
    "$engine" run -d --name "$container" --network host --read-only --cap-drop ALL --security-opt no-new-privileges \
      -e ECS_CLUSTER=smoke-cluster -e ECS_SERVICE=smoke-app -e "LISTEN_PORT=$port" \
      -e ECS_CONTAINER=app -e METRICS_PORT=9100 \
      -e "AWS_ENDPOINT_URL_ECS=$(cat "$url_file")" -e AWS_REGION=us-east-1 \
      -e AWS_ACCESS_KEY_ID=AKIDSMOKEONLY -e AWS_SECRET_ACCESS_KEY=smoke-only "$image" >/dev/null
    wait_ready "http://127.0.0.1:$port/-/ready"
    [ "$(process_uid)" = 1000 ] || fail "the sidecar does not run as uid 1000"
    # The health command the ECS task definition gives the container (infra/lib/constructs/monitoring-prometheus.ts):
    # node on the image's PATH, fetch of /-/healthy.
    "$engine" exec "$container" node -e \
      "fetch('http://127.0.0.1:$port/-/healthy').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))" ||
      fail "the ECS health command fails"
    targets=$(curl -fsS "http://127.0.0.1:$port/targets")
    jq -e 'length == 2 and ([.[].targets[]] == ["10.0.1.11:9100", "10.0.2.12:9100"])
      and all(.[]; .labels.task_revision == "7" and (.labels.task | startswith("smoke")))' <<<"$targets" >/dev/null ||
      fail "HTTP SD answer is not the two running tasks: $targets"
    metrics=$(curl -fsS "http://127.0.0.1:$port/metrics")
    grep -qx 'nodeapp_ecs_service_desired_tasks{service="smoke-app"} 2' <<<"$metrics" ||
      fail "no desired task count in /metrics"
    echo "ok ecsSd serves the 2 running tasks as HTTP SD targets, read-only as uid 1000"
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
