// The committed Prometheus configs and dashboards JSON must be exactly what the TypeScript sources generate,
// and the dashboards must follow the house rules (datasource variable, units, visible legends).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { THRESHOLDS } from '../src/alerting.ts';
import { PROMETHEUS } from '../src/dashboards/common.ts';
import { dashboards } from '../src/dashboards/index.ts';
import { APP_METRICS_PORT, ECS_SD_JOB, ECS_SD_PORT } from '../src/discovery.ts';
import { generatedFiles } from '../src/generate.ts';
import { MONITORING_DIR } from './support/tools.ts';

test('committed generated files equal what the sources generate (run `npm run generate -w monitoring`)', () => {
  for (const [path, content] of generatedFiles()) {
    const committed = readFileSync(join(MONITORING_DIR, path), 'utf8');
    assert.equal(committed, content, `${path} is stale: run npm run generate -w monitoring`);
  }
});

test('the ECS and compose Prometheus configs differ only in the discovery of the app job', () => {
  const files = generatedFiles();
  const ecs = parse(files.get('prometheus/prometheus.yml') ?? '');
  const compose = parse(files.get('prometheus/prometheus.compose.yml') ?? '');
  const job = (config: { scrape_configs: { job_name: string }[] }, name: string) =>
    config.scrape_configs.find((c) => c.job_name === name) as Record<string, unknown>;
  // ECS: every task from the ECS API through the sidecar (not Cloud Map DNS, which answers at most 8 records).
  assert.deepEqual(job(ecs, 'app').http_sd_configs, [
    { url: `http://localhost:${ECS_SD_PORT}/targets`, refresh_interval: '30s' },
  ]);
  assert.equal(job(ecs, 'app').dns_sd_configs, undefined);
  assert.deepEqual(job(ecs, ECS_SD_JOB).static_configs, [{ targets: [`localhost:${ECS_SD_PORT}`] }]);
  assert.deepEqual(job(compose, 'app').static_configs, [{ targets: [`app:${APP_METRICS_PORT}`] }]);
  ecs.scrape_configs = ecs.scrape_configs.filter(
    (c: { job_name: string }) => !['app', ECS_SD_JOB].includes(c.job_name),
  );
  compose.scrape_configs = compose.scrape_configs.filter((c: { job_name: string }) => c.job_name !== 'app');
  assert.deepEqual(ecs, compose);
  assert.equal(ecs.global.scrape_interval, '15s');
  assert.deepEqual(
    ecs.global.external_labels,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Prometheus expands it (expand-external-labels)
    { env: '${NODEAPP_ENV}' },
    'every alert and series names its environment',
  );
});

test('dashboards and alert rules use the same thresholds (src/alerting.ts), read from the generated files', () => {
  const files = generatedFiles();
  const rules = parse(files.get('prometheus/rules/alerts.rules.yml') ?? '') as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  const expr = (alert: string) => rules.groups.flatMap((g) => g.rules).find((r) => r.alert === alert)?.expr ?? '';
  const overview = JSON.parse(files.get('grafana/dashboards/nodeapp-service-overview.json') ?? '{}') as {
    panels: {
      title: string;
      fieldConfig?: { defaults?: { thresholds?: { steps: { value: number | null; color: string }[] } } };
    }[];
  };
  const red = (title: string) =>
    overview.panels
      .find((p) => p.title === title)
      ?.fieldConfig?.defaults?.thresholds?.steps.find((step) => step.color === 'red')?.value;
  const threshold = (alert: string, metric: string) =>
    Number(new RegExp(`${metric}\\{[^}]*\\} > ([0-9.]+)`).exec(expr(alert))?.[1]);
  assert.equal(red('Latency p99'), threshold('NodeappHighLatencyP99', 'job:http_request_duration_seconds:p99_5m'));
  assert.equal(red('5xx ratio'), THRESHOLDS.errorRatio);
  // The memory panel shows the same limit series the alert divides by.
  assert.match(
    expr('NodeappMemoryNearLimit'),
    /\/ on \(job, instance, task\) max by \(job, instance, task\) \(nodeapp_memory_limit_bytes\{job="app"\}\)/,
  );
  assert.match(
    files.get('grafana/dashboards/nodeapp-service-overview.json') ?? '',
    /nodeapp_memory_limit_bytes\{job=\\"app\\"/,
  );
  assert.doesNotMatch([...files.values()].join('\n'), /job:task_memory_limit_bytes/);
});

test('every dashboard has a datasource variable and every panel queries through it', () => {
  const all = dashboards();
  assert.deepEqual(
    all.map((d) => d.uid),
    ['nodeapp-service-overview', 'nodeapp-nodejs-runtime', 'nodeapp-database', 'nodeapp-error-budget'],
  );
  for (const dashboard of all) {
    const variable = dashboard.templating?.list?.find((v) => v.type === 'datasource');
    assert.equal(variable?.name, 'datasource', `${dashboard.uid} has no datasource variable`);
    assert.equal(variable?.query, 'prometheus');
    const panels = (dashboard.panels ?? []).filter((p) => p.type !== 'row');
    assert.ok(panels.length >= 4, `${dashboard.uid} has only ${panels.length} panels`);
    const ids = new Set((dashboard.panels ?? []).map((p) => p.id));
    assert.equal(ids.size, dashboard.panels?.length, `${dashboard.uid} has duplicate panel ids`);
    for (const panel of panels) {
      const where = `${dashboard.uid} / ${'title' in panel ? panel.title : '?'}`;
      assert.ok('targets' in panel && panel.targets && panel.targets.length > 0, `${where} has no query`);
      for (const target of panel.targets) {
        const query = target as { datasource?: unknown; expr?: string };
        assert.deepEqual(query.datasource, PROMETHEUS, where);
        assert.ok(query.expr, `${where} has an empty expression`);
      }
      assert.ok(panel.fieldConfig?.defaults?.unit, `${where} has no unit`);
      if (panel.type === 'timeseries') {
        const legend = (panel.options as { legend?: { showLegend?: boolean; displayMode?: string } }).legend;
        assert.equal(legend?.showLegend, true, `${where} hides its legend`);
        assert.notEqual(legend?.displayMode, 'hidden', `${where} hides its legend`);
      }
    }
  }
});
