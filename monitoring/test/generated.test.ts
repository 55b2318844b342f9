// The committed Prometheus configs and dashboards JSON must be exactly what the TypeScript sources generate,
// and the dashboards must follow the house rules (datasource variable, units, visible legends).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { PROMETHEUS } from '../src/dashboards/common.ts';
import { dashboards } from '../src/dashboards/index.ts';
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
  const ecsApp = ecs.scrape_configs.find((c: { job_name: string }) => c.job_name === 'app');
  const composeApp = compose.scrape_configs.find((c: { job_name: string }) => c.job_name === 'app');
  assert.deepEqual(ecsApp.dns_sd_configs, [{ names: ['app.nodeapp.internal'], type: 'SRV', refresh_interval: '30s' }]);
  assert.deepEqual(composeApp.static_configs, [{ targets: ['app:9464'] }]);
  delete ecsApp.dns_sd_configs;
  delete composeApp.static_configs;
  assert.deepEqual(ecs, compose);
  assert.equal(ecs.global.scrape_interval, '15s');
});

test('every dashboard has a datasource variable and every panel queries through it', () => {
  const all = dashboards();
  assert.deepEqual(
    all.map((d) => d.uid),
    ['nodeapp-service-overview', 'nodeapp-nodejs-runtime', 'nodeapp-database'],
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
