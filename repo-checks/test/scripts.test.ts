// Every repository script parses, and refuses bad arguments with a usage message before doing anything.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IMAGE_NAMES } from '@nodeapp/infra/config/images';
import { repoRoot } from '../src/repo.ts';
import { runScript } from '../src/run-script.ts';

const scripts = readdirSync(join(repoRoot, 'scripts')).filter((f) => f.endsWith('.sh'));
const libraries = readdirSync(join(repoRoot, 'scripts', 'lib')).filter((f) => f.endsWith('.sh'));

test('the scripts folder holds the pipeline scripts', () => {
  for (const s of ['container-smoke.sh', 'deploy-env.sh', 'deploy-smoke.sh', 'destroy-env.sh']) {
    assert.ok(scripts.includes(s), `scripts/${s} missing`);
  }
});

for (const library of libraries) {
  test(`scripts/lib/${library} is valid bash (sourced by the scripts, never run)`, () => {
    execFileSync('bash', ['-n', join(repoRoot, 'scripts', 'lib', library)]);
  });
}

for (const script of scripts) {
  test(`scripts/${script} is valid bash with strict mode`, () => {
    execFileSync('bash', ['-n', join(repoRoot, 'scripts', script)]);
    assert.match(readFileSync(join(repoRoot, 'scripts', script), 'utf8'), /^set -euo pipefail$/m);
  });
}

test('container-smoke.sh names the variable when the engine is unknown', async () => {
  const r = await runScript('scripts/container-smoke.sh', [], { CONTAINER_ENGINE: 'rkt' });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /CONTAINER_ENGINE must be docker or podman \(got 'rkt'\)/);
});

test('destroy-env.sh only accepts a known environment', async () => {
  const r = await runScript('scripts/destroy-env.sh', ['production']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: .* dev\|staging\|prod \(got 'production'\)/);
});

test('deploy-env.sh requires the image tag and the digests', async () => {
  const r = await runScript('scripts/deploy-env.sh', ['staging'], { IMAGE_TAG: '', IMAGE_DIGESTS: '' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /IMAGE_TAG must be the git SHA of the images to deploy/);
  const d = await runScript('scripts/deploy-env.sh', ['staging'], { IMAGE_TAG: 'abc', IMAGE_DIGESTS: '' });
  assert.equal(d.code, 1);
  assert.match(d.stderr, /IMAGE_DIGESTS must be the push job output/);
});

for (const [script, args] of [
  ['image-load.sh', ['only-one']],
  ['image-push.sh', ['app', 'registry', 'tag']],
  ['push-images.sh', ['registry']],
  ['image-smoke.sh', ['app']],
  ['image-digest-check.sh', []],
] as const) {
  test(`${script} prints its usage on missing arguments`, async () => {
    const r = await runScript(`scripts/${script}`, [...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^usage: /);
  });
}

test('image-smoke.sh names an image that infra/config/images.ts does not list', async () => {
  const r = await runScript('scripts/image-smoke.sh', ['nginx', 'nginx:ci', 'linux/amd64']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown image 'nginx' \(infra\/config\/images.ts has: app prometheus alertmanager grafana/);
});

test('image-smoke.sh has a smoke test for every image of infra/config/images.ts (app through container-smoke.sh)', () => {
  const smoke = readFileSync(join(repoRoot, 'scripts', 'image-smoke.sh'), 'utf8');
  const cases = [...smoke.matchAll(/^ {2}([\w|-]+)\)$/gm)].flatMap((m) => (m[1] ?? '').split('|'));
  assert.match(smoke, /^if \[ "\$name" = app \]; then\n.*exec bash scripts\/container-smoke\.sh$/m);
  for (const name of IMAGE_NAMES.filter((n) => n !== 'app')) {
    assert.ok(cases.includes(name), `scripts/image-smoke.sh has no case for ${name} (cases: ${cases.join(', ')})`);
  }
});

test('image-rehearsal.sh skips with its reason in the GitHub test job and names a bad archive format', async () => {
  const skipped = await runScript('scripts/image-rehearsal.sh', [], {
    NODEAPP_SKIP_CONTAINER_SMOKE: 'true',
    CI: 'true',
  });
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stdout, /^rehearsal skipped: NODEAPP_SKIP_CONTAINER_SMOKE=true/);
  const bad = await runScript('scripts/image-rehearsal.sh', [], {
    NODEAPP_SKIP_CONTAINER_SMOKE: '',
    REHEARSAL_ARCHIVE: 'zip',
  });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /REHEARSAL_ARCHIVE must be docker or oci \(got 'zip'\)/);
});
