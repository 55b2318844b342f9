// Every repository script parses, and refuses bad arguments with a usage message before doing anything.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../src/repo.ts';
import { runScript } from '../src/run-script.ts';

const scripts = readdirSync(join(repoRoot, 'scripts')).filter((f) => f.endsWith('.sh'));

test('the scripts folder holds the pipeline scripts', () => {
  for (const s of ['container-smoke.sh', 'deploy-env.sh', 'deploy-smoke.sh', 'destroy-env.sh']) {
    assert.ok(scripts.includes(s), `scripts/${s} missing`);
  }
});

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

test('deploy-env.sh requires the image tag and digest', async () => {
  const r = await runScript('scripts/deploy-env.sh', ['staging'], { IMAGE_TAG: '', IMAGE_DIGEST: '' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /IMAGE_TAG must be the git SHA of the image to deploy/);
});
