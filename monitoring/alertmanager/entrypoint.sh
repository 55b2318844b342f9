#!/bin/sh
# Starts Alertmanager with the baked config after rendering it for this environment, because Alertmanager reads
# neither environment variables nor Secrets Manager:
# 1. SNS_TOPIC_ARN (alerts), HEARTBEAT_TOPIC_ARN (the Watchdog), the optional CHAT_TOPIC_ARN (alerts for the chat
#    integration; without it the chat blocks are dropped), AWS_REGION (SigV4 signing with the task role), GRAFANA_URL
#    and RUNBOOK_URL (absolute links in notifications) replace their ${...} in alertmanager.yml and nodeapp.tmpl;
# 2. the optional external heartbeat URL (HEARTBEAT_URL, ECS injects it from Secrets Manager) goes into the rendered
#    config (mode 0600); without it the heartbeat receiver keeps only its SNS topic.
# Slack is not configured here: it hears the alarm and chat topics through AWS Chatbot (infra chat-notifications.ts).
# Everything is written to RUN_DIR on the data volume (the root filesystem is read-only). The paths can be
# overridden (AM_*), which the monitoring tests use to run this script outside the image.
set -eu
run_dir="${AM_RUN_DIR:-/alertmanager/run}"
config_dir="${AM_CONFIG_DIR:-/etc/alertmanager}"

fail() { echo "entrypoint: $1" >&2; exit 1; }
# The values go into sed replacements: refuse the characters that would change their meaning.
for name in SNS_TOPIC_ARN HEARTBEAT_TOPIC_ARN CHAT_TOPIC_ARN AWS_REGION GRAFANA_URL RUNBOOK_URL HEARTBEAT_URL; do
  eval "value=\${$name:-}"
  case "$value" in *'|'* | *'&'* | *'\'* | *"'"* | *' '*) fail "$name must not contain | & \\ ' or spaces" ;; esac
done
case "${SNS_TOPIC_ARN:-}" in arn:aws*:sns:*:*:*) ;; *) fail "SNS_TOPIC_ARN must be an SNS topic ARN (got '${SNS_TOPIC_ARN:-}')" ;; esac
case "${HEARTBEAT_TOPIC_ARN:-}" in arn:aws*:sns:*:*:*) ;; *) fail "HEARTBEAT_TOPIC_ARN must be an SNS topic ARN (got '${HEARTBEAT_TOPIC_ARN:-}')" ;; esac
case "${CHAT_TOPIC_ARN:-}" in '' | arn:aws*:sns:*:*:*) ;; *) fail "CHAT_TOPIC_ARN must be an SNS topic ARN or empty (got '${CHAT_TOPIC_ARN:-}')" ;; esac
case "${AWS_REGION:-}" in '' | *[!a-z0-9-]*) fail "AWS_REGION must be a region name (got '${AWS_REGION:-}')" ;; esac
case "${GRAFANA_URL:-}" in https://* | http://*) ;; *) fail "GRAFANA_URL must be an http(s) URL (got '${GRAFANA_URL:-}')" ;; esac
case "${RUNBOOK_URL:-}" in https://* | http://*) ;; *) fail "RUNBOOK_URL must be an http(s) URL (got '${RUNBOOK_URL:-}')" ;; esac
case "${HEARTBEAT_URL:-}" in '' | https://* | http://*) ;; *) fail "HEARTBEAT_URL must be an http(s) URL" ;; esac

umask 077
mkdir -p "$run_dir"
drop=''
[ -n "${CHAT_TOPIC_ARN:-}" ] || drop="$drop -e /^[[:blank:]]*#[[:blank:]]begin:chat$/,/^[[:blank:]]*#[[:blank:]]end:chat$/d"
[ -n "${HEARTBEAT_URL:-}" ] || drop="$drop -e /^[[:blank:]]*#[[:blank:]]begin:heartbeat$/,/^[[:blank:]]*#[[:blank:]]end:heartbeat$/d"

render() {
  # shellcheck disable=SC2086 # $drop is a list of sed arguments
  sed $drop \
    -e "s|\${SNS_TOPIC_ARN}|$SNS_TOPIC_ARN|g" -e "s|\${AWS_REGION}|$AWS_REGION|g" \
    -e "s|\${HEARTBEAT_TOPIC_ARN}|$HEARTBEAT_TOPIC_ARN|g" -e "s|\${CHAT_TOPIC_ARN}|${CHAT_TOPIC_ARN:-}|g" \
    -e "s|\${GRAFANA_URL}|$GRAFANA_URL|g" -e "s|\${RUNBOOK_URL}|$RUNBOOK_URL|g" \
    -e "s|\${HEARTBEAT_URL}|${HEARTBEAT_URL:-}|g" \
    "$1" > "$2"
}
render "$config_dir/alertmanager.yml" "$run_dir/alertmanager.yml"
render "$config_dir/nodeapp.tmpl" "$run_dir/nodeapp.tmpl"
unset HEARTBEAT_URL

exec "${AM_BINARY:-/bin/alertmanager}" "--config.file=$run_dir/alertmanager.yml" "$@"
