// The monitoring services of the root compose.yaml run the same images and files as ECS, wired to each other.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { MONITORING_DIR, REPO_DIR } from './support/tools.ts';

interface Service {
  build?: { context: string };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  network_mode?: string;
}
const compose = parse(readFileSync(join(REPO_DIR, 'compose.yaml'), 'utf8')) as { services: Record<string, Service> };
const service = (name: string): Service => {
  const found = compose.services[name];
  assert.ok(found, `compose.yaml has no ${name} service`);
  return found;
};

test('prometheus, alertmanager and grafana are built from the monitoring/ image folders', () => {
  for (const name of ['prometheus', 'alertmanager', 'grafana']) {
    const context = service(name).build?.context ?? '';
    assert.equal(context, `monitoring/${name}`);
    assert.ok(existsSync(join(REPO_DIR, context, 'Dockerfile')), `${context}/Dockerfile`);
  }
});

test('compose Prometheus runs the compose variant, which scrapes the app service on its metrics port', () => {
  assert.ok(service('prometheus').command?.includes('--config.file=/etc/prometheus/prometheus.compose.yml'));
  assert.match(readFileSync(join(MONITORING_DIR, 'prometheus', 'Dockerfile'), 'utf8'), /prometheus\.compose\.yml/);
  const config = parse(readFileSync(join(MONITORING_DIR, 'prometheus', 'prometheus.compose.yml'), 'utf8'));
  assert.deepEqual(config.scrape_configs[0].static_configs, [{ targets: ['app:9464'] }]);
  assert.ok(
    service('app').ports?.some((p) => p.endsWith(':9464')),
    'the app service exposes 9464',
  );
});

test('Alertmanager shares the Prometheus network namespace, as in the ECS task (localhost:9093)', () => {
  assert.equal(service('alertmanager').network_mode, 'service:prometheus');
  assert.ok(service('prometheus').ports?.some((p) => p.endsWith(':9093')));
});

test('Grafana is on http://localhost:3001 and reads the compose Prometheus', () => {
  const grafana = service('grafana');
  assert.deepEqual(grafana.ports, [`127.0.0.1:\${GRAFANA_PORT:-3001}:3000`]);
  assert.equal(grafana.environment?.PROMETHEUS_URL, 'http://prometheus:9090');
  assert.equal(
    grafana.environment?.ALERTMANAGER_URL,
    'http://prometheus:9093',
    'Alertmanager in the Prometheus namespace',
  );
  assert.ok(grafana.environment?.AWS_REGION, 'the CloudWatch datasource needs AWS_REGION');
});
