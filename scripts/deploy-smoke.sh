#!/usr/bin/env bash
# Smoke test of a deployed environment: deploy-smoke.sh [--service <folder>] PUBLIC_URL
# Sends every smoke request of the service's contract (<folder>/service.json `smokeTests`; folder from --service, else
# NODEAPP_SERVICE, else app) through the public URL, edgeOnly ones included (they are static-site paths only the edge
# serves), each answering its status (and content type prefix), retried until it passes or the attempts run out (a new
# task set may still be rolling in behind the load balancer).
# Env: SMOKE_ATTEMPTS (default 30), SMOKE_INTERVAL seconds (default 10), SMOKE_TIMEOUT per request (default 10).
set -euo pipefail
usage="usage: $0 [--service <folder>] PUBLIC_URL   (http:// or https://)"
service=${NODEAPP_SERVICE:-app}
if [ "${1:-}" = --service ]; then
  [ $# -ge 2 ] || { echo "$usage" >&2; exit 2; }
  service=$2
  shift 2
fi
if [ $# -ne 1 ] || [[ ! $1 =~ ^https?:// ]]; then
  echo "$usage" >&2
  exit 2
fi
base=${1%/}
attempts=${SMOKE_ATTEMPTS:-30}
interval=${SMOKE_INTERVAL:-10}
timeout=${SMOKE_TIMEOUT:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
# The contract, validated (exit 1 with one line per bad field): one request a line, METHOD<TAB>PATH<TAB>STATUS<TAB>TYPE.
requests=$(node "$root/contract/bin/contract.ts" --service "$service" get smokeTests |
  node -e 'for (const t of JSON.parse(require("fs").readFileSync(0, "utf8")))
    console.log([t.method, t.path, t.status, t.contentType ?? ""].join("\t"))') || exit 1
body=$(mktemp)
trap 'rm -f "$body"' EXIT

# check METHOD PATH STATUS CONTENT_TYPE_PREFIX: one request; prints why it failed.
check() {
  local out status ctype
  if ! out=$(curl -sS -X "$1" -o "$body" -w '%{http_code} %{content_type}' --max-time "$timeout" "$base$2" 2>&1); then
    echo "$2: request failed: $out"
    return 1
  fi
  status=${out%% *}
  ctype=${out#* }
  if [ "$status" != "$3" ]; then
    echo "$2: HTTP $status (want $3): $(head -c 200 "$body")"
    return 1
  fi
  if [[ $ctype != "$4"* ]]; then
    echo "$2: content-type '$ctype' (want $4)"
    return 1
  fi
}

while IFS=$'\t' read -r method path status type; do
  for ((i = 1; ; i++)); do
    if reason=$(check "$method" "$path" "$status" "$type"); then
      echo "ok $method $base$path"
      break
    fi
    if [ "$i" -ge "$attempts" ]; then
      echo "SMOKE FAILED: $base$path did not pass after $attempts attempts; last error: $reason" >&2
      exit 1
    fi
    echo "waiting for $base$path (attempt $i/$attempts): $reason"
    sleep "$interval"
  done
done <<<"$requests"
echo "smoke test passed: $base"
