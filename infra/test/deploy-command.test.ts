// `npm run deploy` (bin/deploy.ts → lib/deploy-command.ts): which stacks a deploy selects, and its usage errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config/environments.ts';
import { contextValue, deployArguments } from '../lib/deploy-command.ts';

const config = loadConfig({});
const entry = fileURLToPath(new URL('../bin/deploy.ts', import.meta.url));

describe('npm run deploy', () => {
  it('deploys NodeappRegistry and the environment stacks, never NodeappGithubDeploy', () => {
    const args = deployArguments(['-c', 'env=staging', '-c', 'imageTag=abc123', '--outputs-file', 'out.json'], config);
    assert.deepEqual(args, [
      'deploy',
      '--no-notices',
      '--no-version-reporting',
      '-c',
      'env=staging',
      '-c',
      'imageTag=abc123',
      '--outputs-file',
      'out.json',
      'NodeappRegistry',
      'Nodeapp-staging-*',
    ]);
    assert.ok(!args.includes('--all'));
    assert.ok(!args.some((a) => a.includes('GithubDeploy')));
  });

  it('leaves approval to cdk.json (broadening) unless the caller passes --require-approval', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8'));
    assert.equal(cdkJson.requireApproval, 'broadening');
    assert.ok(!deployArguments(['-c', 'env=dev'], config).includes('--require-approval'));
    const pipeline = deployArguments(['-c', 'env=prod', '--require-approval', 'never'], config);
    assert.deepEqual(pipeline.slice(-4), ['--require-approval', 'never', 'NodeappRegistry', 'Nodeapp-prod-*']);
    const script = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts.deploy;
    assert.doesNotMatch(script, /--all|--require-approval/);
  });

  it('reads -c, --context and --context= forms; the last one wins', () => {
    assert.equal(contextValue(['--context', 'env=dev'], 'env'), 'dev');
    assert.equal(contextValue(['--context=env=prod'], 'env'), 'prod');
    assert.equal(contextValue(['-c', 'env=dev', '-c', 'imageTag=x', '-c', 'env=staging'], 'env'), 'staging');
    assert.equal(contextValue(['-c', 'environment=dev'], 'env'), undefined);
  });

  it('refuses a missing or unknown -c env and --all, naming the problem', () => {
    assert.throws(
      () => deployArguments(['-c', 'imageTag=x'], config),
      /needs -c env=<dev\|staging\|prod> \(got none\)/,
    );
    assert.throws(() => deployArguments(['-c', 'env=qa'], config), /needs -c env=<dev\|staging\|prod> \(got env=qa\)/);
    assert.throws(
      () => deployArguments(['-c', 'env=dev', '--all'], config),
      /--all would also deploy NodeappGithubDeploy: this command deploys NodeappRegistry Nodeapp-dev-\*/,
    );
  });

  it('bin/deploy.ts exits 1 with the message before running cdk', () => {
    const result = spawnSync(process.execPath, [entry, '-c', 'env=qa'], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /npm run deploy needs -c env=<dev\|staging\|prod> \(got env=qa\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
