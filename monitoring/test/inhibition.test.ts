// One incident notifies once: every notifying alert of the generated rules is fired, all alerts of one failure mode
// together, into a real Alertmanager with alertmanager.yml's grouping and inhibit rules (its receivers replaced by one
// local webhook), and each failure mode must reach the webhook as exactly one alert. The list of alerts comes from
// the generated rule files, so a new alert in a mode without an inhibit rule fails here.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '@nodeapp/test-support';
import { parse, stringify } from 'yaml';
import { Processes, sleep, waitFor } from './support/processes.ts';
import { allRules } from './support/rules.ts';
import { MONITORING_DIR, requireTools } from './support/tools.ts';

interface Notification {
  alerts: { status: string; labels: Record<string, string> }[];
}

/** Every notifying alert (not the Watchdog) by failure mode, with the labels its rule gives it. */
function alertsByMode(): Map<string, Record<string, string>[]> {
  const byMode = new Map<string, Record<string, string>[]>();
  const seen = new Set<string>();
  for (const rule of allRules()) {
    if (!rule.alert || rule.labels?.severity === 'none') continue;
    const labels: Record<string, string> = { alertname: rule.alert, ...rule.labels };
    const key = JSON.stringify(labels);
    if (seen.has(key)) continue; // the same rule in every environment's SLO file
    seen.add(key);
    const mode = labels.failure_mode;
    assert.ok(mode, `alert ${rule.alert} has no failure_mode label`);
    byMode.set(mode, [...(byMode.get(mode) ?? []), labels]);
  }
  return byMode;
}

test('Alertmanager sends one notification per failure mode when all its alerts fire at once', async (t) => {
  const tools = requireTools(t, ['prometheus-alertmanager']);
  if (!tools) return;
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-inhibit-'));
  const processes = new Processes();
  const received: Notification[] = [];
  const webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push(JSON.parse(body) as Notification);
      res.end();
    });
  });
  t.after(async () => {
    await processes.stopAll();
    webhook.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', resolve));
  const { port: webhookPort } = webhook.address() as { port: number };

  // The real grouping and inhibit rules; one receiver for everything, flushed at once.
  const real = parse(readFileSync(join(MONITORING_DIR, 'alertmanager', 'alertmanager.yml'), 'utf8'));
  const config = {
    route: {
      receiver: 'test',
      group_by: real.route.group_by,
      group_wait: '1s',
      group_interval: '1h',
      repeat_interval: '1h',
    },
    inhibit_rules: real.inhibit_rules,
    receivers: [{ name: 'test', webhook_configs: [{ url: `http://127.0.0.1:${webhookPort}/`, send_resolved: false }] }],
  };
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
  const port = await freePort();
  processes.start(
    'alertmanager',
    tools['prometheus-alertmanager'],
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    { logFile: join(dir, 'alertmanager.log') },
  );
  const api = `http://127.0.0.1:${port}/api/v2`;
  await waitFor('Alertmanager ready', 15_000, async () => ((await fetch(`${api}/status`)).ok ? true : undefined));

  // Each mode in an environment of its own, so that modes cannot inhibit each other here; one job per mode.
  const byMode = alertsByMode();
  const alerts = [...byMode].flatMap(([mode, list]) =>
    list.map((labels) => ({ labels: { ...labels, env: `mode-${mode}`, job: 'app' } })),
  );
  const posted = await fetch(`${api}/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts),
  });
  assert.equal(posted.status, 200, await posted.text());

  const notified = () => new Set(received.flatMap((n) => n.alerts.map((a) => a.labels.env)));
  await waitFor('a notification for every failure mode', 20_000, async () =>
    notified().size >= byMode.size ? true : undefined,
  );
  await sleep(2_000); // any second notification of a mode would have arrived by now (group_wait 1s)

  const perMode = new Map<string, string[]>();
  for (const alert of received.flatMap((n) => n.alerts)) {
    const mode = alert.labels.env?.replace(/^mode-/, '') ?? '';
    perMode.set(mode, [...(perMode.get(mode) ?? []), alert.labels.alertname ?? '']);
  }
  const several = [...perMode].filter(([, names]) => names.length !== 1);
  assert.deepEqual(several, [], 'failure modes that notified more than once');
  assert.deepEqual([...perMode.keys()].sort(), [...byMode.keys()].sort());
  // A crash loop pages as crashes (not as missing tasks or unanswered scrapes); a latency incident as the SLO burn.
  assert.deepEqual(perMode.get('task-failure'), ['NodeappFrequentRestarts']);
  assert.deepEqual(perMode.get('slow-responses'), ['NodeappErrorBudgetBurn']);
  assert.ok((byMode.get('task-failure')?.length ?? 0) >= 3, 'the crash loop fires three alerts');
});
