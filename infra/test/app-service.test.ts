import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { EnvironmentConfig } from '../config/types.ts';
import { envConfig, fixtureConfig, serviceFixture } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

/** AppService alone (with its cluster, task definition, listener and namespace fixtures) for one environment's config. */
function serviceTemplate(config: EnvironmentConfig): Template {
  return Template.fromStack(serviceFixture(config).stack);
}
const dev = serviceTemplate(envConfig('dev'));
const prod = serviceTemplate(envConfig('prod'));

function service(t: Template): CfnProperties {
  return resourcesOf(t, 'AWS::ECS::Service')[0]?.[1].Properties ?? {};
}

// Whole app, built once and only for the tests that check wiring the Service stack does around AppService: the
// deployment alarms (Alarms construct → service), the synth messages and the ingress rules of all stacks.
let whole: ReturnType<typeof buildTestApp> | undefined;
const wholeApp = () => {
  whole ??= buildTestApp();
  return whole;
};

describe('ECS service', () => {
  it('deploys with 100 %/200 % and circuit breaker rollback', () => {
    const s = service(prod);
    assert.deepEqual(s.DeploymentConfiguration.MinimumHealthyPercent, 100);
    assert.deepEqual(s.DeploymentConfiguration.MaximumPercent, 200);
    assert.deepEqual(s.DeploymentConfiguration.DeploymentCircuitBreaker, { Enable: true, Rollback: true });
    assert.ok(s.HealthCheckGracePeriodSeconds >= 30);
  });

  // Whole app: the Service stack names the Alarms construct's alarms on the service and orders them first.
  it('rolls back on the deployment alarms the Service stack creates first (whole app)', () => {
    const t = template(wholeApp(), 'prod', 'service');
    const s = service(t);
    const alarms = s.DeploymentConfiguration.Alarms;
    assert.equal(alarms.Enable, true);
    assert.equal(alarms.Rollback, true);
    // Literal names of alarms the template creates, which the service depends on (created first).
    assert.deepEqual(alarms.AlarmNames, ['Nodeapp-prod-target-5xx', 'Nodeapp-prod-unhealthy-hosts']);
    const resources = t.toJSON().Resources as Record<string, CfnProperties>;
    const [serviceId] = resourcesOf(t, 'AWS::ECS::Service')[0] ?? [];
    for (const name of alarms.AlarmNames as string[]) {
      const [alarmId] = Object.entries(resources).find(([, r]) => r.Properties?.AlarmName === name) ?? [];
      assert.ok(alarmId, `alarm ${name} exists`);
      assert.ok([resources[serviceId ?? '']?.DependsOn].flat().includes(alarmId), `service depends on ${name}`);
    }
  });

  // Whole app: the message comes from how the Service stack hands the alarms to the service.
  it('synthesizes without the "Deployment alarm … may cause a circular dependency" message in any environment', () => {
    const messages = wholeApp()
      .app.synth()
      .stacks.flatMap((a) => a.messages.map((m) => `${a.stackName}: ${String(m.entry.data)}`));
    assert.deepEqual(
      messages.filter((m) => /circular dependency/.test(m)),
      [],
    );
  });

  it('leaves the task count to autoscaling: no DesiredCount in any environment, the floor on the scalable target', () => {
    const ec2 = { ...envConfig('prod'), capacity: 'ec2' } satisfies EnvironmentConfig;
    for (const [name, config] of [
      ...fixtureConfig.environments.map((c) => [c.name, c] as const),
      ['prod (ec2)', ec2] as const,
    ]) {
      const t = name === 'dev' ? dev : name === 'prod' ? prod : serviceTemplate(config);
      // A DesiredCount would reset the running count to it on every deploy (prod at 12 tasks back to 3).
      assert.equal(service(t).DesiredCount, undefined, name);
      const target = resourcesOf(t, 'AWS::ApplicationAutoScaling::ScalableTarget')[0]?.[1].Properties;
      assert.equal(target?.MinCapacity, config.service.minCount, name);
      assert.equal(target?.MaxCapacity, config.service.maxCount, name);
    }
  });
  it('weights capacity per config: a FARGATE base in prod, Spot only in dev', () => {
    assert.deepEqual(service(prod).CapacityProviderStrategy, [
      { CapacityProvider: 'FARGATE', Base: 2, Weight: 1 },
      { CapacityProvider: 'FARGATE_SPOT', Weight: 3 },
    ]);
    assert.deepEqual(service(dev).CapacityProviderStrategy, [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }]);
  });

  it('enables ECS Exec only where config says so', () => {
    assert.equal(service(dev).EnableExecuteCommand, true);
    assert.notEqual(service(prod).EnableExecuteCommand, true);
  });

  it('registers tasks in Cloud Map as app.nodeapp.internal with an SRV record on the metrics port', () => {
    prod.hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'app',
      DnsConfig: Match.objectLike({ DnsRecords: [{ Type: 'SRV', TTL: 10 }] }),
    });
    const registry = service(prod).ServiceRegistries[0];
    assert.equal(registry.ContainerName, 'app');
    assert.equal(registry.ContainerPort, 9464);
  });

  it('propagates tags from the service and runs in private subnets without public IPs', () => {
    const s = service(prod);
    assert.equal(s.PropagateTags, 'SERVICE');
    assert.equal(s.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp, 'DISABLED');
  });

  it('scales on CPU, memory and requests per target within the configured bounds', () => {
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 12 });
    const metrics = resourcesOf(prod, 'AWS::ApplicationAutoScaling::ScalingPolicy').map(([, p]) => {
      const c = p.Properties.TargetTrackingScalingPolicyConfiguration;
      assert.equal(c.ScaleInCooldown, 300);
      return c.PredefinedMetricSpecification.PredefinedMetricType;
    });
    assert.deepEqual(metrics.sort(), [
      'ALBRequestCountPerTarget',
      'ECSServiceAverageCPUUtilization',
      'ECSServiceAverageMemoryUtilization',
    ]);
  });

  it('scales to zero outside working hours only where config asks (dev)', () => {
    const [, devTarget] = resourcesOf(dev, 'AWS::ApplicationAutoScaling::ScalableTarget')[0] ?? [];
    const actions = devTarget?.Properties.ScheduledActions as CfnProperties[];
    assert.deepEqual(
      actions.map((a) => [a.Schedule, a.ScalableTargetAction.MinCapacity, a.ScalableTargetAction.MaxCapacity]),
      [
        ['cron(0 20 ? * MON-FRI *)', 0, 0],
        ['cron(0 7 ? * MON-FRI *)', 1, 2],
      ],
    );
    const [, prodTarget] = resourcesOf(prod, 'AWS::ApplicationAutoScaling::ScalableTarget')[0] ?? [];
    assert.equal(prodTarget?.Properties.ScheduledActions, undefined);
  });

  // The target group is AppService's (the internal ALB only routes to it).
  it('health-checks /health/ready every 10 s or less, healthy after 2, deregisters within 30 s', () => {
    const [, tg] = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::TargetGroup')[0] ?? [];
    const p = tg?.Properties ?? {};
    assert.equal(p.HealthCheckPath, '/health/ready');
    assert.ok(p.HealthCheckIntervalSeconds <= 10);
    assert.equal(p.HealthyThresholdCount, 2);
    assert.equal(p.TargetType, 'ip');
    const delay = (p.TargetGroupAttributes as { Key: string; Value: string }[]).find(
      (a) => a.Key === 'deregistration_delay.timeout_seconds',
    );
    assert.ok(Number(delay?.Value) <= 30);
  });

  it('ramps a new task up with ALB slow start (30 s), on an algorithm that allows it', () => {
    const [, tg] = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::TargetGroup')[0] ?? [];
    const attributes = Object.fromEntries(
      ((tg?.Properties.TargetGroupAttributes ?? []) as { Key: string; Value: string }[]).map((a) => [a.Key, a.Value]),
    );
    assert.deepEqual(
      [attributes['slow_start.duration_seconds'], attributes['load_balancing.algorithm.type'] ?? 'round_robin'],
      ['30', 'round_robin'],
    );
  });

  it("lets only the listener's ALB reach the app port", () => {
    const ingress = resourcesOf(prod, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
    const toApp = ingress.filter((p) => p.FromPort === 3000);
    assert.equal(toApp.length, 1);
    assert.match(toApp[0]?.SourceSecurityGroupId['Fn::GetAtt'][0], /^AlbSecurityGroup/);
  });

  // Whole app: every stack of every environment, and the real LoadBalancer construct's security group.
  it('lets only the ALB reach the app port, and nothing open to 0.0.0.0/0 anywhere (whole app)', () => {
    const stacks = wholeApp();
    const ingress = resourcesOf(template(stacks, 'prod', 'service'), 'AWS::EC2::SecurityGroupIngress').map(
      ([, r]) => r.Properties,
    );
    const toApp = ingress.filter((p) => p.FromPort === 3000);
    assert.equal(toApp.length, 1);
    assert.match(toApp[0]?.SourceSecurityGroupId['Fn::GetAtt'][0], /^LoadBalancerSecurityGroup/);
    for (const env of ['dev', 'staging', 'prod']) {
      for (const which of ['network', 'service'] as const) {
        const json = JSON.stringify(template(stacks, env, which).toJSON());
        const inlineIngress = resourcesOf(template(stacks, env, which), 'AWS::EC2::SecurityGroup').flatMap(
          ([, r]) => r.Properties.SecurityGroupIngress ?? [],
        );
        for (const rule of [...inlineIngress, ...ingress]) {
          assert.notEqual(rule.CidrIp, '0.0.0.0/0', `${env} ${which}`);
          assert.notEqual(rule.CidrIpv6, '::/0', `${env} ${which}`);
        }
        assert.ok(json.length > 0);
      }
    }
  });
});
