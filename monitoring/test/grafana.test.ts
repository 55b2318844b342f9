// Grafana provisioning: the datasources the dashboards need, and a dashboards provider that reads the folder the
// image copies the generated JSON into.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { MONITORING_DIR } from './support/tools.ts';

const read = (path: string) => readFileSync(join(MONITORING_DIR, 'grafana', path), 'utf8');

test('Prometheus (default), Alertmanager and CloudWatch datasources, addresses from the environment', () => {
  const { datasources } = parse(read('provisioning/datasources/datasources.yml')) as {
    datasources: { name: string; type: string; url?: string; isDefault?: boolean; jsonData?: Record<string, string> }[];
  };
  const byType = Object.fromEntries(datasources.map((d) => [d.type, d]));
  assert.deepEqual(Object.keys(byType).sort(), ['alertmanager', 'cloudwatch', 'prometheus']);
  assert.equal(byType.prometheus?.url, `\${PROMETHEUS_URL}`);
  assert.equal(byType.prometheus?.isDefault, true);
  assert.equal(byType.alertmanager?.url, `\${ALERTMANAGER_URL}`);
  assert.equal(byType.cloudwatch?.jsonData?.authType, 'default', 'task role credentials, no keys');
  assert.equal(byType.cloudwatch?.jsonData?.defaultRegion, `\${AWS_REGION}`);
});

test('the dashboards provider reads where the image puts the generated dashboards, read-only', () => {
  const { providers } = parse(read('provisioning/dashboards/dashboards.yml')) as {
    providers: { folder: string; allowUiUpdates: boolean; options: { path: string } }[];
  };
  assert.equal(providers.length, 1);
  const [provider] = providers;
  assert.equal(provider?.folder, 'Nodeapp');
  assert.equal(provider?.allowUiUpdates, false);
  assert.match(read('Dockerfile'), new RegExp(`^COPY dashboards/ ${provider?.options.path}/$`, 'm'));
  assert.match(read('Dockerfile'), /GF_AUTH_ANONYMOUS_ENABLED=false/);
});
