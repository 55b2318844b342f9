import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadServiceContract } from '@nodeapp/contract';
import { loadConfig, PLACEHOLDER_ACCOUNT } from '../config/environments.ts';
import type { EnvironmentConfig, NodeappConfig } from '../config/types.ts';
import { ConfigError, validateConfig } from '../config/validate.ts';

function withEnv(name: string, change: (e: EnvironmentConfig) => EnvironmentConfig): NodeappConfig {
  const config = loadConfig({});
  return { ...config, environments: config.environments.map((e) => (e.name === name ? change(e) : e)) };
}

function problemsOf(config: NodeappConfig): string[] {
  try {
    validateConfig(config);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return [...error.problems];
  }
  return [];
}

describe('environment config', () => {
  it('ships dev, staging and prod, all valid', () => {
    const config = validateConfig(loadConfig({}));
    assert.deepEqual(
      config.environments.map((e) => e.name),
      ['dev', 'staging', 'prod'],
    );
  });

  it('checks the optional Slack channel IDs, naming the field', () => {
    const slack = (workspaceId: string, channelId: string) =>
      withEnv('prod', (e) => ({ ...e, alarms: { ...e.alarms, slack: { workspaceId, channelId } } }));
    assert.deepEqual(problemsOf(slack('T012ABCDEF', 'C012ABCDEF')), []);
    assert.deepEqual(
      problemsOf(slack('workspace', 'C012ABCDEF')).map((p) => p.split(':')[0]),
      ['prod.alarms.slack.workspaceId (NODEAPP_SLACK_PROD)'],
    );
    assert.deepEqual(
      problemsOf(slack('T012ABCDEF', '#alerts')).map((p) => p.split(':')[0]),
      ['prod.alarms.slack.channelId (NODEAPP_SLACK_PROD)'],
    );
  });

  it('uses the placeholder account unless NODEAPP_ACCOUNT_<ENV> is set', () => {
    const config = loadConfig({ NODEAPP_ACCOUNT_PROD: '222222222222' });
    const byName = Object.fromEntries(config.environments.map((e) => [e.name, e.account]));
    assert.equal(byName.prod, '222222222222');
    assert.equal(byName.dev, PLACEHOLDER_ACCOUNT);
    assert.equal(config.shared.account, PLACEHOLDER_ACCOUNT);
  });

  it('differs where the issue says: AZs, egress, sizes, WAF, Spot', () => {
    const [dev, staging, prod] = loadConfig({}).environments as EnvironmentConfig[];
    assert.equal(dev?.network.availabilityZones.length, 2);
    assert.equal(prod?.network.availabilityZones.length, 3);
    assert.deepEqual(
      [dev?.network.egress, staging?.network.egress, prod?.network.egress],
      ['nat-instance', 'single-nat', 'nat-per-az'],
    );
    assert.deepEqual([dev?.service.cpu, dev?.service.memoryMiB], [256, 512]);
    for (const e of [dev, staging, prod]) assert.ok(e?.edge.waf, `${e?.name}: WAF guards /grafana everywhere`);
    assert.equal(dev?.service.fargateWeight, 0, 'dev runs on Spot only');
    assert.ok((prod?.service.fargateBase ?? 0) > 0, 'prod keeps a FARGATE base');
  });

  it("deploys dev rolling, staging with prod's canary on shorter times (so staging rehearses prod)", () => {
    const [dev, staging, prod] = loadConfig({}).environments as EnvironmentConfig[];
    assert.equal(dev?.deployment.strategy, 'rolling');
    assert.equal(staging?.deployment.strategy, prod?.deployment.strategy);
    assert.ok(prod?.deployment.strategy === 'canary' && staging?.deployment.strategy === 'canary');
    assert.equal(staging.deployment.canaryPercent, prod.deployment.canaryPercent);
    assert.ok(staging.deployment.canaryBakeMinutes < prod.deployment.canaryBakeMinutes);
    assert.ok(staging.deployment.bakeMinutes < prod.deployment.bakeMinutes);
  });

  it('names the deployment field ECS would refuse', () => {
    const problems = problemsOf(
      withEnv('prod', (e) => ({
        ...e,
        deployment: { strategy: 'canary', canaryPercent: 10.05, canaryBakeMinutes: 1441, bakeMinutes: -1 },
      })),
    );
    assert.deepEqual(problems.map((p) => p.split(':')[0]).sort(), [
      'prod.deployment.bakeMinutes',
      'prod.deployment.canaryBakeMinutes',
      'prod.deployment.canaryPercent',
    ]);
    const strategy = problemsOf(
      withEnv('dev', (e) => ({
        ...e,
        deployment: { strategy: 'linear' } as unknown as EnvironmentConfig['deployment'],
      })),
    );
    assert.deepEqual(strategy, ['dev.deployment.strategy: must be one of rolling, canary, blue-green (got linear)']);
  });

  it('names the field of each bad value', () => {
    const problems = problemsOf(
      withEnv('prod', (e) => ({
        ...e,
        account: '12345',
        service: { ...e.service, cpu: 256, memoryMiB: 4096, minCount: 99 },
        alarms: { ...e.alarms, emails: ['not-an-email'] },
        network: { ...e.network, availabilityZones: ['eu-west-1a', 'us-east-1b'] },
      })),
    );
    const fields = problems.map((p) => p.split(':')[0]);
    assert.deepEqual(fields.sort(), [
      'prod.account',
      'prod.alarms.emails[0]',
      'prod.network.availabilityZones[0]',
      'prod.service.maxCount',
      'prod.service.memoryMiB',
    ]);
  });

  it('rejects a WAF outside us-east-1 and a certificate outside us-east-1', () => {
    const config = loadConfig({});
    const moved: NodeappConfig = {
      shared: { ...config.shared, region: 'eu-west-1' },
      environments: config.environments.map((e) =>
        e.name === 'prod'
          ? {
              ...e,
              region: 'eu-west-1',
              network: { ...e.network, availabilityZones: ['eu-west-1a', 'eu-west-1b'] },
              edge: {
                ...e.edge,
                domain: {
                  name: 'app.example.com',
                  certificateArn: 'arn:aws:acm:eu-west-1:111111111111:certificate/abc',
                },
              },
            }
          : e,
      ),
    };
    const problems = problemsOf(moved).filter((p) => p.startsWith('prod.'));
    assert.ok(problems.some((p) => p.startsWith('prod.edge.waf:')));
    const cidr = problemsOf(
      withEnv('dev', (e) => ({
        ...e,
        edge: { ...e.edge, waf: { ...e.edge.waf, grafanaAllowedCidrs: ['10.0.0.0/33'] } },
      })),
    );
    assert.ok(cidr.some((p) => p.startsWith('dev.edge.waf.grafanaAllowedCidrs[0]: must be an IPv4 CIDR')));
    assert.ok(problems.some((p) => p.startsWith('prod.edge.domain.certificateArn:')));
  });

  it('rejects duplicate environment names and an ECR rollback depth below 20', () => {
    const config = loadConfig({});
    const problems = problemsOf({
      shared: { ...config.shared, keepReleases: 5 },
      environments: [...config.environments, config.environments[0] as EnvironmentConfig],
    });
    assert.ok(problems.some((p) => p.startsWith('environments:')));
    assert.ok(problems.some((p) => p.startsWith('shared.keepReleases:')));
  });

  it('keeps a final RDS snapshot wherever the data matters: staging and prod, and whatever is protected', () => {
    const rds = Object.fromEntries(loadConfig({}).environments.map((e) => [e.name, e.rds.finalSnapshot]));
    assert.deepEqual(rds, { dev: false, staging: true, prod: true });
    const unsnapshotted = withEnv('prod', (e) => ({ ...e, rds: { ...e.rds, finalSnapshot: false } }));
    assert.deepEqual(problemsOf(unsnapshotted), ['prod.rds.finalSnapshot: must be true when rds.protect is set']);
  });
});

