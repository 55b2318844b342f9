// The images built from this folder: base images pinned by digest, no build argument and no RUN step in what runs
// on the target architecture (one image for every environment; the pipeline builds them, `cdk deploy` never does),
// writable paths only on declared volumes, and the entrypoints that render the per-environment settings at start.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { renderAlertmanagerConfig, runAlertmanagerEntrypoint, TEST_ENVIRONMENT } from './support/alertmanager.ts';
import { MONITORING_DIR, REPO_DIR, requireTools, run } from './support/tools.ts';

const DOCKERFILES = ['prometheus', 'alertmanager', 'grafana', 'ecs-sd'].map((name) =>
  join(MONITORING_DIR, name, 'Dockerfile'),
);

/** The instructions of the last stage (what runs on the target architecture). */
function finalStage(dockerfile: string): string[] {
  const lines = readFileSync(dockerfile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.trimStart().startsWith('#'));
  const lastFrom = lines.findLastIndex((l) => l.startsWith('FROM '));
  return lines.slice(lastFrom);
}

test('every base image is pinned by version and digest', () => {
  for (const file of DOCKERFILES) {
    const froms = readFileSync(file, 'utf8').match(/^FROM .+$/gm) ?? [];
    assert.ok(froms.length > 0, file);
    for (const from of froms) {
      assert.match(
        from,
        /^FROM (--platform=\$BUILDPLATFORM )?[a-z0-9/.-]+:[\w.-]+@sha256:[0-9a-f]{64}( AS \w+)?$/,
        `${file}: ${from}`,
      );
    }
  }
});

test('no build argument, no RUN step where the image runs, and a non-root user', () => {
  for (const file of DOCKERFILES) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /^ARG /m, `${file} takes a build argument`);
    assert.doesNotMatch(text, /\bsed\b.*-i/, `${file} edits files at build`);
    const stage = finalStage(file);
    assert.equal(stage.filter((l) => l.startsWith('RUN ')).length, 0, `${file}: RUN in the final stage`);
    const user = stage.findLast((l) => l.startsWith('USER '));
    assert.match(user ?? '', /^USER [1-9]\d*(:\d+)?$/, `${file}: numeric non-root USER`);
  }
});

test('writable paths are declared volumes owned by the image user (ECS copies them into its bind mounts)', () => {
  // Prometheus and Alertmanager inherit VOLUME /prometheus and /alertmanager (owned by nobody) from their bases.
  const grafana = readFileSync(join(MONITORING_DIR, 'grafana', 'Dockerfile'), 'utf8');
  assert.match(grafana, /^VOLUME \["\/var\/lib\/grafana"\]$/m);
});

