// The monitoring is generated for the service the contract describes (NODEAPP_SERVICE, else app/): its job name
// everywhere, its metrics port and path in the scrape job, and the dashboards that read its own metrics only when its
// contract says it exports them; without metrics, the service overview reads the load balancer's CloudWatch metrics.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { loadServiceContract } from '@nodeapp/contract';
import { parse } from 'yaml';
import { alertRuleGroups } from '../src/alert-rules.ts';
import { dashboards } from '../src/dashboards/index.ts';
import { APP_JOB, APP_JOB_SELECTOR, discoveryOf, SERVICE } from '../src/discovery.ts';
import { generatedFiles, rulesFor } from '../src/generate.ts';

const hello = loadServiceContract('examples/hello-express');

test("every query of the guestbook's dashboards selects its job through the one selector", () => {
  assert.equal(SERVICE.folder, 'app');
  assert.equal(APP_JOB, SERVICE.name);
  const exprs = JSON.stringify(dashboards()).match(/job=\\"[^\\]*\\"/g) ?? [];
  assert.ok(exprs.length > 10, `few job selectors: ${exprs.length}`);
  assert.deepEqual([...new Set(exprs)], [APP_JOB_SELECTOR.replaceAll('"', '\\"')]);
});

test('a service without metrics gets the load-balancer overview only (CloudWatch, no Prometheus query)', () => {
  const boards = dashboards(discoveryOf(hello), hello.database !== undefined);
  assert.deepEqual(
    boards.map((b) => b.uid),
    ['nodeapp-service-overview'],
  );
  const json = JSON.stringify(boards);
  assert.match(json, /AWS\/ApplicationELB/);
  assert.doesNotMatch(json, /"type":"prometheus"/);
});

test('the guestbook gets its RED, runtime, database and error-budget dashboards from its own metrics', () => {
  assert.deepEqual(
    dashboards().map((b) => b.uid),
    ['nodeapp-service-overview', 'nodeapp-nodejs-runtime', 'nodeapp-database', 'nodeapp-error-budget'],
  );
});

test('NODEAPP_SERVICE selects the service: no scrape job and no runtime dashboard without metrics', () => {
  const script = `const { generatedFiles } = await import('./src/generate.ts');
    console.log(JSON.stringify(Object.fromEntries(generatedFiles())));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: new URL('..', import.meta.url),
    env: { ...process.env, NODEAPP_SERVICE: 'examples/hello-express' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  const files = JSON.parse(run.stdout) as Record<string, string>;
  const jobs = parse(files['prometheus/prometheus.yml'] ?? '').scrape_configs.map(
    (c: { job_name: string }) => c.job_name,
  );
  assert.ok(!jobs.includes(hello.name), `a scrape job for a service without metrics: ${jobs}`);
  assert.equal(files['grafana/dashboards/nodeapp-nodejs-runtime.json'], undefined);
  assert.doesNotMatch(files['prometheus/rules/alerts.rules.yml'] ?? '', new RegExp(`job=\\\\?"${hello.name}`));
  assert.match(files['prometheus/rules/alerts.rules.yml'] ?? '', /alert: Watchdog/);
  // No request histogram, no SLO: every environment's SLO file is there for the image, empty.
  assert.deepEqual(parse(files['prometheus/rules/slo/prod.rules.yml'] ?? ''), { groups: [] });
  // The guestbook's own files (this process) keep its job.
  const own = parse(generatedFiles().get('prometheus/prometheus.yml') ?? '');
  assert.ok(own.scrape_configs.some((c: { job_name: string }) => c.job_name === APP_JOB));
});

test("alert rules that read the service's own metrics only when its contract exports them", () => {
  const all = alertRuleGroups();
  const names = (groups: ReturnType<typeof alertRuleGroups>) =>
    groups.groups.flatMap((g) => g.rules.map((r) => r.alert));
  assert.deepEqual(names(rulesFor(all, discoveryOf(SERVICE), true)), names(all), 'the guestbook keeps every rule');
  const kept = rulesFor(all, discoveryOf(hello), false).groups.flatMap((g) => g.rules);
  assert.ok(kept.length > 0 && kept.length < names(all).length, `${kept.length} of ${names(all).length} rules kept`);
  for (const rule of kept)
    assert.doesNotMatch(rule.expr, new RegExp(APP_JOB_SELECTOR), `${rule.alert} reads the service`);
  assert.ok(
    kept.some((r) => r.alert === 'Watchdog'),
    'the monitoring watches itself whatever the service',
  );
});
