// The wrong Node.js stops npm install / start / test at once with one line naming the required version:
// engine-strict in .npmrc (install) and scripts/check-node.mjs before the root start and test scripts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readRepoFile, repoRoot } from '../src/repo.ts';

const manifest = JSON.parse(readRepoFile('package.json')) as {
  engines: { node: string };
  scripts: Record<string, string>;
};
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs a copy of the check beside a package.json whose engines.node is `required`. */
function check(required: string) {
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-check-node-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'scripts'));
  copyFileSync(join(repoRoot, 'scripts', 'check-node.mjs'), join(dir, 'scripts', 'check-node.mjs'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ engines: { node: required } }));
  return spawnSync(process.execPath, [join(dir, 'scripts', 'check-node.mjs')], { encoding: 'utf8' });
}

const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];

test('.npmrc makes npm refuse an install on a Node.js outside engines', () => {
  assert.match(readRepoFile('.npmrc'), /^engine-strict=true$/m);
});

test('npm start and npm test run the check first', () => {
  for (const script of ['start', 'test']) {
    assert.match(manifest.scripts[script] ?? '', /^node scripts\/check-node\.mjs && /, `scripts.${script}`);
  }
});

test('this Node.js satisfies the repository engines (silent, exit 0)', () => {
  const r = check(manifest.engines.node);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout + r.stderr, '');
});

test('an older Node.js exits 1 with one line naming the required version', () => {
  for (const required of [`>=${major + 1}`, `>=${major}.${minor + 1}`, `>=${major}.${minor}.999`]) {
    const r = check(required);
    assert.equal(r.status, 1, required);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]?.includes(`needs Node.js ${required}`), lines[0]);
    assert.ok(lines[0]?.includes(process.version), lines[0]);
  }
});

test('a newer or equal Node.js passes', () => {
  for (const required of [`>=${major}`, `>=${major - 1}.99`, `>=${major}.${minor}`, `>= ${major}.0.0`]) {
    assert.equal(check(required).status, 0, required);
  }
});

test('an engines range the check does not understand is reported, not ignored', () => {
  const r = check('^24 || ^22.18');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /understands only engines\.node ">=X\.Y\.Z", package\.json says "\^24 \|\| \^22\.18"/);
});
