// scripts/deploy-env.sh (what each deploy job runs) with stand-ins for the `aws` and `npm` CLIs on PATH:
// the promotion guard, the exact deploy command, and the smoke test of the PublicUrl output.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { digestContextKey, IMAGE_NAMES, IMAGES } from '@nodeapp/infra/config/images';
import { skipUnless } from '@nodeapp/test-support';
import { curlRequirement, hasCommand, runScript } from '../src/run-script.ts';

const digest = `sha256:${'b'.repeat(64)}`;
// The push job's output: one manifest-list digest per image of infra/config/images.ts (the app's is `digest`).
const digests: Record<string, string> = Object.fromEntries(
  IMAGE_NAMES.map((name, i) => [name, name === 'app' ? digest : `sha256:${String(i % 10).repeat(64)}`]),
);
const otherImages = IMAGE_NAMES.filter((name) => name !== 'app');
const sha = 'c'.repeat(40);
const bin = mkdtempSync(join(tmpdir(), 'deploy-env-'));
const calls = join(bin, 'calls.log');
let base = '';
const server = createServer((req, res) => {
  if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>');
  res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // aws: answers describe-images for the app repository with $FAKE_DIGEST, for the others with their pushed digest.
  // npm: logs its arguments, writes the outputs file cdk would.
  writeFileSync(
    join(bin, 'aws'),
    `#!/bin/bash\necho "aws $*" >> "${calls}"\ncase "$*" in\n` +
      `  *"--repository-name ${IMAGES.app.repositoryName} "*) echo "$FAKE_DIGEST" ;;\n` +
      otherImages
        .map((name) => `  *"--repository-name ${IMAGES[name].repositoryName} "*) echo "${digests[name]}" ;;\n`)
        .join('') +
      `  *) echo None ;;\nesac\n`,
  );
  // npm run -s release … migrate|watch: what infra/bin/release.ts prints, exiting $FAKE_MIGRATE_EXIT / $FAKE_WATCH_EXIT.
  writeFileSync(
    join(bin, 'npm'),
    `#!/bin/bash\necho "npm $*" >> "${calls}"\n` +
      `case "$*" in\n` +
      `  *" release "*" migrate "*) echo "migrate: task STOPPED"; [ "\${FAKE_MIGRATE_EXIT:-0}" = 0 ] && echo "migrateOnStart=\${FAKE_MIGRATE_ON_START:-false}"; exit "\${FAKE_MIGRATE_EXIT:-0}" ;;\n` +
      `  *" release "*" watch "*) echo "watch: done"; exit "\${FAKE_WATCH_EXIT:-0}" ;;\n` +
      `esac\n` +
      `while [ $# -gt 0 ]; do [ "$1" = --outputs-file ] && out=$2; shift; done\n` +
      `echo "{\\"Nodeapp-staging-Service\\":{\\"PublicUrl\\":\\"$FAKE_URL\\"}}" > "$out"\n`,
  );
  chmodSync(join(bin, 'aws'), 0o755);
  chmodSync(join(bin, 'npm'), 0o755);
});
after(() => {
  server.close();
  rmSync(bin, { recursive: true, force: true });
});

function deploy(env: string, fakeDigest: string, extra: Record<string, string> = {}) {
  rmSync(calls, { force: true });
  const githubOutput = join(bin, 'github-output');
  writeFileSync(githubOutput, '');
  return runScript('scripts/deploy-env.sh', [env], {
    PATH: `${bin}:${process.env.PATH}`,
    IMAGE_TAG: sha,
    IMAGE_DIGESTS: JSON.stringify(digests),
    NODEAPP_ACCOUNT_SHARED: '111111111111',
    FAKE_DIGEST: fakeDigest,
    FAKE_URL: base,
    GITHUB_OUTPUT: githubOutput,
    SMOKE_ATTEMPTS: '2',
    SMOKE_INTERVAL: '0.05',
    ...extra,
  }).then((r) => ({ ...r, output: readFileSync(githubOutput, 'utf8') }));
}

describe('deploy-env.sh', { skip: skipUnless(hasCommand('curl'), curlRequirement) }, () => {
  test('checks every image in ECR, deploys every digest, then smoke-tests the PublicUrl output', async () => {
    const r = await deploy('staging', digest);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const log = readFileSync(calls, 'utf8');
    for (const { repositoryName: repository } of Object.values(IMAGES)) {
      assert.match(
        log,
        new RegExp(
          `aws ecr describe-images --registry-id 111111111111 --repository-name ${repository} --image-ids imageTag=${sha}`,
        ),
      );
    }
    assert.match(
      log,
      new RegExp(
        `^npm run deploy -w infra -- -c env=staging -c imageTag=${sha} ` +
          IMAGE_NAMES.map((name) => `-c ${digestContextKey(name)}=${digests[name]} `).join('') +
          '-c migrateOnStart=false --require-approval never --outputs-file \\S+$',
        'm',
      ),
    );
    assert.equal(r.output, `url=${base}\n`);
    assert.match(r.stdout, /smoke test passed/);
  });

  test("runs the release's migrate task before the deploy, and the rollout watcher beside it", async () => {
    const r = await deploy('staging', digest);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const npm = readFileSync(calls, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('npm '));
    assert.equal(npm[0], `npm run -s release -w infra -- migrate --env staging --digest ${digest}`);
    // The deploy and the watcher run side by side (either may log first).
    const [watchCall, deployCall] = [...npm.slice(1, 3)].sort();
    assert.match(deployCall ?? '', /^npm run deploy -w infra -- /);
    assert.match(watchCall ?? '', /^npm run -s release -w infra -- watch --env staging --since \S+Z --deploy-pid \d+$/);
  });

  test('a first deploy (no service to run the migrate task from) lets the tasks migrate on start', async () => {
    const r = await deploy('staging', digest, { FAKE_MIGRATE_ON_START: 'true' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(readFileSync(calls, 'utf8'), /npm run deploy .* -c migrateOnStart=true /);
  });

  test('stops before the deploy when the migration fails', async () => {
    const r = await deploy('staging', digest, { FAKE_MIGRATE_EXIT: '1' });
    assert.equal(r.code, 1);
    assert.doesNotMatch(readFileSync(calls, 'utf8'), /npm run deploy/);
  });

  test('fails the job when the rollout watcher reports a rollback, and skips the smoke test', async () => {
    const r = await deploy('staging', digest, { FAKE_WATCH_EXIT: '1' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /failed \(cdk deploy exit 0, rollout watcher exit 1\)/);
    assert.doesNotMatch(r.stdout, /smoke test passed/);
  });

  test('refuses to deploy when the tag in ECR is not the image the pipeline built', async () => {
    const r = await deploy('staging', `sha256:${'d'.repeat(64)}`);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /refusing to deploy: nodeapp:c{40} is sha256:d{64}, the pipeline built and tested sha256:b{64}/,
    );
    assert.doesNotMatch(readFileSync(calls, 'utf8'), /npm run deploy/);
  });

  test('refuses digests that do not name every image', async () => {
    rmSync(calls, { force: true });
    const r = await runScript('scripts/deploy-env.sh', ['staging'], {
      PATH: `${bin}:${process.env.PATH}`,
      IMAGE_TAG: sha,
      IMAGE_DIGESTS: JSON.stringify({ app: digest }),
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /IMAGE_DIGESTS has no digest for prometheus/);
  });

  test('only staging and prod can be deployed', async () => {
    const r = await deploy('dev', digest);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /usage: .* staging\|prod \(got 'dev'\)/);
  });
});
