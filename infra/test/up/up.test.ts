// `npm run up` / `npm run down` end to end against a fake account: the AWS SDK mocked (aws-sdk-client-mock) and
// recording stand-ins for cdk, docker and the image/smoke scripts first on PATH (standin.cjs). What the scripts do
// themselves is proven by the pipeline rehearsal (scripts/image-rehearsal.sh, in .ci/run).
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
import { downMain } from '../../lib/up/down.ts';
import { upMain } from '../../lib/up/main.ts';
import { isLocalTag, localTag } from '../../lib/up/steps/images.ts';
import { mocks, sdkError, ZONES } from '../preflight/fixtures.ts';
import { ACCOUNT, FakeAccount, sentCommands } from './fake-account.ts';

const SOURCE = { commit: 'abcdef0123456789abcdef0123456789abcdef01', dirty: false };
const NOW = () => new Date('2026-12-06T08:00:00Z');
const STEPS = ['settings', 'preflight', 'bootstrap', 'shared stacks', 'images', 'deploy', 'smoke test', 'summary'];

let fake: FakeAccount;
beforeEach(() => {
  fake = new FakeAccount();
});

async function up(args: string[] = ['--env', 'dev'], env: Record<string, string> = {}) {
  const lines: string[] = [];
  const status = await upMain(args, {
    print: (l) => lines.push(l),
    processEnv: fake.processEnv(env),
    source: SOURCE,
    now: NOW,
  });
  return { status, lines, text: lines.join('\n') };
}

async function down(args: string[]) {
  const lines: string[] = [];
  const status = await downMain(args, { print: (l) => lines.push(l), processEnv: fake.processEnv() });
  return { status, lines, text: lines.join('\n') };
}

/** SDK commands that change something (any verb but Describe/List/Get). */
function writes(commands: string[]): string[] {
  return commands.filter((c) => !/^(Describe|List|Get)/.test(c));
}

