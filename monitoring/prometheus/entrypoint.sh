#!/bin/sh
# Starts Prometheus with the baked config (PROMETHEUS_CONFIG, default the ECS one) and the expand-external-labels
# feature (external label env = $NODEAPP_ENV). The config is copied into the data volume next to a link to the baked
# rules and one to this environment's SLO rules; when AMP_REMOTE_WRITE_URL is set, the copy is extended with
# remote-write.yml (generated from src/remote-write.ts: SigV4 with the task role, AWS_REGION), because Prometheus 2.x
# cannot read a URL or choose a rule file from its environment.
# The paths can be overridden (PROMETHEUS_*), which the monitoring tests use to run this script outside the image.
set -eu
config="${PROMETHEUS_CONFIG:-/etc/prometheus/prometheus.yml}"
fail() { echo "entrypoint: $1" >&2; exit 1; }
rules="$(dirname "$config")/rules"
# The environment's SLO rules (rules/slo/<env>.rules.yml, generated from SLOS in src/alerting.ts), linked into slo/
# next to the rendered config (which loads slo/*.rules.yml): only this environment's load.
case "${NODEAPP_ENV:-}" in '' | *[!a-z0-9-]*) fail "NODEAPP_ENV must be an environment name (got '${NODEAPP_ENV:-}')" ;; esac
slo="$rules/slo/$NODEAPP_ENV.rules.yml"
[ -f "$slo" ] || fail "NODEAPP_ENV: no SLO rules for environment '$NODEAPP_ENV' ($slo; add it to SLOS in src/alerting.ts)"
if [ -n "${AMP_REMOTE_WRITE_URL:-}" ]; then
  case "$AMP_REMOTE_WRITE_URL" in
    https://aps-workspaces.*.amazonaws.com/workspaces/ws-*/api/v1/remote_write) ;;
    *) fail "AMP_REMOTE_WRITE_URL must be https://aps-workspaces.<region>.amazonaws.com/workspaces/ws-<id>/api/v1/remote_write (got '$AMP_REMOTE_WRITE_URL')" ;;
  esac
  case "${AWS_REGION:-}" in
    '' | *[!a-z0-9-]*) fail "AWS_REGION must be set to a region name for the SigV4 signature (got '${AWS_REGION:-}')" ;;
  esac
  # The URL pattern above admits no '|', '&' or '\' from the sed replacement's point of view except inside the
  # workspace id, which the case pattern limits to what follows ws-; refuse them anyway.
  case "$AMP_REMOTE_WRITE_URL" in *'|'* | *'&'* | *'\'*) fail "AMP_REMOTE_WRITE_URL must not contain | & or \\" ;; esac
fi
rendered="${PROMETHEUS_RENDER_DIR:-/prometheus/config}"
mkdir -p "$rendered"
ln -sfn "$rules" "$rendered/rules"
rm -rf "$rendered/slo"
mkdir -p "$rendered/slo"
ln -sfn "$slo" "$rendered/slo/$NODEAPP_ENV.rules.yml"
{
  cat "$config"
  if [ -n "${AMP_REMOTE_WRITE_URL:-}" ]; then
    sed -e "s|\${AMP_REMOTE_WRITE_URL}|$AMP_REMOTE_WRITE_URL|" -e "s|\${AWS_REGION}|$AWS_REGION|" \
      "${PROMETHEUS_REMOTE_WRITE:-$(dirname "$config")/remote-write.yml}"
  fi
} > "$rendered/prometheus.yml"
config="$rendered/prometheus.yml"
exec "${PROMETHEUS_BINARY:-/bin/prometheus}" "--config.file=$config" --enable-feature=expand-external-labels "$@"
