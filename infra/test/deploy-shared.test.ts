// `npm run deploy-shared` (bin/deploy-shared.ts → lib/deploy-command.ts): the administrator's deploy of exactly the
// two shared stacks, behind the same placeholder-account check as `npm run deploy`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { loadConfig, PLACEHOLDER_ACCOUNT } from '../config/environments.ts';
import { deploySharedArguments, SHARED_STACKS } from '../lib/deploy-command.ts';
import { buildTestApp, testAccounts } from './helpers.ts';

const config = loadConfig({ ...testAccounts, NODEAPP_GITHUB_REPOSITORY: 'example-org/example' });
const entry = fileURLToPath(new URL('../bin/deploy-shared.ts', import.meta.url));

describe('npm run deploy-shared', () => {
  it('deploys exactly NodeappRegistry and NodeappGithubDeploy, passing the caller options through', () => {
    assert.deepEqual(deploySharedArguments(['--outputs-file', 'shared.json'], config), [
      'deploy',
      '--no-notices',
      '--no-version-reporting',
      '--outputs-file',
      'shared.json',
      'NodeappRegistry',
      'NodeappGithubDeploy',
    ]);
  });

  it('names the stacks the app really builds outside any environment', () => {
    const { app } = buildTestApp();
    const stackNames = app.node
      .findAll()
      .filter((c): c is Stack => Stack.isStack(c))
      .map((s) => s.stackName)
      .filter((name) => !name.startsWith('Nodeapp-'));
    assert.deepEqual([...stackNames].sort(), [...SHARED_STACKS].sort());
  });

  it('is the infra package script deploy-shared', () => {
    const scripts = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts;
    assert.equal(scripts['deploy-shared'], 'node bin/deploy-shared.ts');
  });

  it('refuses anything that would widen the selection, naming it', () => {
    for (const extra of [['--all'], ['Nodeapp-prod-*'], ['*'], ['-c', 'env=dev']]) {
      assert.throws(
        () => deploySharedArguments(extra, config),
        /npm run deploy-shared deploys exactly NodeappRegistry NodeappGithubDeploy \(got .+\)/,
        extra.join(' '),
      );
    }
    assert.throws(() => deploySharedArguments(['-c', 'env=dev'], config), /\(got -c env=dev\)/);
  });

  it('refuses the placeholder account, naming each unset NODEAPP_ACCOUNT_* variable', () => {
    const { NODEAPP_ACCOUNT_PROD: _prod, ...withoutProd } = testAccounts;
    assert.throws(
      () => deploySharedArguments([], loadConfig({ ...withoutProd, NODEAPP_GITHUB_REPOSITORY: 'example-org/example' })),
      (error: Error) =>
        error.message ===
        `refusing to deploy NodeappRegistry NodeappGithubDeploy:\n  NODEAPP_ACCOUNT_PROD is not set (the placeholder account ${PLACEHOLDER_ACCOUNT} cannot deploy)`,
    );
    const none = () => deploySharedArguments([], loadConfig({ NODEAPP_GITHUB_REPOSITORY: 'example-org/example' }));
    for (const variable of ['NODEAPP_ACCOUNT_SHARED', 'NODEAPP_ACCOUNT_STAGING', 'NODEAPP_ACCOUNT_PROD']) {
      assert.throws(none, new RegExp(`${variable} is not set`));
    }
  });

  it('without NODEAPP_GITHUB_REPOSITORY deploys the registry only: no role trusts a placeholder repository', () => {
    const args = deploySharedArguments([], loadConfig({ NODEAPP_ACCOUNT_SHARED: testAccounts.NODEAPP_ACCOUNT_SHARED }));
    assert.deepEqual(args.slice(-1), ['NodeappRegistry']);
    assert.ok(!args.includes('NodeappGithubDeploy'));
  });

  it('bin/deploy-shared.ts exits 1 naming the unset variables before running cdk', () => {
    const unset = Object.fromEntries(Object.keys(testAccounts).map((k) => [k, '']));
    const env = { ...process.env, ...unset, NODEAPP_GITHUB_REPOSITORY: 'example-org/example' };
    const result = spawnSync(process.execPath, [entry], { encoding: 'utf8', env });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^refusing to deploy NodeappRegistry NodeappGithubDeploy:\n {2}NODEAPP_ACCOUNT_SHARED/);
    assert.match(result.stderr, /NODEAPP_ACCOUNT_PROD is not set/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
