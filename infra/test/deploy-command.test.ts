// `npm run deploy` (bin/deploy.ts → lib/deploy-command.ts): which stacks a deploy selects, and its usage errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig, PLACEHOLDER_ACCOUNT } from '../config/environments.ts';
import { digestContextKey, IMAGE_NAMES, PLACEHOLDER_DIGEST } from '../config/images.ts';
import { accountVariable, contextValue, deployArguments, deployedStacks } from '../lib/deploy-command.ts';
import { buildTestApp, testAccounts, testRecipients } from './helpers.ts';

const config = loadConfig({ ...testAccounts, ...testRecipients });
/** A real-looking digest for every image: `-c appImageDigest=sha256:…` and so on. */
const digests = IMAGE_NAMES.flatMap((name, i) => [
  '-c',
  `${digestContextKey(name)}=sha256:${String(i + 1).repeat(64)}`,
]);
const entry = fileURLToPath(new URL('../bin/deploy.ts', import.meta.url));

describe('npm run deploy', () => {
  it('deploys the environment stacks only, never a shared stack', () => {
    const args = deployArguments(
      ['-c', 'env=staging', '-c', 'imageTag=abc123', ...digests, '--outputs-file', 'out.json'],
      config,
    );
    assert.deepEqual(args, [
      'deploy',
      '--no-notices',
      '--no-version-reporting',
      '--force',
      '-c',
      'env=staging',
      '-c',
      'imageTag=abc123',
      ...digests,
      '--outputs-file',
      'out.json',
      'Nodeapp-staging-*',
    ]);
    assert.ok(!args.includes('--all'));
    assert.ok(!args.some((a) => a.includes('GithubDeploy')));
  });

  it('leaves approval to cdk.json (broadening) unless the caller passes --require-approval', () => {
    const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8'));
    assert.equal(cdkJson.requireApproval, 'broadening');
    assert.ok(
      !deployArguments(['-c', 'env=dev', '-c', 'imageTag=a1', ...digests], config).includes('--require-approval'),
    );
    const pipeline = deployArguments(
      ['-c', 'env=prod', '-c', 'imageTag=a1', ...digests, '--require-approval', 'never'],
      config,
    );
    assert.deepEqual(pipeline.slice(-3), ['--require-approval', 'never', 'Nodeapp-prod-*']);
    const script = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).scripts.deploy;
    assert.doesNotMatch(script, /--all|--require-approval/);
  });

  it("propagates producers' outputs: --force, and every stack a consumer reads is a dependency the deploy selects", () => {
    const args = deployArguments(['-c', 'env=prod', '-c', 'imageTag=a1', ...digests], config);
    // Fn::GetStackOutput is resolved only when the consumer updates; the CLI skips unchanged templates unless --force.
    assert.ok(args.includes('--force'));
    const stacks = buildTestApp({ env: 'prod' });
    const assembly = stacks.app.synth();
    const selected = (name: string) =>
      deployedStacks('prod').some((p) => new RegExp(`^${p.replaceAll('*', '.*')}$`).test(name));
    let references = 0;
    for (const artifact of assembly.stacks) {
      const producers = new Set(
        [...JSON.stringify(artifact.template).matchAll(/"Fn::GetStackOutput":\{"StackName":"([^"]+)"/g)].map(
          (m) => m[1],
        ),
      );
      for (const producer of producers) {
        references++;
        assert.ok(
          selected(producer ?? ''),
          `${artifact.stackName} reads ${producer}, which the deploy does not select`,
        );
        assert.ok(
          artifact.dependencies.some((d) => d.id === producer),
          `${artifact.stackName} reads ${producer} without depending on it (would deploy first)`,
        );
      }
    }
    assert.ok(references > 0, 'the environment stacks reference each other');
  });

  it("selects only stacks in the environment's account, the one account its GitHub deploy role can reach", () => {
    const stacks = buildTestApp({ config: loadConfig({ ...testAccounts, NODEAPP_GITHUB_REPOSITORY: 'acme/shop' }) });
    const all = stacks.app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
    const deployRoleTargets: Record<string, string> = {
      staging: testAccounts.NODEAPP_ACCOUNT_STAGING,
      prod: testAccounts.NODEAPP_ACCOUNT_PROD,
    };
    const policies = JSON.stringify(Template.fromStack(stacks.githubDeploy).toJSON());
    for (const env of ['dev', 'staging', 'prod']) {
      const selected = all.filter((s) =>
        deployedStacks(env).some((p) => new RegExp(`^${p.replaceAll('*', '.*')}$`).test(s.stackName)),
      );
      assert.ok(selected.length >= 3, env);
      const account = stacks.config.environments.find((e) => e.name === env)?.account;
      for (const stack of selected) assert.equal(stack.account, account, `${stack.stackName} is in ${env}'s account`);
      const target = deployRoleTargets[env];
      if (target) {
        assert.equal(account, target);
        assert.ok(policies.includes(`arn:aws:iam::${target}:role/cdk-hnb659fds-deploy-role-${target}-us-east-1`));
      }
    }
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
      () => deployArguments(['-c', 'env=dev', '-c', 'imageTag=a1', '--all'], config),
      /--all would also deploy the shared stacks: this command deploys Nodeapp-dev-\*/,
    );
  });

  it('refuses the placeholder account, naming each unset NODEAPP_ACCOUNT_* variable it needs', () => {
    const args = ['-c', 'env=staging', '-c', 'imageTag=abc123', ...digests];
    const { NODEAPP_ACCOUNT_STAGING: _staging, ...withoutStaging } = testAccounts;
    assert.throws(
      () => deployArguments(args, loadConfig({ ...withoutStaging, ...testRecipients })),
      (error: Error) =>
        error.message ===
        `refusing to deploy staging:\n  NODEAPP_ACCOUNT_STAGING is not set (the placeholder account ${PLACEHOLDER_ACCOUNT} cannot deploy)`,
    );
    // Only the shared account and the deployed environment's: a one-account trial sets no staging or prod.
    const { NODEAPP_ACCOUNT_DEV: _dev, ...withoutDev } = testAccounts;
    assert.doesNotThrow(() => deployArguments(args, loadConfig({ ...withoutDev, ...testRecipients })));
    const none = () => deployArguments(args, loadConfig({}));
    for (const variable of ['NODEAPP_ACCOUNT_SHARED', 'NODEAPP_ACCOUNT_STAGING']) {
      assert.throws(none, new RegExp(`${variable} is not set`));
    }
    assert.throws(
      () => deployArguments(args, loadConfig({ ...testAccounts, NODEAPP_ACCOUNT_SHARED: PLACEHOLDER_ACCOUNT })),
      /NODEAPP_ACCOUNT_SHARED is not set/,
    );
  });

  it('refuses staging or prod in the shared account or in one account, naming the rule, for any environment', () => {
    const args = (env: string) => ['-c', `env=${env}`, '-c', 'imageTag=abc123', ...digests];
    const rule =
      /staging and prod each need an AWS account of their own, apart from the shared account and from each other/;
    const stagingInShared = loadConfig({
      ...testAccounts,
      ...testRecipients,
      NODEAPP_ACCOUNT_STAGING: testAccounts.NODEAPP_ACCOUNT_SHARED,
    });
    assert.throws(
      () => deployArguments(args('staging'), stagingInShared),
      /NODEAPP_ACCOUNT_STAGING equals NODEAPP_ACCOUNT_SHARED/,
    );
    assert.throws(() => deployArguments(args('dev'), stagingInShared), rule);
    const together = loadConfig({
      ...testAccounts,
      ...testRecipients,
      NODEAPP_ACCOUNT_PROD: testAccounts.NODEAPP_ACCOUNT_STAGING,
    });
    assert.throws(() => deployArguments(args('prod'), together), /NODEAPP_ACCOUNT_STAGING equals NODEAPP_ACCOUNT_PROD/);
    // dev in the shared account: the one-account trial.
    const trial = loadConfig({
      ...testAccounts,
      ...testRecipients,
      NODEAPP_ACCOUNT_DEV: testAccounts.NODEAPP_ACCOUNT_SHARED,
    });
    assert.doesNotThrow(() => deployArguments(args('dev'), trial));
  });

  it('refuses an environment without alarm recipients (its alarms and budget would tell nobody)', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const variable = `NODEAPP_ALARM_EMAILS_${env.toUpperCase()}`;
      const without = loadConfig({ ...testAccounts, ...testRecipients, [variable]: '' });
      assert.throws(
        () => deployArguments(['-c', `env=${env}`, '-c', 'imageTag=abc123', ...digests], without),
        new RegExp(`${variable} is not set`),
      );
    }
  });

  it('names the variable config/environments.ts really reads', () => {
    for (const name of ['shared', 'dev', 'staging', 'prod']) {
      const loaded = loadConfig({ [accountVariable(name)]: '666666666666' });
      const account =
        name === 'shared' ? loaded.shared.account : loaded.environments.find((e) => e.name === name)?.account;
      assert.equal(account, '666666666666', accountVariable(name));
    }
  });

  it('refuses a deploy without -c imageTag or with the synth placeholder tag', () => {
    assert.throws(() => deployArguments(['-c', 'env=dev'], config), /-c imageTag=<git-sha> is required/);
    assert.throws(
      () => deployArguments(['-c', 'env=dev', '-c', 'imageTag=latest-synth'], config),
      /-c imageTag=<git-sha> is required \(the synth placeholder latest-synth is never pushed\)/,
    );
  });

  it('refuses a missing, placeholder or malformed image digest, naming each -c <name>ImageDigest', () => {
    const base = ['-c', 'env=dev', '-c', 'imageTag=a1'];
    assert.throws(
      () => deployArguments(base, config),
      (error: Error) =>
        IMAGE_NAMES.every((name) => error.message.includes(`-c ${digestContextKey(name)}=sha256:<64 hex> is required`)),
    );
    const placeholder = [...digests, '-c', `grafanaImageDigest=${PLACEHOLDER_DIGEST}`];
    assert.throws(
      () => deployArguments([...base, ...placeholder], config),
      /-c grafanaImageDigest=sha256:<64 hex> is required/,
    );
    assert.throws(
      () => deployArguments([...base, ...digests, '-c', 'appImageDigest=sha256:ABC'], config),
      /-c appImageDigest=sha256:ABC: not an image digest/,
    );
    assert.doesNotThrow(() => deployArguments([...base, ...digests], config));
  });

  it('bin/deploy.ts exits 1 naming the unset variables before running cdk', () => {
    const unset = Object.fromEntries(Object.keys(testAccounts).map((k) => [k, '']));
    const result = spawnSync(process.execPath, [entry, '-c', 'env=prod', '-c', 'imageTag=abc123'], {
      encoding: 'utf8',
      env: { ...process.env, ...unset },
    });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^refusing to deploy prod:\n {2}NODEAPP_ACCOUNT_SHARED is not set/);
    assert.match(
      result.stderr,
      /NODEAPP_ACCOUNT_PROD is not set \(the placeholder account 111111111111 cannot deploy\)/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('bin/deploy.ts exits 1 with the message before running cdk', () => {
    const result = spawnSync(process.execPath, [entry, '-c', 'env=qa'], { encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /npm run deploy needs -c env=<dev\|staging\|prod> \(got env=qa\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });
});