describe('npm run up', () => {
  test('an empty account: every step in order, each with its elapsed time, then the URL', async () => {
    const { status, lines, text } = await up();
    assert.equal(status, 0, text);
    const started = lines.filter((l) => /^\[\d\/8\] [a-z ]+$/.test(l)).map((l) => l.replace(/^\[\d\/8\] /, ''));
    assert.deepEqual(started, STEPS);
    assert.match(text, /\[3\/8\] bootstrap: done in \d+s/);
    const calls = fake.calls().filter((c) => /^(cdk|docker|bash scripts)/.test(c));
    const order = calls.map((c) => c.split(' ').slice(0, 2).join(' '));
    assert.equal(order[0], 'cdk bootstrap');
    assert.equal(order[1], 'cdk deploy');
    assert.match(calls[1] ?? '', / NodeappRegistry$/, 'no GitHub roles without NODEAPP_GITHUB_REPOSITORY');
    assert.deepEqual(order.slice(2, 5), ['docker buildx', 'bash scripts/image-load.sh', 'bash scripts/image-smoke.sh']);
    assert.deepEqual(order.slice(-4), [
      'docker login',
      'bash scripts/push-images.sh',
      'cdk deploy',
      'bash scripts/deploy-smoke.sh',
    ]);
    assert.match(calls.at(-2) ?? '', /-c env=dev -c imageTag=local-abcdef012345-20261206080000/);
    for (const name of ['app', 'prometheus', 'alertmanager', 'grafana', 'ecsSd']) {
      assert.match(calls.at(-2) ?? '', new RegExp(`-c ${name}ImageDigest=sha256:[0-9a-f]{64}`));
    }
    assert.match(calls.at(-1) ?? '', /deploy-smoke\.sh https:\/\/d1234\.cloudfront\.net$/);
    assert.match(text, /URL: +https:\/\/d1234\.cloudfront\.net/);
    assert.match(text, /Grafana: +https:\/\/d1234\.cloudfront\.net\/grafana\//);
    assert.match(text, /alarm e-mails to confirm .*ops@team\.test/);
    assert.match(text, /one-account trial/);
  });

  test('a second run changes nothing: every writing step is skipped', async () => {
    assert.equal((await up()).status, 0);
    const before = fake.calls().length;
    const { status, text } = await up();
    assert.equal(status, 0, text);
    const again = fake
      .calls()
      .slice(before)
      .filter((c) => !c.startsWith('bash scripts/deploy-smoke.sh'));
    assert.deepEqual(again, [], `second run called ${again.join('; ')}`);
    for (const step of ['bootstrap', 'shared stacks', 'images', 'deploy']) {
      assert.match(text, new RegExp(`\\] ${step}: already done \\(.+\\), skipped`));
    }
  });

  for (const [step, failOn] of [
    ['preflight', 'preflight'],
    ['bootstrap', 'cdk bootstrap'],
    ['shared stacks', 'cdk deploy --no-notices --no-version-reporting NodeappRegistry'],
    ['images', 'scripts/image-smoke.sh'],
    ['deploy', 'imageTag=local-'],
    ['smoke test', 'scripts/deploy-smoke.sh'],
    ['summary', 'sdk ListSubscriptionsByTopicCommand'],
  ] as const) {
    test(`a failure at ${step}: names the step, the cause and the command; the same command resumes`, async () => {
      // The preflight reads through the preflight's own mocks: one zone read fails there.
      if (failOn === 'preflight')
        mocks.ec2
          .on(DescribeAvailabilityZonesCommand)
          .rejectsOnce(sdkError('ThrottlingException'))
          .resolves({ AvailabilityZones: ZONES.map((z) => ({ ...z, State: 'available' as const })) });
      else
        fake.update((s) => {
          s.failOn = failOn;
        });
      const failed = await up();
      assert.equal(failed.status, 1, failed.text);
      assert.match(failed.text, new RegExp(`FAILED at step ${step} after \\d+s: .+`));
      assert.match(failed.text, /resume with: npm run up -- --env dev$/m);
      const before = fake.calls().length;
      const resumed = await up();
      assert.equal(resumed.status, 0, resumed.text);
      assert.equal(
        fake
          .calls()
          .slice(before)
          .filter((c) => c.startsWith('cdk bootstrap')).length,
        step === 'bootstrap' || step === 'preflight' ? 1 : 0,
      );
    });
  }

  test('--dry-run prints every step and the AWS changes, and sends no write', async () => {
    const { status, text } = await up(['--env', 'dev', '--dry-run']);
    assert.equal(status, 0, text);
    assert.match(text, /would run cdk bootstrap aws:\/\/123412341234\/us-east-1/);
    assert.match(text, /would create or update stack NodeappRegistry/);
    assert.match(text, /would build app \(linux\/arm64\).*nodeapp:local-abcdef012345-20261206080000/);
    assert.match(text, /would create stack Nodeapp-dev-Service/);
    assert.match(text, /would run scripts\/deploy-smoke\.sh/);
    assert.deepEqual(fake.calls(), [], 'no stand-in ran');
    assert.deepEqual(writes(sentCommands()), []);
  });

  test('refusals, before any AWS call: missing settings, staging in the shared account, no recipients', async () => {
    for (const [env, args, pattern] of [
      [{ NODEAPP_ACCOUNT_DEV: '' }, ['--env', 'dev'], /NODEAPP_ACCOUNT_DEV is not set/],
      [{ NODEAPP_ALARM_EMAILS_DEV: '' }, ['--env', 'dev'], /NODEAPP_ALARM_EMAILS_DEV is not set/],
      [
        { NODEAPP_ACCOUNT_STAGING: ACCOUNT, NODEAPP_ALARM_EMAILS_STAGING: 'a@team.test' },
        ['--env', 'staging'],
        /NODEAPP_ACCOUNT_STAGING equals NODEAPP_ACCOUNT_SHARED .*staging and prod each need an AWS account of their own/,
      ],
      [{}, ['--env', 'qa'], /--env must be one of dev, staging, prod \(got qa\)/],
    ] as const) {
      const before = sentCommands().length;
      const { status, text } = await up([...args], env);
      assert.equal(status, 1, text);
      assert.match(text, pattern);
      assert.equal(sentCommands().length, before, `no AWS call: ${text}`);
    }
  });

  test('the local tag is never a release tag (the pipeline tags and reuses only the 40-hex git SHA)', () => {
    const tag = localTag(SOURCE, NOW());
    assert.equal(tag, 'local-abcdef012345-20261206080000');
    assert.ok(isLocalTag(tag));
    assert.doesNotMatch(tag, /^[0-9a-f]{40}$/);
    assert.ok(!isLocalTag(SOURCE.commit));
    assert.equal(localTag({ ...SOURCE, dirty: true }, NOW()), 'local-abcdef012345-dirty-20261206080000');
  });

  test('--help exits 0 with usage and options; a wrong argument exits 1 with one line naming it', async () => {
    const help = await up(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.text, /^usage: npm run up -- --env/);
    assert.match(help.text, /--dry-run/);
    const wrong = await up(['--env', 'dev', '--colour']);
    assert.equal(wrong.status, 1);
    assert.equal(wrong.lines.length, 1);
    assert.match(wrong.text, /--colour/);
  });
});

describe('npm run down', () => {
  test('deletes the environment, then with --all the shared stacks and repositories; up works again after', async () => {
    assert.equal((await up()).status, 0);
    const refused = await down(['--env', 'dev', '--confirm', 'prod']);
    assert.equal(refused.status, 1);
    assert.ok(Object.keys(fake.read().stacks).length > 0, 'nothing deleted on a wrong confirmation');
    const { status, text } = await down(['--env', 'dev', '--all', '--confirm', 'dev']);
    assert.equal(status, 0, text);
    assert.deepEqual(Object.keys(fake.read().stacks), []);
    assert.deepEqual(Object.keys(fake.read().images), []);
    assert.match(text, /kept: the CDK bootstrap stack/);
    const again = await up();
    assert.equal(again.status, 0, again.text);
  });

  test('--dry-run deletes nothing', async () => {
    assert.equal((await up()).status, 0);
    const before = sentCommands();
    const { status, text } = await down(['--env', 'dev', '--all', '--dry-run']);
    assert.equal(status, 0, text);
    assert.match(text, /would delete stack Nodeapp-dev-Service/);
    assert.match(text, /would delete ECR repository nodeapp and every image in it/);
    assert.deepEqual(writes(sentCommands().slice(before.length)), []);
  });
});
