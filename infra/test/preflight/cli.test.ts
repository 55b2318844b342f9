// The preflight's command line (bin/preflight.ts, preflight/cli.ts) and its place in `npm run deploy`
// (bin/deploy.ts, preflight/deploy-gate.ts): the lines printed and the exit code.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { loadConfig } from '../../config/environments.ts';
import { digestContextKey, IMAGE_NAMES } from '../../config/images.ts';
import { UsageError } from '../../lib/app.ts';
import { preflightMain } from '../../preflight/cli.ts';
import { preflightBeforeDeploy } from '../../preflight/deploy-gate.ts';
import { ACCOUNTS, mockHealthyAccount, mocks, sdkError, testConfig } from './fixtures.ts';

const INFRA = fileURLToPath(new URL('../..', import.meta.url));

async function run(args: string[]): Promise<{ status: number; lines: string[] }> {
  const lines: string[] = [];
  const status = await preflightMain(args, testConfig(), (line) => lines.push(line));
  return { status, lines };
}

/** Runs an infra/bin entry point with no usable AWS anywhere: fake keys and every endpoint on a closed local port. */
async function runBin(script: string, args: string[], env: Record<string, string> = {}) {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(AWS_|NODEAPP_ACCOUNT_)/.test(k)));
  return spawnSync(process.execPath, [script, ...args], {
    cwd: INFRA,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...clean,
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/nonexistent',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
      AWS_MAX_ATTEMPTS: '1',
      ...env,
    },
  });
}

const ACCOUNT_VARIABLES = {
  NODEAPP_ACCOUNT_SHARED: ACCOUNTS.shared,
  NODEAPP_ACCOUNT_DEV: ACCOUNTS.dev,
  NODEAPP_ACCOUNT_STAGING: ACCOUNTS.staging,
  NODEAPP_ACCOUNT_PROD: ACCOUNTS.prod,
  NODEAPP_ALARM_EMAILS_DEV: 'dev@team.test',
};

describe('npm run preflight', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));

  test('a ready account: one PASS/SKIP line per check, exit 0', async () => {
    const { status, lines } = await run(['--env', 'dev']);
    assert.equal(status, 0);
    assert.equal(lines[0], `preflight dev: account ${ACCOUNTS.dev}, us-east-1 (read-only)`);
    const checks = lines.slice(1, -1);
    assert.equal(checks.length, 15);
    for (const line of checks) assert.match(line, /^(PASS|SKIP) [a-z0-9-]+: /);
    assert.equal(lines.at(-1), 'preflight dev: all checks passed');
  });

  test('one failed check: its FAIL line with the fix, exit 1', async () => {
    mocks.ssm.on(GetParameterCommand).rejects(sdkError('ParameterNotFound'));
    const { status, lines } = await run(['--env=dev']);
    assert.equal(status, 1);
    assert.ok(
      lines.includes(
        'FAIL bootstrap: /cdk-bootstrap/hnb659fds/version not found: 111100002222/us-east-1 is not bootstrapped ' +
          '(fix: bootstrap aws://111100002222/us-east-1 with --qualifier hnb659fds (docs/deploy.md, bootstrap step))',
      ),
      lines.join('\n'),
    );
    assert.equal(lines.at(-1), 'preflight dev: 1 check(s) failed');
  });

  test('usage errors exit 1 naming the environments', async () => {
    for (const args of [[], ['--env', 'qa'], ['--env', 'dev', '--all']]) {
      const { status, lines } = await run(args);
      assert.equal(status, 1);
      assert.match(lines[0] ?? '', /^usage: npm run preflight -w infra -- --env <dev\|staging\|prod>/);
    }
  });

  test('bin/preflight.ts: exit 1 and one line, no stack trace', async () => {
    const unknown = await runBin('bin/preflight.ts', ['--env', 'qa']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stdout, /usage: npm run preflight/);
    assert.equal(unknown.stderr, '');
    const unset = await runBin('bin/preflight.ts', ['--env', 'dev']);
    assert.equal(unset.status, 1);
    assert.match(unset.stdout, /FAIL account: NODEAPP_ACCOUNT_DEV is not set/);
  });
});

describe('npm run deploy runs the preflight first', () => {
  beforeEach(() => mockHealthyAccount(ACCOUNTS.dev));
  // A complete deploy command line: every image's digest (lib/deploy-command.ts refuses the placeholder).
  const digests = IMAGE_NAMES.flatMap((name, i) => [
    '-c',
    `${digestContextKey(name)}=sha256:${String(i + 1).repeat(64)}`,
  ]);
  const deployArgs = ['-c', 'env=dev', '-c', 'imageTag=abc1234', ...digests];

  test('a ready account lets the deploy go on; a failed check stops it', async () => {
    const config = testConfig();
    const lines: string[] = [];
    assert.equal(await preflightBeforeDeploy(deployArgs, config, (l) => lines.push(l)), 0);
    assert.match(lines[0] ?? '', /^preflight dev:/);
    mocks.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '3' } });
    assert.equal(await preflightBeforeDeploy(deployArgs, config, () => {}), 1);
  });

  test('a usage error is reported before any AWS call', async () => {
    await assert.rejects(
      preflightBeforeDeploy(['-c', 'env=qa'], testConfig(), () => {}),
      UsageError,
    );
    assert.equal(mocks.sts.calls().length, 0);
  });

  test('bin/deploy.ts: the preflight failing (no reachable AWS) exits 1 before cdk starts', async () => {
    const result = await runBin('bin/deploy.ts', deployArgs, ACCOUNT_VARIABLES);
    assert.equal(result.status, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /^preflight dev: account 111100002222/m);
    assert.match(result.stdout, /^FAIL account: cannot tell who the credentials are/m);
    assert.doesNotMatch(result.stdout + result.stderr, /Synthesis|deploying|Deployment/i);
  });
});

describe('the account model, before any AWS call', () => {
  test('staging in the shared account: FAIL account-model naming the rule, exit 1, no AWS call', async () => {
    mockHealthyAccount(ACCOUNTS.dev);
    const config = loadConfig({ ...ACCOUNT_VARIABLES, NODEAPP_ACCOUNT_STAGING: ACCOUNTS.shared });
    const lines: string[] = [];
    const status = await preflightMain(['--env', 'dev'], config, (l) => lines.push(l));
    assert.equal(status, 1);
    assert.match(
      lines.join('\n'),
      /^FAIL account-model: NODEAPP_ACCOUNT_STAGING equals NODEAPP_ACCOUNT_SHARED .*each need an AWS account of their own/,
    );
    assert.equal(mocks.sts.calls().length, 0);
  });

  test('a one-account trial: accepted, the trade-off said once', async () => {
    mockHealthyAccount(ACCOUNTS.dev);
    const config = loadConfig({ NODEAPP_ACCOUNT_SHARED: ACCOUNTS.dev, NODEAPP_ACCOUNT_DEV: ACCOUNTS.dev });
    const lines: string[] = [];
    await preflightMain(['--env', 'dev'], config, (l) => lines.push(l));
    assert.equal(lines.filter((l) => /^note: one-account trial/.test(l)).length, 1);
  });
});
