#!/bin/sh
# Starts Prometheus with the baked config (PROMETHEUS_CONFIG, default the ECS one) and the expand-external-labels
# feature (external label env = $NODEAPP_ENV). When AMP_REMOTE_WRITE_URL is set, the config is first extended with
# remote-write.yml (generated from src/remote-write.ts: SigV4 with the task role, AWS_REGION) into the data volume,
# next to a link to the baked rules, because Prometheus 2.x cannot read a URL from its environment.
# The paths can be overridden (PROMETHEUS_*), which the monitoring tests use to run this script outside the image.
set -eu
config="${PROMETHEUS_CONFIG:-/etc/prometheus/prometheus.yml}"
if [ -n "${AMP_REMOTE_WRITE_URL:-}" ]; then
  case "$AMP_REMOTE_WRITE_URL" in
    https://aps-workspaces.*.amazonaws.com/workspaces/ws-*/api/v1/remote_write) ;;
    *) echo "entrypoint: AMP_REMOTE_WRITE_URL must be https://aps-workspaces.<region>.amazonaws.com/workspaces/ws-<id>/api/v1/remote_write (got '$AMP_REMOTE_WRITE_URL')" >&2; exit 1 ;;
  esac
  case "${AWS_REGION:-}" in
    '' | *[!a-z0-9-]*) echo "entrypoint: AWS_REGION must be set to a region name for the SigV4 signature (got '${AWS_REGION:-}')" >&2; exit 1 ;;
  esac
  # The URL pattern above admits no '|', '&' or '\' from the sed replacement's point of view except inside the
  # workspace id, which the case pattern limits to what follows ws-; refuse them anyway.
  case "$AMP_REMOTE_WRITE_URL" in *'|'* | *'&'* | *'\'*) echo "entrypoint: AMP_REMOTE_WRITE_URL must not contain | & or \\" >&2; exit 1 ;; esac
  rendered="${PROMETHEUS_RENDER_DIR:-/prometheus/config}"
  mkdir -p "$rendered"
  ln -sfn "$(dirname "$config")/rules" "$rendered/rules"
  {
    cat "$config"
    sed -e "s|\${AMP_REMOTE_WRITE_URL}|$AMP_REMOTE_WRITE_URL|" -e "s|\${AWS_REGION}|$AWS_REGION|" \
      "${PROMETHEUS_REMOTE_WRITE:-$(dirname "$config")/remote-write.yml}"
  } > "$rendered/prometheus.yml"
  config="$rendered/prometheus.yml"
fi
exec "${PROMETHEUS_BINARY:-/bin/prometheus}" "--config.file=$config" --enable-feature=expand-external-labels "$@"