test('the Alertmanager entrypoint renders the environment into a 0600 config, with no Slack receiver of its own', (t) => {
  const tools = requireTools(t, ['amtool']);
  if (!tools) return;
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-am-entrypoint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A leftover webhook variable changes nothing: Slack hears the topics through AWS Chatbot only.
  const file = renderAlertmanagerConfig(dir, {
    HEARTBEAT_URL: 'https://hc.example.test/ping/secret-token',
    SLACK_WEBHOOK_URL: 'https://hooks.example.test/services/T0/B0/other-token',
  });
  assert.match(run(tools.amtool, ['check-config', file]), /SUCCESS/);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir).sort(), ['alertmanager.yml', 'nodeapp.tmpl']);
  const config = readFileSync(file, 'utf8').replace(/^\s*#.*$/gm, '');
  assert.doesNotMatch(config, /\$\{|slack|other-token/);
  assert.ok(config.includes('url: https://hc.example.test/ping/secret-token'));
  const template = readFileSync(join(dir, 'nodeapp.tmpl'), 'utf8');
  assert.ok(template.includes(`${TEST_ENVIRONMENT.GRAFANA_URL}/alerting/groups`));
  assert.ok(template.includes(TEST_ENVIRONMENT.RUNBOOK_URL));
  assert.doesNotMatch(template, /\$\{/);
});

test('the Alertmanager entrypoint refuses a missing or malformed setting, naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-am-entrypoint-'));
  try {
    for (const [env, message] of [
      [{ ...TEST_ENVIRONMENT, SNS_TOPIC_ARN: '' }, /SNS_TOPIC_ARN must be an SNS topic ARN/],
      [{ ...TEST_ENVIRONMENT, GRAFANA_URL: 'grafana' }, /GRAFANA_URL must be an http\(s\) URL/],
      [{ ...TEST_ENVIRONMENT, RUNBOOK_URL: 'https://x|y' }, /RUNBOOK_URL must not contain/],
    ] as const) {
      const result = runAlertmanagerEntrypoint(dir, env);
      assert.equal(result.status, 1);
      assert.match(result.stderr, message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function runPrometheusEntrypoint(dir: string, env: Record<string, string>) {
  return spawnSync('sh', [join(MONITORING_DIR, 'prometheus', 'entrypoint.sh')], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      PROMETHEUS_CONFIG: join(MONITORING_DIR, 'prometheus', 'prometheus.yml'),
      PROMETHEUS_RENDER_DIR: dir,
      PROMETHEUS_BINARY: 'echo',
      NODEAPP_ENV: 'prod',
      ...env,
    },
  });
}

test('the Prometheus entrypoint adds AMP remote_write (SigV4, region) when configured, and promtool accepts it', (t) => {
  const tools = requireTools(t, ['promtool']);
  if (!tools) return;
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-prom-entrypoint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const url =
    'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0123abcd-4567-89ef-0123-456789abcdef/api/v1/remote_write';

  const plain = runPrometheusEntrypoint(dir, {});
  assert.equal(plain.status, 0, plain.stderr);
  assert.equal(
    plain.stdout.trim(),
    `--config.file=${join(dir, 'prometheus.yml')} --enable-feature=expand-external-labels`,
  );
  assert.doesNotMatch(readFileSync(join(dir, 'prometheus.yml'), 'utf8'), /remote_write/);
  const plainCheck = run(tools.promtool, ['check', 'config', join(dir, 'prometheus.yml')]);
  assert.match(plainCheck, /SUCCESS: 3 rule files found/, "the rules and this environment's SLO rules load");
  assert.match(readFileSync(join(dir, 'slo', 'prod.rules.yml'), 'utf8'), /slo: availability/);

  const unknown = runPrometheusEntrypoint(dir, { NODEAPP_ENV: 'nowhere' });
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /^entrypoint: NODEAPP_ENV: no SLO rules for environment 'nowhere'/);

  const amp = runPrometheusEntrypoint(dir, { AMP_REMOTE_WRITE_URL: url, AWS_REGION: 'eu-west-1' });
  assert.equal(amp.status, 0, amp.stderr);
  assert.match(amp.stdout, new RegExp(`--config.file=${join(dir, 'prometheus.yml')} `));
  const rendered = readFileSync(join(dir, 'prometheus.yml'), 'utf8');
  assert.ok(rendered.includes(`url: ${url}`));
  assert.match(rendered, /sigv4:\n\s+region: eu-west-1/);
  assert.doesNotMatch(rendered, /\$\{AMP_REMOTE_WRITE_URL\}|\$\{AWS_REGION\}/);
  const check = run(tools.promtool, ['check', 'config', join(dir, 'prometheus.yml')]);
  assert.match(check, /SUCCESS: 3 rule files found/, 'the rules still load from the rendered config');

  const bad = runPrometheusEntrypoint(dir, {
    AMP_REMOTE_WRITE_URL: 'https://example.com/write',
    AWS_REGION: 'eu-west-1',
  });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /AMP_REMOTE_WRITE_URL must be https:\/\/aps-workspaces/);
});

test('the sidecar image starts from the repository root (the workspaces share one lockfile)', () => {
  const images = readFileSync(join(REPO_DIR, 'infra', 'config', 'images.ts'), 'utf8');
  assert.match(
    images,
    /ecsSd: \{\s*repositoryName: 'nodeapp-ecs-sd',\s*dockerfile: 'monitoring\/ecs-sd\/Dockerfile',\s*context: '\.'/,
  );
});
