// Alertmanager's messages for the chat integration follow its custom-notification format: nodeapp.chat rendered by
// Alertmanager's own template engine (amtool template render), for a firing and a resolved group whose texts hold
// quotes, apostrophes, tabs, newlines and non-ASCII, each validated against alertmanager/chat-notification.schema.json.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderAlertmanagerConfig, TEST_ENVIRONMENT } from './support/alertmanager.ts';
import { chatNotificationProblems } from './support/chat.ts';
import { requireTools, run } from './support/tools.ts';

function group(status: 'firing' | 'resolved') {
  const labels = { alertname: 'NodeappServiceDown', env: 'prod', severity: 'critical', job: 'app' };
  return {
    receiver: 'notify-critical',
    status,
    alerts: [
      {
        status,
        labels,
        annotations: {
          summary: 'Nodeapp is down (no task "answers")',
          description: "It's down:\tno task answers — for 1 minute.\nSecond line.",
          runbook_url: 'docs/runbook.md#nodeappservicedown',
          dashboard: '/d/nodeapp-service-overview',
        },
        startsAt: '2026-12-06T07:00:00Z',
        endsAt: status === 'resolved' ? '2026-12-06T07:10:00Z' : '0001-01-01T00:00:00Z',
        generatorURL: 'http://localhost:9090/graph',
        fingerprint: '0123456789abcdef',
      },
    ],
    groupLabels: { env: 'prod', alertname: 'NodeappServiceDown', job: 'app' },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://localhost:9093',
  };
}

test('Alertmanager chat messages, firing and resolved, follow the custom-notification format', (t) => {
  const tools = requireTools(t, ['amtool']);
  if (!tools) return;
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-chat-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  renderAlertmanagerConfig(dir, { CHAT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:Nodeapp-prod-chat' });
  for (const status of ['firing', 'resolved'] as const) {
    writeFileSync(join(dir, `${status}.json`), JSON.stringify(group(status)));
    const message = run(tools.amtool, [
      'template',
      'render',
      `--template.glob=${join(dir, 'nodeapp.tmpl')}`,
      '--template.text={{ template "nodeapp.chat" . }}',
      `--template.data=${join(dir, `${status}.json`)}`,
    ]).trim();
    assert.deepEqual(chatNotificationProblems(message), [], message);
    const { content } = JSON.parse(message);
    assert.match(content.title, new RegExp(`^:[a-z_]+: \\[prod\\] \\[${status.toUpperCase()}\\] NodeappServiceDown`));
    assert.ok(content.description.includes(`${TEST_ENVIRONMENT.RUNBOOK_URL}#nodeappservicedown|Runbook>`));
    assert.ok(content.description.includes("It's down:\tno task answers — for 1 minute.\nSecond line."));
  }
});

test('the format check can fail: a plain text message, a wrong source and an unknown field are refused', () => {
  assert.match(chatNotificationProblems('[prod] FIRING: Nodeapp is down')[0] ?? '', /^not JSON/);
  const valid = { version: '1.0', source: 'custom', content: { textType: 'client-markdown', description: 'x' } };
  assert.deepEqual(chatNotificationProblems(JSON.stringify(valid)), []);
  assert.equal(chatNotificationProblems(JSON.stringify({ ...valid, source: 'prometheus' })).length, 1);
  assert.equal(
    chatNotificationProblems(JSON.stringify({ ...valid, content: { ...valid.content, text: 'x' } })).length,
    1,
  );
});
