// amtool on the Alertmanager config as the entrypoint renders it: it loads, routes by severity to the SNS receivers,
// sends the Watchdog only to the heartbeat, has no Slack receiver of its own (AWS Chatbot reads the topics), and
// carries no secret.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { renderAlertmanagerConfig, TEST_ENVIRONMENT } from './support/alertmanager.ts';
import { MONITORING_DIR, requireTools, run } from './support/tools.ts';

const TEMPLATE = join(MONITORING_DIR, 'alertmanager', 'alertmanager.yml');

function rendered(t: { after: (fn: () => void) => void }, env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-am-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return renderAlertmanagerConfig(dir, env);
}

test('amtool check-config accepts the rendered config, with and without the optional chat topic and heartbeat', (t) => {
  const tools = requireTools(t, ['amtool']);
  if (!tools) return;
  const variants: Record<string, string>[] = [
    {},
    {
      HEARTBEAT_URL: 'https://hc.example.test/p',
      CHAT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:Nodeapp-dev-chat',
    },
  ];
  for (const env of variants) {
    const out = run(tools.amtool, ['check-config', rendered(t, env)]);
    assert.match(out, /SUCCESS/);
    assert.match(out, /5 inhibit rules/);
    assert.match(out, /1 templates/);
  }
});

test('critical and warning alerts go to the SNS topic, the Watchdog only to the heartbeat', (t) => {
  const tools = requireTools(t, ['amtool']);
  if (!tools) return;
  const file = rendered(t, { HEARTBEAT_URL: 'https://hc.example.test/ping/abc' });
  const route = (...labels: string[]) =>
    run(tools.amtool, ['config', 'routes', 'test', `--config.file=${file}`, ...labels]).trim();
  assert.equal(route('severity=critical', 'alertname=NodeappServiceDown', 'env=prod'), 'notify-critical');
  assert.equal(route('severity=warning', 'alertname=NodeappTargetDown', 'env=prod'), 'notify-warning');
  assert.equal(route('severity=none', 'alertname=Watchdog', 'env=prod'), 'heartbeat');

  const config = parse(readFileSync(file, 'utf8'));
  const receiver = (name: string) => config.receivers.find((r: { name: string }) => r.name === name);
  for (const name of ['notify-critical', 'notify-warning']) {
    const [sns] = receiver(name).sns_configs;
    assert.equal(sns.topic_arn, TEST_ENVIRONMENT.SNS_TOPIC_ARN);
    assert.deepEqual(sns.sigv4, { region: 'us-east-1' }, 'signed with the task role, no keys');
    assert.equal(receiver(name).slack_configs, undefined, 'Slack only through AWS Chatbot');
    assert.equal(receiver(name).email_configs, undefined, 'no SMTP');
  }
  assert.equal(receiver('heartbeat').webhook_configs[0].url, 'https://hc.example.test/ping/abc');
  assert.equal(config.route.routes[0].repeat_interval, '1m');
});

test('the Watchdog goes to the heartbeat topic through SNS (signed with the task role), the external URL optional', (t) => {
  const config = parse(readFileSync(rendered(t), 'utf8'));
  const heartbeat = config.receivers.find((r: { name: string }) => r.name === 'heartbeat');
  assert.equal(heartbeat.sns_configs.length, 1);
  assert.equal(heartbeat.sns_configs[0].topic_arn, TEST_ENVIRONMENT.HEARTBEAT_TOPIC_ARN);
  assert.deepEqual(heartbeat.sns_configs[0].sigv4, { region: 'us-east-1' });
  assert.equal(heartbeat.webhook_configs, undefined, 'no external heartbeat without HEARTBEAT_URL');
});

test('with a chat topic, every alert also goes there in the chat format; without one, only to the alarm topic', (t) => {
  const chat = 'arn:aws:sns:us-east-1:111111111111:Nodeapp-dev-chat';
  const withChat = parse(readFileSync(rendered(t, { CHAT_TOPIC_ARN: chat }), 'utf8'));
  const without = parse(readFileSync(rendered(t), 'utf8'));
  for (const name of ['notify-critical', 'notify-warning']) {
    const receiver = (config: {
      receivers: { name: string; sns_configs: { topic_arn: string; message: string }[] }[];
    }) => config.receivers.find((r) => r.name === name);
    assert.deepEqual(
      receiver(withChat)?.sns_configs.map((c) => [c.topic_arn, c.message]),
      [
        [TEST_ENVIRONMENT.SNS_TOPIC_ARN, '{{ template "nodeapp.text" . }}'],
        [chat, '{{ template "nodeapp.chat" . }}'],
      ],
    );
    assert.equal(receiver(without)?.sns_configs.length, 1);
  }
});

test('the service-down alert inhibits the other alerts of the same job and environment', () => {
  const config = parse(readFileSync(TEMPLATE, 'utf8'));
  const rule = config.inhibit_rules.find((r: { source_matchers: string[] }) =>
    r.source_matchers.includes('alertname="NodeappServiceDown"'),
  );
  assert.deepEqual(rule.equal, ['env', 'job']);
  assert.deepEqual(config.route.group_by, ['env', 'alertname', 'job']);
});

test('secrets are never in the config template', () => {
  const text = readFileSync(TEMPLATE, 'utf8');
  assert.doesNotMatch(text, /^\s*(api_url|slack_api_url|smtp_\w+|auth_password|access_key|secret_key):/m);
  assert.doesNotMatch(text, /hooks\.slack\.com/);
});
