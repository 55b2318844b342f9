import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

const stacks = buildTestApp();
const dev = template(stacks, 'dev', 'service');
const prod = template(stacks, 'prod', 'service');

function service(t: typeof dev): CfnProperties {
  return resourcesOf(t, 'AWS::ECS::Service')[0]?.[1].Properties ?? {};
}

describe('ECS service', () => {
  it('deploys with 100 %/200 %, circuit breaker rollback and alarm rollback', () => {
    const s = service(prod);
    assert.deepEqual(s.DeploymentConfiguration.MinimumHealthyPercent, 100);
    assert.deepEqual(s.DeploymentConfiguration.MaximumPercent, 200);
    assert.deepEqual(s.DeploymentConfiguration.DeploymentCircuitBreaker, { Enable: true, Rollback: true });
    const alarms = s.DeploymentConfiguration.Alarms;
    assert.equal(alarms.Enable, true);
    assert.equal(alarms.Rollback, true);
    // Literal names of alarms the template creates, which the service depends on (created first).
    assert.deepEqual(alarms.AlarmNames, ['Nodeapp-prod-target-5xx', 'Nodeapp-prod-unhealthy-hosts']);
    const resources = prod.toJSON().Resources as Record<string, CfnProperties>;
    const [serviceId] = resourcesOf(prod, 'AWS::ECS::Service')[0] ?? [];
    for (const name of alarms.AlarmNames as string[]) {
      const [alarmId] = Object.entries(resources).find(([, r]) => r.Properties?.AlarmName === name) ?? [];
      assert.ok(alarmId, `alarm ${name} exists`);
      assert.ok([resources[serviceId ?? '']?.DependsOn].flat().includes(alarmId), `service depends on ${name}`);
    }
    assert.ok(s.HealthCheckGracePeriodSeconds >= 30);
  });

  it('synthesizes without the "Deployment alarm … may cause a circular dependency" message in any environment', () => {
    const messages = stacks.app
      .synth()
      .stacks.flatMap((a) => a.messages.map((m) => `${a.stackName}: ${String(m.entry.data)}`));
    assert.deepEqual(
      messages.filter((m) => /circular dependency/.test(m)),
      [],
    );
  });

  it('leaves the task count to autoscaling: no DesiredCount in any environment, the floor on the scalable target', () => {
    const ec2 = buildTestApp({ env: 'prod', overrides: { prod: (c) => ({ ...c, capacity: 'ec2' }) } });
    for (const [name, t] of [
      ['dev', dev],
      ['staging', template(stacks, 'staging', 'service')],
      ['prod', prod],
      ['prod (ec2)', template(ec2, 'prod', 'service')],
    ] as const) {
      // A DesiredCount would reset the running count to it on every deploy (prod at 12 tasks back to 3).
      assert.equal(service(t).DesiredCount, undefined, name);
      const target = resourcesOf(t, 'AWS::ApplicationAutoScaling::ScalableTarget')[0]?.[1].Properties;
      const env = name.split(' ')[0] ?? name;
      const config = stacks.config.environments.find((e) => e.name === env)?.service;
      assert.equal(target?.MinCapacity, config?.minCount, name);
      assert.equal(target?.MaxCapacity, config?.maxCount, name);
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

  it('lets only the ALB reach the app port, and nothing open to 0.0.0.0/0 anywhere', () => {
    const ingress = resourcesOf(prod, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties);
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
