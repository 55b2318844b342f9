// The rollback workflow's scripts: rollback-commit.sh (the input is one of main's commits) and release-digests.sh
// (the digests ECR holds for that commit's images), with a throwaway git repository and a stand-in `aws` CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { IMAGE_NAMES, IMAGES } from '@nodeapp/infra/config/images';
import { skipUnless } from '@nodeapp/test-support';
import { repoRoot } from '../src/repo.ts';
import { hasCommand, jqRequirement, runScript } from '../src/run-script.ts';

const dir = mkdtempSync(join(tmpdir(), 'rollback-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('rollback-commit.sh', {
  skip: skipUnless(hasCommand('git'), { missing: 'no git', howToGet: 'apt-get install git' }),
}, () => {
  const repo = join(dir, 'repo');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  git('commit', '-q', '--allow-empty', '-m', 'release 1');
  const first = git('rev-parse', 'HEAD');
  git('commit', '-q', '--allow-empty', '-m', 'release 2');
  git('checkout', '-q', '-b', 'side', first);
  git('commit', '-q', '--allow-empty', '-m', 'never on main');
  const side = git('rev-parse', 'HEAD');
  git('checkout', '-q', 'main');
  const script = join(repoRoot, 'scripts', 'rollback-commit.sh');
  const run = (sha: string) => {
    const output = join(dir, 'out');
    writeFileSync(output, '');
    try {
      const stdout = execFileSync('bash', [script, sha], {
        cwd: repo,
        env: { ...process.env, GITHUB_OUTPUT: output },
        encoding: 'utf8',
        stdio: 'pipe',
      });
      return { code: 0, stdout, stderr: '', output: execFileSync('cat', [output], { encoding: 'utf8' }) };
    } catch (error) {
      const e = error as { status: number; stderr: string };
      return { code: e.status, stdout: '', stderr: String(e.stderr), output: '' };
    }
  };

  test("accepts a commit of main's history", () => {
    const r = run(first);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.output, `sha=${first}\n`);
    assert.match(r.stdout, /release 1/);
  });
  test('refuses a commit that never was on main, and a short or mistyped SHA', () => {
    assert.equal(run(side).code, 1);
    assert.equal(run(first.slice(0, 12)).code, 2);
    assert.equal(run('f'.repeat(40)).code, 1);
  });
});

describe('release-digests.sh', { skip: skipUnless(hasCommand('jq'), jqRequirement) }, () => {
  const sha = 'c'.repeat(40);
  const digestOf = (i: number) => `sha256:${String(i).repeat(64)}`;
  // aws ecr describe-images: each repository's digest, or an error for $FAKE_MISSING's.
  writeFileSync(
    join(dir, 'aws'),
    `#!/bin/bash\ncase "$*" in\n${IMAGE_NAMES.map(
      (name, i) =>
        `  *"--repository-name ${IMAGES[name].repositoryName} "*) [ "$FAKE_MISSING" = ${IMAGES[name].repositoryName} ] && { echo "ImageNotFoundException" >&2; exit 254; }; echo "${digestOf(i)}" ;;\n`,
    ).join('')}esac\n`,
  );
  chmodSync(join(dir, 'aws'), 0o755);
  const run = (env: Record<string, string>) =>
    runScript('scripts/release-digests.sh', [sha], { PATH: `${dir}:${process.env.PATH}`, GITHUB_OUTPUT: '', ...env });

  test("prints the push job's digests shape for every image of the commit", async () => {
    const r = await run({});
    assert.equal(r.code, 0, r.stderr);
    const line = r.stdout.split('\n').find((l) => l.startsWith('digests='));
    assert.deepEqual(
      JSON.parse(line?.slice('digests='.length) ?? '{}'),
      Object.fromEntries(IMAGE_NAMES.map((name, i) => [name, digestOf(i)])),
    );
  });
  test('names the image ECR no longer holds (the release is too old to roll back to)', async () => {
    const r = await run({ FAKE_MISSING: IMAGES.grafana.repositoryName });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${IMAGES.grafana.repositoryName}:c{40} is not in ECR`));
  });
  test('refuses anything but a full SHA', async () => {
    const r = await runScript('scripts/release-digests.sh', ['main'], { PATH: `${dir}:${process.env.PATH}` });
    assert.equal(r.code, 2);
  });
});
