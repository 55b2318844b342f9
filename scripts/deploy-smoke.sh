#!/usr/bin/env bash
# Smoke test of a deployed environment: deploy-smoke.sh BASE_URL
# Checks GET /health/ready (200), GET /api/hello (200, JSON) and the page at / (200, HTML), retrying each
# until it passes or the attempts run out (a new task set may still be rolling in behind the load balancer).
# Env: SMOKE_ATTEMPTS (default 30), SMOKE_INTERVAL seconds (default 10), SMOKE_TIMEOUT per request (default 10).
set -euo pipefail
if [ $# -ne 1 ] || [[ ! $1 =~ ^https?:// ]]; then
  echo "usage: $0 BASE_URL   (http:// or https://)" >&2
  exit 2
fi
base=${1%/}
attempts=${SMOKE_ATTEMPTS:-30}
interval=${SMOKE_INTERVAL:-10}
timeout=${SMOKE_TIMEOUT:-10}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

# check PATH EXPECTED_CONTENT_TYPE_SUBSTRING: one request; prints why it failed.
check() {
  local out status ctype
  if ! out=$(curl -sS -o "$body" -w '%{http_code} %{content_type}' --max-time "$timeout" "$base$1" 2>&1); then
    echo "$1: request failed: $out"
    return 1
  fi
  status=${out%% *}
  ctype=${out#* }
  if [ "$status" != 200 ]; then
    echo "$1: HTTP $status (want 200): $(head -c 200 "$body")"
    return 1
  fi
  if [[ $ctype != *"$2"* ]]; then
    echo "$1: content-type '$ctype' (want $2)"
    return 1
  fi
}

for path_type in '/health/ready|json' '/api/hello|json' '/|text/html'; do
  path=${path_type%|*}
  type=${path_type#*|}
  for ((i = 1; ; i++)); do
    if reason=$(check "$path" "$type"); then
      echo "ok $base$path"
      break
    fi
    if [ "$i" -ge "$attempts" ]; then
      echo "SMOKE FAILED: $base$path did not pass after $attempts attempts; last error: $reason" >&2
      exit 1
    fi
    echo "waiting for $base$path (attempt $i/$attempts): $reason"
    sleep "$interval"
  done
done
echo "smoke test passed: $base"
