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
    assert.deepEqual(alarms.AlarmNames, [
      'Nodeapp-prod-alb-5xx-rate',
      'Nodeapp-prod-target-5xx',
      'Nodeapp-prod-unhealthy-hosts',
      'Nodeapp-prod-p99-latency',
    ]);
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

  it('scales on CPU, memory and (rolling only) requests per target within the configured bounds', () => {
    prod.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 12 });
    const metricsOf = (t: Template) =>
      resourcesOf(t, 'AWS::ApplicationAutoScaling::ScalingPolicy')
        .map(([, p]) => {
          const c = p.Properties.TargetTrackingScalingPolicyConfiguration;
          assert.equal(c.ScaleInCooldown, 300);
          return c.PredefinedMetricSpecification.PredefinedMetricType;
        })
        .sort();
    assert.deepEqual(metricsOf(dev), [
      'ALBRequestCountPerTarget',
      'ECSServiceAverageCPUUtilization',
      'ECSServiceAverageMemoryUtilization',
    ]);
    // Canary: requests per target reads ONE target group, and production alternates between two.
    assert.deepEqual(metricsOf(prod), ['ECSServiceAverageCPUUtilization', 'ECSServiceAverageMemoryUtilization']);
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

// ECS-native progressive delivery, per environment's config `deployment`.
describe('progressive deployment (canary, blue/green)', () => {
  const staging = serviceTemplate(envConfig('staging'));
  const hookFunctions = (t: Template) => resourcesOf(t, 'AWS::Lambda::Function').filter(([id]) => /SmokeHook/.test(id));
  const ruleOf = (t: Template, priority: number) =>
    resourcesOf(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').find(([, r]) => r.Properties.Priority === priority);

  it('deploys dev rolling: no alternate target group, no hook, requests-per-target scaling kept', () => {
    const s = service(dev);
    assert.equal(s.DeploymentConfiguration.Strategy, 'ROLLING');
    assert.equal(s.DeploymentConfiguration.LifecycleHooks, undefined);
    assert.equal(s.LoadBalancers[0].AdvancedConfiguration, undefined);
    assert.equal(resourcesOf(dev, 'AWS::ElasticLoadBalancingV2::TargetGroup').length, 1);
    assert.deepEqual(hookFunctions(dev), []);
  });

  it('deploys staging and prod as canaries with the config percentages and bake times', () => {
    for (const [name, t] of [
      ['staging', staging],
      ['prod', prod],
    ] as const) {
      const d = envConfig(name).deployment;
      assert.ok(d.strategy === 'canary');
      const c = service(t).DeploymentConfiguration;
      assert.equal(c.Strategy, 'CANARY', name);
      assert.deepEqual(
        c.CanaryConfiguration,
        { CanaryPercent: d.canaryPercent, CanaryBakeTimeInMinutes: d.canaryBakeMinutes },
        name,
      );
      assert.equal(c.BakeTimeInMinutes, d.bakeMinutes, name);
      // Still no DesiredCount, and the circuit breaker still rolls back tasks that never start.
      assert.equal(service(t).DesiredCount, undefined, name);
      assert.deepEqual(c.DeploymentCircuitBreaker, { Enable: true, Rollback: true }, name);
    }
  });

  it('runs the smoke hook Lambda at POST_TEST_TRAFFIC_SHIFT, before any production traffic moves', () => {
    const hooks = service(prod).DeploymentConfiguration.LifecycleHooks as CfnProperties[];
    assert.equal(hooks.length, 1);
    assert.deepEqual(hooks[0]?.LifecycleStages, ['POST_TEST_TRAFFIC_SHIFT']);
    const [fnId, fn] = hookFunctions(prod)[0] ?? [];
    assert.deepEqual(hooks[0]?.HookTargetArn, { 'Fn::GetAtt': [fnId, 'Arn'] });
    assert.equal(fn?.Properties.Runtime, 'nodejs24.x');
    assert.ok(fn?.Properties.VpcConfig.SubnetIds.length > 0, 'in the VPC: the ALB is internal');
    const env = fn?.Properties.Environment.Variables;
    assert.deepEqual(JSON.parse(env.SMOKE_REQUESTS), [
      { path: '/health/ready', method: 'GET', status: 200, contentType: 'application/json' },
    ]);
    assert.match(JSON.stringify(env.TEST_LISTENER_URL), /:8080"/);
  });

  it('gives ECS an alternate target group, the production rule and the test rule, weighted 100/0 at creation', () => {
    const lb = service(prod).LoadBalancers[0];
    const groups = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([id]) => id);
    assert.equal(groups.length, 2);
    const [production, test] = [ruleOf(prod, 50000), ruleOf(prod, 1)];
    assert.ok(production && test);
    assert.deepEqual(lb.AdvancedConfiguration.ProductionListenerRule, { Ref: production[0] });
    assert.deepEqual(lb.AdvancedConfiguration.TestListenerRule, { Ref: test[0] });
    assert.deepEqual(lb.AdvancedConfiguration.AlternateTargetGroupArn, {
      Ref: groups.find((g) => /Alternate/.test(g)),
    });
    assert.deepEqual(lb.TargetGroupArn, { Ref: groups.find((g) => !/Alternate/.test(g)) });
    for (const [, rule] of [production, test]) {
      assert.deepEqual(rule.Properties.Conditions, [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }]);
      const forward = rule.Properties.Actions[0].ForwardConfig.TargetGroups;
      assert.deepEqual(
        forward.map((g: CfnProperties) => g.Weight),
        [100, 0],
      );
    }
    // The test listener: port 8080, open only to the hook's security group.
    const listeners = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::Listener').map(([, r]) => r.Properties.Port);
    assert.deepEqual(listeners.sort(), [80, 8080]);
    const to8080 = resourcesOf(prod, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((p) => p.FromPort === 8080);
    assert.equal(to8080.length, 1);
    assert.match(to8080[0]?.SourceSecurityGroupId['Fn::GetAtt'][0], /SmokeHookSecurityGroup/);
  });

  it('renders blue/green with its bake time and no canary step', () => {
    const config = { ...envConfig('prod'), deployment: { strategy: 'blue-green', bakeMinutes: 20 } } as const;
    const c = service(serviceTemplate(config)).DeploymentConfiguration;
    assert.equal(c.Strategy, 'BLUE_GREEN');
    assert.equal(c.BakeTimeInMinutes, 20);
    assert.equal(c.CanaryConfiguration, undefined);
    assert.deepEqual(c.LifecycleHooks[0].LifecycleStages, ['POST_TEST_TRAFFIC_SHIFT']);
  });

  // https://github.com/aws/aws-cdk/issues/36649: CloudFormation resets a listener rule's forward weights to the
  // template's whenever it updates the rule, which can send all traffic to the group ECS just drained. A release is
  // an image-only change: it must leave every listener, rule and target group byte-identical, so CloudFormation
  // never updates them; only the task definition changes (the service then runs ECS's canary).
  it('changes only the task definition when only the image digest changes (listener rules untouched)', () => {
    const build = (digest: string) => {
      const stack = serviceFixture(envConfig('prod'), { digest }).stack;
      return Template.fromStack(stack).toJSON().Resources as Record<string, CfnProperties>;
    };
    const before = build(`sha256:${'1'.repeat(64)}`);
    const after = build(`sha256:${'2'.repeat(64)}`);
    assert.deepEqual(Object.keys(after).sort(), Object.keys(before).sort());
    const changed = Object.keys(before).filter((id) => JSON.stringify(before[id]) !== JSON.stringify(after[id]));
    assert.deepEqual(
      changed.map((id) => before[id]?.Type),
      ['AWS::ECS::TaskDefinition'],
    );
  });

  // Whole app: the deployment alarms read both target groups, so the release in either one is watched.
  it('alarms on the 5xx, p99 and unhealthy hosts of both target groups (whole app)', () => {
    const t = template(wholeApp(), 'prod', 'service');
    const alarm = (name: string) =>
      resourcesOf(t, 'AWS::CloudWatch::Alarm').find(([, r]) => r.Properties.AlarmName === name)?.[1].Properties;
    for (const name of ['Nodeapp-prod-target-5xx', 'Nodeapp-prod-p99-latency', 'Nodeapp-prod-unhealthy-hosts']) {
      const groups = new Set(
        ((alarm(name)?.Metrics ?? []) as CfnProperties[])
          .flatMap((m) => m.MetricStat?.Metric.Dimensions ?? [])
          .filter((d: CfnProperties) => d.Name === 'TargetGroup')
          .map((d: CfnProperties) => JSON.stringify(d.Value)),
      );
      assert.equal(groups.size, 2, name);
    }
  });
});
