#!/bin/sh
# Starts Alertmanager with the baked config after two start-time steps, because Alertmanager reads neither
# environment variables nor Secrets Manager:
# 1. receiver secrets given as environment variables (ECS injects them from Secrets Manager) are written to the
#    files alertmanager.yml reads (slack_api_url_file, smtp_auth_password_file), then removed from the environment;
# 2. the example.com e-mail settings are replaced from SMTP_SMARTHOST, SMTP_FROM, SMTP_AUTH_USERNAME and
#    ALERT_EMAIL_TO when they are set. Without them the config still loads; Slack works, e-mail does not.
# The paths can be overridden (AM_*), which the monitoring tests use to run this script outside the image.
set -eu
secrets_dir="${AM_SECRETS_DIR:-/run/secrets}"
config_in="${AM_CONFIG_IN:-/etc/alertmanager/alertmanager.yml}"
config_out="${AM_CONFIG_OUT:-/tmp/alertmanager.yml}"

umask 077
mkdir -p "$secrets_dir"
if [ -n "${SLACK_WEBHOOK_URL:-}" ]; then printf '%s' "$SLACK_WEBHOOK_URL" > "$secrets_dir/slack_webhook_url"; fi
if [ -n "${SMTP_AUTH_PASSWORD:-}" ]; then printf '%s' "$SMTP_AUTH_PASSWORD" > "$secrets_dir/smtp_auth_password"; fi
unset SLACK_WEBHOOK_URL SMTP_AUTH_PASSWORD

# The values go into a sed replacement: refuse the characters that would change its meaning.
for name in SMTP_SMARTHOST SMTP_FROM SMTP_AUTH_USERNAME ALERT_EMAIL_TO; do
  eval "value=\${$name:-}"
  case "$value" in
    *'|'* | *'&'* | *'\'*) echo "entrypoint: $name must not contain | & or \\" >&2; exit 1 ;;
  esac
done
sed -e "s|smtp.example.com:587|${SMTP_SMARTHOST:-smtp.example.com:587}|" \
  -e "s|alertmanager@example.com|${SMTP_FROM:-alertmanager@example.com}|" \
  -e "s|smtp_auth_username: alertmanager$|smtp_auth_username: ${SMTP_AUTH_USERNAME:-alertmanager}|" \
  -e "s|oncall@example.com|${ALERT_EMAIL_TO:-oncall@example.com}|" \
  -e "s|/run/secrets/|$secrets_dir/|" \
  "$config_in" > "$config_out"

exec "${AM_BINARY:-/bin/alertmanager}" "$@"