describe('settings (config/settings.ts)', () => {
  it('reads the alarm e-mails, time zone and owner from the environment, with derived defaults', () => {
    const config = loadConfig({
      NODEAPP_ALARM_EMAILS_PROD: ' oncall@team.test, finops@team.test ',
      NODEAPP_TIME_ZONE: 'Europe/Lisbon',
      NODEAPP_GITHUB_REPOSITORY: 'acme/shop',
    });
    const env = (name: string) => config.environments.find((e) => e.name === name);
    assert.deepEqual(env('prod')?.alarms.emails, ['oncall@team.test', 'finops@team.test']);
    assert.deepEqual(env('staging')?.alarms.emails, []);
    assert.equal(env('dev')?.service.scaleToZero?.timeZone, 'Europe/Lisbon');
    assert.equal(env('dev')?.tags.owner, 'acme');
    assert.equal(env('prod')?.tags.costCenter, 'nodeapp-prod');
    const defaults = loadConfig({});
    assert.equal(defaults.environments[0]?.service.scaleToZero?.timeZone, 'UTC');
    assert.equal(defaults.environments[0]?.tags.owner, 'nodeapp');
    assert.equal(loadConfig({ NODEAPP_OWNER: 'platform' }).shared.tags.owner, 'platform');
  });

  it("reads each environment's Slack channel (NODEAPP_SLACK_<ENV>) and names the setting of a bad one", () => {
    const config = loadConfig({ NODEAPP_SLACK_PROD: ' T012ABCDEF / C012ABCDEF ' });
    const env = (name: string) => config.environments.find((e) => e.name === name);
    assert.deepEqual(env('prod')?.alarms.slack, { workspaceId: 'T012ABCDEF', channelId: 'C012ABCDEF' });
    assert.equal(env('staging')?.alarms.slack, undefined);
    assert.equal(env('dev')?.alarms.slack, undefined);
    assert.throws(
      () => validateConfig(loadConfig({ NODEAPP_SLACK_DEV: 'T012ABCDEF' })),
      /dev\.alarms\.slack\.channelId \(NODEAPP_SLACK_DEV\): must be a Slack channel ID/,
    );
  });

  it('refuses a time zone EventBridge Scheduler would not know, naming the setting', () => {
    assert.throws(
      () => validateConfig(loadConfig({ NODEAPP_TIME_ZONE: 'Mars/Olympus' })),
      /dev\.service\.scaleToZero\.timeZone \(NODEAPP_TIME_ZONE\): must be an IANA time zone/,
    );
  });

  it('derives the CloudFront prefix list from the region', () => {
    for (const e of loadConfig({}).environments) assert.equal(e.edge.cloudFrontPrefixListId, 'pl-3b927c52');
  });
});

