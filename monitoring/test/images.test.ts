// The small images built from this folder: pinned base versions, and the Alertmanager entrypoint that turns
// ECS-injected secrets into the files the config reads (run here with amtool standing in for Alertmanager).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MONITORING_DIR, requireTools } from './support/tools.ts';

test('every image is pinned to an exact upstream version', () => {
  for (const image of ['prometheus', 'alertmanager', 'grafana']) {
    const dockerfile = readFileSync(join(MONITORING_DIR, image, 'Dockerfile'), 'utf8');
    const from = dockerfile.match(/^FROM (\S+)$/m)?.[1] ?? '';
    assert.match(from, /^[a-z/]+:v?\d+\.\d+\.\d+$/, `${image}/Dockerfile FROM ${from}`);
  }
});

function runEntrypoint(dir: string, env: Record<string, string>, amtool: string) {
  return spawnSync('sh', [join(MONITORING_DIR, 'alertmanager', 'entrypoint.sh'), 'check-config', join(dir, 'am.yml')], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      AM_SECRETS_DIR: join(dir, 'secrets'),
      AM_CONFIG_OUT: join(dir, 'am.yml'),
      AM_CONFIG_IN: join(MONITORING_DIR, 'alertmanager', 'alertmanager.yml'),
      AM_BINARY: amtool,
      ...env,
    },
  });
}

test('the Alertmanager entrypoint writes secrets to 0600 files and renders a valid config', (t) => {
  const tools = requireTools(t, ['amtool']);
  if (!tools) return;
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-am-entrypoint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = runEntrypoint(
    dir,
    {
      SLACK_WEBHOOK_URL: 'https://hooks.example.test/services/T0/B0/secret-token',
      SMTP_AUTH_PASSWORD: 'smtp-secret-password',
      SMTP_SMARTHOST: 'email-smtp.eu-west-1.amazonaws.com:587',
      SMTP_FROM: 'alerts@nodeapp.test',
      SMTP_AUTH_USERNAME: 'AKIAEXAMPLEUSER',
      ALERT_EMAIL_TO: 'ops@nodeapp.test',
    },
    tools.amtool,
  );
  assert.equal(result.status, 0, result.stderr + result.stdout);
  assert.match(result.stdout, /SUCCESS/);

  const secret = (name: string) => join(dir, 'secrets', name);
  assert.equal(
    readFileSync(secret('slack_webhook_url'), 'utf8'),
    'https://hooks.example.test/services/T0/B0/secret-token',
  );
  assert.equal(readFileSync(secret('smtp_auth_password'), 'utf8'), 'smtp-secret-password');
  assert.equal(statSync(secret('smtp_auth_password')).mode & 0o777, 0o600);

  const rendered = readFileSync(join(dir, 'am.yml'), 'utf8');
  assert.match(rendered, /smtp_smarthost: email-smtp\.eu-west-1\.amazonaws\.com:587/);
  assert.match(rendered, /smtp_from: alerts@nodeapp\.test/);
  assert.match(rendered, /smtp_auth_username: AKIAEXAMPLEUSER/);
  assert.match(rendered, /- to: ops@nodeapp\.test/);
  assert.ok(rendered.includes(`slack_api_url_file: ${secret('slack_webhook_url')}`));
  const settings = rendered.replace(/^\s*#.*$/gm, '');
  assert.doesNotMatch(settings, /secret-token|smtp-secret-password|example\.com/);
});

test('the Alertmanager entrypoint refuses a setting that would break the config, naming it', (t) => {
  const tools = requireTools(t, ['amtool']);
  if (!tools) return;
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-am-entrypoint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const result = runEntrypoint(dir, { ALERT_EMAIL_TO: 'a@b.test|c' }, tools.amtool);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /ALERT_EMAIL_TO must not contain/);
});

test('the Prometheus image build sets the task memory limit the memory alert uses', (t) => {
  const tools = requireTools(t, ['promtool']);
  if (!tools) return;
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-prom-image-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const rules = join(dir, 'recording.rules.yml');
  copyFileSync(join(MONITORING_DIR, 'prometheus', 'rules', 'recording.rules.yml'), rules);
  const script = join(MONITORING_DIR, 'prometheus', 'set-task-memory.sh');

  const ok = spawnSync('sh', [script, '2048', rules], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(readFileSync(rules, 'utf8'), /expr: vector\(2048 \* 1024 \* 1024\)/);
  const check = spawnSync(tools.promtool, ['check', 'rules', rules], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);

  const bad = spawnSync('sh', [script, '2g', rules], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /TASK_MEMORY_MIB must be a whole number/);
  assert.match(
    readFileSync(join(MONITORING_DIR, 'prometheus', 'Dockerfile'), 'utf8'),
    /set-task-memory\.sh "\$TASK_MEMORY_MIB"/,
  );
});
