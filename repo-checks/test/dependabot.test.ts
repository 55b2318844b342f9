// .github/dependabot.yml keeps every dependency manifest of the repository under watch.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { parseYaml, readRepoFile, repoRoot } from '../src/repo.ts';

interface Update {
  'package-ecosystem': string;
  directory?: string;
  directories?: string[];
}
const config = parseYaml(readRepoFile('.github/dependabot.yml')) as { version: number; updates: Update[] };
const dirs = (ecosystem: string) =>
  config.updates
    .filter((u) => u['package-ecosystem'] === ecosystem)
    .flatMap((u) => u.directories ?? (u.directory ? [u.directory] : []));

test('npm updates cover the root lockfile and every workspace in package.json', () => {
  const { workspaces } = JSON.parse(readRepoFile('package.json')) as { workspaces: string[] };
  assert.deepEqual(dirs('npm').sort(), ['/', ...workspaces.map((w) => `/${w}`)].sort());
});

test('the pinned GitHub Actions, the Dockerfile base images and the compose images are updated too', () => {
  assert.equal(config.version, 2);
  assert.deepEqual(dirs('github-actions'), ['/']);
  // Every Dockerfile the pipeline builds (infra/config/images.ts, the service's from its contract, as the image
  // scripts read it), so their base images (pinned by digest) move too.
  const rows = execFileSync('bash', ['-c', 'source scripts/lib/images.sh && image_rows'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NODEAPP_SERVICE: 'app' },
  });
  const dockerfiles = rows
    .trim()
    .split('\n')
    .map((row) => `/${dirname(row.split(' ')[2] ?? '')}`);
  assert.ok(dockerfiles.length >= 4, `found ${dockerfiles.join(', ')} in infra/config/images.ts`);
  assert.deepEqual(dirs('docker').sort(), dockerfiles.sort());
  assert.deepEqual(dirs('docker-compose'), ['/']);
});