// The request-count autoscaling target against what a task of that size was measured to serve
// (config/capacity.json, written by app/bench/capacity.ts: BENCHMARKS.md "Capacity per task size").
// ALBRequestCountPerTarget is a count per target per minute (the ALB's RequestCountPerTarget metric, Sum over
// the policy's 1-minute period: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html;
// the same predefined metric as aws-autoscaling's `targetRequestsPerMinute`:
// https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_autoscaling.RequestCountScalingProps.html), and the
// capacity a rate per second: the target may ask for at most 70 % of the capacity, times 60.
interface Capacity {
  sizes: { cpu: number; memoryMiB: number; capacityRps: number }[];
}
const CAPACITY_SHARE = 0.7;

// The default service's measurement: its contract's autoscaling.requestsPerTarget, when set, replaces the
// environment's value (infra/lib/constructs/app-service.ts), so the effective target is checked.
const APP_REQUESTS_PER_TARGET = loadServiceContract('app').autoscaling.requestsPerTarget;

function requestTargetProblems(config: NodeappConfig, capacity: Capacity): string[] {
  return config.environments.flatMap((e) => {
    const { cpu, memoryMiB } = e.service;
    const targetRequestsPerTarget = APP_REQUESTS_PER_TARGET ?? e.service.targetRequestsPerTarget;
    const size = capacity.sizes.find((s) => s.cpu * 1024 === cpu && s.memoryMiB === memoryMiB);
    if (!size) return [`${e.name}: no capacity measured for ${cpu} CPU units, ${memoryMiB} MiB`];
    const limit = Math.floor(size.capacityRps * 60 * CAPACITY_SHARE);
    return targetRequestsPerTarget <= limit
      ? []
      : [
          `${e.name}.service.targetRequestsPerTarget: ${targetRequestsPerTarget} per minute is above 70 % of the measured ${size.capacityRps} req/s (${limit} per minute)`,
        ];
  });
}

describe('request-count autoscaling and the measured capacity', () => {
  const capacity = JSON.parse(readFileSync(new URL('../config/capacity.json', import.meta.url), 'utf8')) as Capacity;

  it("keeps each environment's targetRequestsPerTarget at most 70 % of its task size's capacity", () => {
    assert.deepEqual(requestTargetProblems(loadConfig({}), capacity), []);
  });

  it('fails a target above 70 % of the capacity, and a size never measured', () => {
    const dev = loadConfig({}).environments.find((e) => e.name === 'dev') as EnvironmentConfig;
    const measured = capacity.sizes.find(
      (s) => s.cpu * 1024 === dev.service.cpu && s.memoryMiB === dev.service.memoryMiB,
    );
    assert.ok(measured, 'the dev size is measured');
    const over = Math.floor(measured.capacityRps * 60 * CAPACITY_SHARE) + 1;
    const tooHigh = withEnv('dev', (e) => ({ ...e, service: { ...e.service, targetRequestsPerTarget: over } }));
    assert.match(requestTargetProblems(tooHigh, capacity).join('\n'), /^dev.service.targetRequestsPerTarget: /);
    const unmeasured = withEnv('dev', (e) => ({ ...e, service: { ...e.service, cpu: 4096, memoryMiB: 8192 } }));
    assert.match(
      requestTargetProblems(unmeasured, capacity).join('\n'),
      /^dev: no capacity measured for 4096 CPU units/,
    );
  });
});
