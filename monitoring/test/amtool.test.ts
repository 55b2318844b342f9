// amtool on the real Alertmanager config: it loads, routes by severity, and carries no secret.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { MONITORING_DIR, requireTools, run } from './support/tools.ts';

const CONFIG = join(MONITORING_DIR, 'alertmanager', 'alertmanager.yml');

test('amtool check-config accepts alertmanager.yml', (t) => {
  const tools = requireTools(t, ['amtool']);
  if (!tools) return;
  const out = run(tools.amtool, ['check-config', CONFIG]);
  assert.match(out, /SUCCESS/);
  assert.match(out, /2 inhibit rules/);
});

test('critical alerts go to e-mail and Slack, warnings to Slack', (t) => {
  const tools = requireTools(t, ['amtool']);
  if (!tools) return;
  const route = (...labels: string[]) =>
    run(tools.amtool, ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...labels]).trim();
  assert.equal(route('severity=critical', 'alertname=NodeappServiceDown'), 'critical-email-slack');
  assert.equal(route('severity=warning', 'alertname=NodeappTargetDown'), 'slack-warning');

  const config = parse(readFileSync(CONFIG, 'utf8'));
  const receiver = (name: string) => config.receivers.find((r: { name: string }) => r.name === name);
  assert.equal(receiver('critical-email-slack').email_configs.length, 1);
  assert.equal(receiver('critical-email-slack').slack_configs.length, 1);
  assert.equal(receiver('slack-warning').email_configs, undefined);
});

test('the service-down alert inhibits the other alerts of the same job', () => {
  const config = parse(readFileSync(CONFIG, 'utf8'));
  const rule = config.inhibit_rules.find((r: { source_matchers: string[] }) =>
    r.source_matchers.includes('alertname="NodeappServiceDown"'),
  );
  assert.deepEqual(rule.equal, ['job']);
});

test('secrets are read from files, never written in the config', () => {
  const text = readFileSync(CONFIG, 'utf8');
  const config = parse(text);
  assert.equal(config.global.slack_api_url_file, '/run/secrets/slack_webhook_url');
  assert.equal(config.global.smtp_auth_password_file, '/run/secrets/smtp_auth_password');
  assert.doesNotMatch(text, /^\s*(api_url|slack_api_url|smtp_auth_password|auth_password):/m);
  assert.doesNotMatch(text, /hooks\.slack\.com/);
});
