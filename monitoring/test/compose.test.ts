// The monitoring services of the root compose.yaml run the same images and files as ECS, wired to each other.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { MONITORING_DIR, REPO_DIR } from './support/tools.ts';

interface Service {
  build?: { context: string };
  read_only?: boolean;
  cap_drop?: string[];
  volumes?: string[];
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
  assert.equal(service('prometheus').environment?.PROMETHEUS_CONFIG, '/etc/prometheus/prometheus.compose.yml');
  assert.ok(!service('prometheus').command?.some((a) => a.startsWith('--config.file')), 'the entrypoint adds it');
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

test('the monitoring services run hardened: read-only root, only their data volume writable, no capabilities', () => {
  const data: Record<string, string> = {
    prometheus: 'prometheus-data:/prometheus',
    alertmanager: 'alertmanager-data:/alertmanager',
    grafana: 'grafana-data:/var/lib/grafana',
  };
  for (const [name, volume] of Object.entries(data)) {
    const s = service(name);
    assert.equal(s.read_only, true, `${name} read_only`);
    assert.deepEqual(s.cap_drop, ['ALL'], `${name} cap_drop`);
    assert.deepEqual(s.volumes, [volume], `${name} volumes`);
  }
});

test('compose Alertmanager gets every setting its entrypoint requires', () => {
  const env = service('alertmanager').environment ?? {};
  for (const name of ['SNS_TOPIC_ARN', 'HEARTBEAT_TOPIC_ARN', 'AWS_REGION', 'GRAFANA_URL', 'RUNBOOK_URL'])
    assert.ok(env[name], name);
});
