// The Monitoring stack: Prometheus + Alertmanager + the ECS discovery sidecar in one task and Grafana as its own
// service, images pinned by digest (never built at deploy), ECS API discovery with read-only calls, alerts to the
// alarm topic (SNS), hardened containers, CloudWatch alarms on the monitoring services, only Prometheus on the metrics
// port, Grafana at /grafana/ through CloudFront with the public origin trusted, and cdk-nag clean.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SLOS } from '@nodeapp/monitoring/alerting';
import { APP_CONTAINER_NAME, APP_ECS_SERVICE_NAME, APP_METRICS_PORT, ECS_SD_PORT } from '@nodeapp/monitoring/discovery';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { loadConfig } from '../config/environments.ts';
import type { EnvironmentConfig } from '../config/types.ts';
import { ECS_SD_HEAP_MIB, ECS_SD_MEMORY_LIMIT_MIB } from '../lib/constructs/monitoring-prometheus.ts';
import { monitoringConfigProblems } from '../lib/monitoring-config.ts';
import { buildTestApp, type CfnProperties, resourcesOf } from './helpers.ts';

function devStacks(
  context: Record<string, unknown> = {},
  overrides?: Record<string, (config: EnvironmentConfig) => EnvironmentConfig>,
) {
  const stacks = buildTestApp({ env: 'dev', context, ...(overrides ? { overrides } : {}) });
  const monitoring = stacks.monitoring.get('dev');
  assert.ok(monitoring);
  const service = stacks.environments.get('dev')?.service;
  assert.ok(service);
  return { stacks, monitoring: Template.fromStack(monitoring), service: Template.fromStack(service) };
}

type Container = CfnProperties;
function containers(t: Template, family: string): Container[] {
  const found = resourcesOf(t, 'AWS::ECS::TaskDefinition').find(([, r]) => r.Properties.Family === family);
  assert.ok(found, `no task definition ${family}`);
  return found[1].Properties.ContainerDefinitions as Container[];
}
function container(t: Template, family: string, name: string): Container {
  const found = containers(t, family).find((c) => c.Name === name);
  assert.ok(found, `no container ${name} in ${family}`);
  return found;
}
const envOf = (c: Container) => Object.fromEntries((c.Environment ?? []).map((e: CfnProperties) => [e.Name, e.Value]));
const secretNames = (c: Container) => (c.Secrets ?? []).map((s: CfnProperties) => s.Name).sort();

describe('Monitoring stack', () => {
  const { stacks, monitoring, service } = devStacks();

  it('runs Prometheus and Alertmanager in one task with the retention and storage from config', () => {
    const config = stacks.config.environments[0]?.monitoring;
    assert.ok(config);
    const prometheus = container(monitoring, 'Nodeapp-dev-prometheus', 'prometheus');
    const alertmanager = container(monitoring, 'Nodeapp-dev-prometheus', 'alertmanager');
    assert.deepEqual(
      containers(monitoring, 'Nodeapp-dev-prometheus')
        .map((c) => c.Name)
        .sort(),
      ['alertmanager', 'ecs-sd', 'prometheus'],
    );
    assert.ok(prometheus.Command.includes(`--storage.tsdb.retention.time=${config.prometheus.retentionDays}d`));
    assert.ok(prometheus.Command.includes(`--storage.tsdb.retention.size=${config.prometheus.retentionSizeGiB}GB`));
    assert.ok(
      !prometheus.Command.some((a: string) => a.startsWith('--config.file')),
      'the image entrypoint picks the ECS config',
    );
    assert.ok(alertmanager.Command.includes('--cluster.listen-address='));
    monitoring.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'Nodeapp-dev-prometheus',
      EphemeralStorage: { SizeInGiB: config.prometheus.ephemeralStorageGiB },
    });
  });

  it('pins every image by digest from the shared account, builds none (no CDK asset)', () => {
    const digest = (n: number) => `sha256:${String(n).repeat(64)}`;
    const pinned = devStacks({
      prometheusImageDigest: digest(1),
      alertmanagerImageDigest: digest(2),
      grafanaImageDigest: digest(3),
      ecsSdImageDigest: digest(4),
    });
    pinned.stacks.app.synth();
    const manifest = JSON.parse(
      readFileSync(join(pinned.stacks.app.outdir, 'Nodeapp-dev-Monitoring.assets.json'), 'utf8'),
    ) as { dockerImages?: Record<string, unknown> };
    assert.deepEqual(Object.keys(manifest.dockerImages ?? {}), [], 'no Docker image asset: nothing built at deploy');
    const shared = pinned.stacks.config.shared;
    const images = new Map<string, string>();
    for (const [, td] of resourcesOf(pinned.monitoring, 'AWS::ECS::TaskDefinition')) {
      for (const c of td.Properties.ContainerDefinitions) images.set(c.Name, JSON.stringify(c.Image));
    }
    const expected: Record<string, [string, string]> = {
      prometheus: ['nodeapp-prometheus', digest(1)],
      alertmanager: ['nodeapp-alertmanager', digest(2)],
      grafana: ['nodeapp-grafana', digest(3)],
      'ecs-sd': ['nodeapp-ecs-sd', digest(4)],
    };
    assert.deepEqual([...images.keys()].sort(), Object.keys(expected).sort());
    for (const [name, [repository, sha]] of Object.entries(expected)) {
      const image = images.get(name) ?? '';
      assert.ok(image.includes(`${shared.account}.dkr.ecr.${shared.region}.`), `${name}: ${image}`);
      assert.ok(image.includes(`/${repository}@${sha}`), `${name}: ${image}`);
    }
  });

  it('runs every monitoring container read-only, without capabilities, non-root, writable only on its data volume', () => {
    const writable: Record<string, string[]> = {
      prometheus: ['/prometheus'],
      alertmanager: ['/alertmanager'],
      'ecs-sd': [],
      grafana: ['/var/lib/grafana'],
    };
    for (const family of ['Nodeapp-dev-prometheus', 'Nodeapp-dev-grafana']) {
      for (const c of containers(monitoring, family)) {
        assert.equal(c.ReadonlyRootFilesystem, true, `${c.Name} read-only root`);
        assert.deepEqual(c.LinuxParameters?.Capabilities?.Drop, ['ALL'], `${c.Name} drops all capabilities`);
        assert.equal(c.LinuxParameters?.Capabilities?.Add, undefined);
        assert.match(c.User ?? '', /^[1-9]\d*:\d+$/, `${c.Name} runs as a non-root uid`);
        assert.notEqual(c.Privileged, true);
        assert.deepEqual(
          (c.MountPoints ?? []).map((m: CfnProperties) => m.ContainerPath),
          writable[c.Name],
          `${c.Name} writable paths`,
        );
      }
    }
  });

  it('keeps the optional receivers and the Grafana admin password in Secrets Manager, never in the template', () => {
    const alertmanager = container(monitoring, 'Nodeapp-dev-prometheus', 'alertmanager');
    assert.deepEqual(secretNames(alertmanager as Container), ['HEARTBEAT_URL']);
    const [grafana] = containers(monitoring, 'Nodeapp-dev-grafana');
    assert.deepEqual(secretNames(grafana as Container), ['GF_SECURITY_ADMIN_PASSWORD']);
    monitoring.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 32, ExcludePunctuation: true },
      KmsKeyId: Match.anyValue(),
    });
  });

  const prometheusTaskPolicy = (t: Template) => {
    const [, policy] =
      resourcesOf(t, 'AWS::IAM::Policy').find(([id]) =>
        id.startsWith('PrometheusTaskDefinitionTaskRoleDefaultPolicy'),
      ) ?? [];
    assert.ok(policy, 'no Prometheus task role policy');
    return policy.Properties.PolicyDocument.Statement as CfnProperties[];
  };

  it('discovers the app tasks through the ECS API with only the read calls, scoped to the app cluster', () => {
    const sidecar = containers(monitoring, 'Nodeapp-dev-prometheus').find((c) => c.Name === 'ecs-sd');
    assert.ok(sidecar);
    const env = envOf(sidecar);
    assert.equal(env.ECS_SERVICE, APP_ECS_SERVICE_NAME);
    assert.equal(env.ECS_CONTAINER, APP_CONTAINER_NAME);
    assert.equal(env.METRICS_PORT, String(APP_METRICS_PORT));
    assert.equal(env.LISTEN_PORT, String(ECS_SD_PORT));
    const statements = prometheusTaskPolicy(monitoring);
    const ecsActions = statements.flatMap((st) => [st.Action].flat()).filter((a: string) => a.startsWith('ecs:'));
    assert.deepEqual(ecsActions.sort(), ['ecs:DescribeServices', 'ecs:DescribeTasks', 'ecs:ListTasks']);
    const list = statements.find((st) => st.Action === 'ecs:ListTasks');
    assert.ok(list?.Condition?.ArnEquals?.['ecs:cluster'], 'ListTasks limited to the app cluster');
    const describe = statements.find((st) => st.Action === 'ecs:DescribeTasks');
    assert.match(JSON.stringify(describe?.Resource), /:task\//);
    assert.notEqual(describe?.Resource, '*');
  });

  it('caps the sidecar: a hard memory limit above its measured peak, and a heap cap below it', () => {
    const sidecar = containers(monitoring, 'Nodeapp-dev-prometheus').find((c) => c.Name === 'ecs-sd');
    assert.equal(sidecar?.Memory, ECS_SD_MEMORY_LIMIT_MIB);
    assert.equal(envOf(sidecar ?? {}).NODE_OPTIONS, `--max-old-space-size=${ECS_SD_HEAP_MIB}`);
    assert.ok(ECS_SD_HEAP_MIB * 2 < ECS_SD_MEMORY_LIMIT_MIB);
  });

  it('sends alerts to the alarm topic through SNS with the task role (no SMTP), env and links from config', () => {
    const prometheus = container(monitoring, 'Nodeapp-dev-prometheus', 'prometheus');
    const alertmanager = container(monitoring, 'Nodeapp-dev-prometheus', 'alertmanager');
    assert.equal(envOf(prometheus as Container).NODEAPP_ENV, 'dev', 'the env external label');
    const env = envOf(alertmanager as Container);
    assert.deepEqual(Object.keys(env).sort(), [
      'AWS_REGION',
      'GRAFANA_URL',
      'HEARTBEAT_TOPIC_ARN',
      'RUNBOOK_URL',
      'SNS_TOPIC_ARN',
    ]);
    assert.match(JSON.stringify(env.SNS_TOPIC_ARN), /AlarmsTopic/);
    const shared = stacks.config.shared;
    assert.equal(env.RUNBOOK_URL, `https://github.com/${shared.github.repository}/blob/main/docs/runbook.md`);
    assert.match(JSON.stringify(env.GRAFANA_URL), /https:\/\/.*\/grafana"/);
    const statements = prometheusTaskPolicy(monitoring);
    const publish = statements.find((st) => st.Action === 'sns:Publish');
    assert.match(JSON.stringify(publish?.Resource), /AlarmsTopic/);
    assert.ok(
      statements.some((st) => [st.Action].flat().includes('kms:GenerateDataKey*')),
      'the encrypted topic needs its key',
    );
  });

  it('adds remote_write to AMP only when configured, with aps:RemoteWrite on that workspace only', () => {
    const workspaceArn = 'arn:aws:aps:us-east-1:222222222222:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef';
    const withAmp = devStacks(
      {},
      { dev: (c) => ({ ...c, monitoring: { ...c.monitoring, remoteWrite: { workspaceArn } } }) },
    );
    const prometheus = container(withAmp.monitoring, 'Nodeapp-dev-prometheus', 'prometheus');
    assert.equal(
      envOf(prometheus as Container).AMP_REMOTE_WRITE_URL,
      'https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-0123abcd-4567-89ef-0123-456789abcdef/api/v1/remote_write',
    );
    const amp = prometheusTaskPolicy(withAmp.monitoring).find((st) => st.Action === 'aps:RemoteWrite');
    assert.equal(amp?.Resource, workspaceArn);
    const plain = container(monitoring, 'Nodeapp-dev-prometheus', 'prometheus');
    assert.equal(envOf(plain as Container).AMP_REMOTE_WRITE_URL, undefined);
    assert.ok(!prometheusTaskPolicy(monitoring).some((st) => st.Action === 'aps:RemoteWrite'));
  });

  it('alarms in CloudWatch (independent of Prometheus) when a monitoring service runs no task', () => {
    for (const name of ['prometheus', 'grafana']) {
      monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `Nodeapp-dev-monitoring-${name}-not-running`,
        Namespace: 'AWS/ECS',
        MetricName: 'CPUUtilization',
        Statistic: 'SampleCount',
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
      });
    }
    // Grafana down notifies; Prometheus down is the alerting-down composite's (with the missing heartbeat).
    const actionsOf = (name: string) =>
      resourcesOf(monitoring, 'AWS::CloudWatch::Alarm').find(([, a]) => a.Properties.AlarmName === name)?.[1].Properties
        .AlarmActions;
    assert.match(JSON.stringify(actionsOf('Nodeapp-dev-monitoring-grafana-not-running')), /AlarmsTopic/);
    assert.equal(actionsOf('Nodeapp-dev-monitoring-prometheus-not-running'), undefined);
    const notifying = [
      ...resourcesOf(monitoring, 'AWS::CloudWatch::Alarm'),
      ...resourcesOf(monitoring, 'AWS::CloudWatch::CompositeAlarm'),
    ].filter(([, a]) => a.Properties.AlarmActions);
    assert.equal(notifying.length, 3);
    for (const [, alarm] of notifying) assert.match(JSON.stringify(alarm.Properties.AlarmActions), /AlarmsTopic/);
  });

  it("switches when heartbeats stop: the heartbeat topic's NumberOfMessagesPublished, missing = breaching, to the alarm topic", () => {
    const heartbeat = resourcesOf(monitoring, 'AWS::SNS::Topic').find(([id]) => id.includes('HeartbeatTopic'));
    assert.ok(heartbeat, 'no heartbeat topic');
    const [topicId] = heartbeat;
    const alertmanager = container(monitoring, 'Nodeapp-dev-prometheus', 'alertmanager');
    assert.deepEqual(envOf(alertmanager as Container).HEARTBEAT_TOPIC_ARN, { Ref: topicId });
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Nodeapp-dev-monitoring-heartbeat-missing',
      Namespace: 'AWS/SNS',
      MetricName: 'NumberOfMessagesPublished',
      Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [topicId, 'TopicName'] } }],
      Statistic: 'Sum',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    // One incident, one notification: the composite is in ALARM while the heartbeat is missing or Prometheus runs no
    // task, and it alone notifies the alarm topic.
    const [[, composite] = []] = resourcesOf(monitoring, 'AWS::CloudWatch::CompositeAlarm');
    assert.equal(composite?.Properties.AlarmName, 'Nodeapp-dev-monitoring-alerting-down');
    assert.match(
      JSON.stringify(composite?.Properties.AlarmRule),
      /ALARM\(.*HeartbeatMissing.*\) OR ALARM\(.*prometheusNotRunning.*\)/,
    );
    assert.match(JSON.stringify(composite?.Properties.AlarmActions), /Nodeapp-dev-Service/);
    // Every topic has an alarm on its failed deliveries.
    for (const [template, topics] of [
      [monitoring, resourcesOf(monitoring, 'AWS::SNS::Topic')],
      [service, resourcesOf(service, 'AWS::SNS::Topic')],
    ] as const) {
      for (const [id] of topics) {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'NumberOfNotificationsFailed',
          Dimensions: [{ Name: 'TopicName', Value: { 'Fn::GetAtt': [id, 'TopicName'] } }],
        });
      }
    }
  });

  it('every environment has its SLOs, which the Prometheus image loads by NODEAPP_ENV (monitoring/src/alerting.ts)', () => {
    const prometheus = container(monitoring, 'Nodeapp-dev-prometheus', 'prometheus');
    assert.equal(envOf(prometheus as Container).NODEAPP_ENV, 'dev');
    for (const env of stacks.config.environments) assert.ok(SLOS[env.name], `no SLOS.${env.name}`);
  });

  it('uses the discovery names and metrics port the service stack defines (one source: monitoring/src/discovery.ts)', () => {
    const app = resourcesOf(service, 'AWS::ECS::TaskDefinition')
      .flatMap(([, td]) => td.Properties.ContainerDefinitions as CfnProperties[])
      .find((c) => c.Name === APP_CONTAINER_NAME);
    assert.ok(app, `the service's task has no container ${APP_CONTAINER_NAME}`);
    assert.ok(app.PortMappings.some((p: CfnProperties) => p.ContainerPort === APP_METRICS_PORT));
    service.hasResourceProperties('AWS::ECS::Service', { ServiceName: APP_ECS_SERVICE_NAME });
  });

  it('serves a stateless Grafana under /grafana/ with anonymous access off, reading Prometheus through Cloud Map', () => {
    const [grafana] = containers(monitoring, 'Nodeapp-dev-grafana');
    const env = envOf(grafana as Container);
    assert.equal(env.GF_SERVER_SERVE_FROM_SUB_PATH, 'true');
    assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, 'false');
    assert.equal(env.PROMETHEUS_URL, 'http://prometheus.nodeapp.internal:9090');
    assert.equal(env.ALERTMANAGER_URL, 'http://prometheus.nodeapp.internal:9093');
    assert.match(JSON.stringify(env.GF_SERVER_ROOT_URL), /\/grafana\//);
    // CloudFront sends the ALB's name as Host: the public origin must be trusted or every POST gets 403.
    const domain = JSON.stringify(env.GF_SECURITY_CSRF_TRUSTED_ORIGINS);
    assert.match(domain, /Distribution.*DomainName/, 'the CloudFront domain (no custom domain in dev)');
    assert.match(JSON.stringify(env.GF_LIVE_ALLOWED_ORIGINS), /https:\/\/.*Distribution.*DomainName/);
    monitoring.hasResourceProperties('AWS::ServiceDiscovery::Service', {
      Name: 'prometheus',
      DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] },
    });
  });

  it('routes /grafana on the ALB listener and /grafana* in CloudFront to the ALB, uncached', () => {
    monitoring.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/grafana', '/grafana/*'] } }],
      Actions: [{ Type: 'forward' }],
    });
    monitoring.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/grafana/api/health',
      Port: 3000,
      TargetType: 'ip',
    });
    const [, distribution] = resourcesOf(service, 'AWS::CloudFront::Distribution')[0] ?? [];
    const behavior = distribution?.Properties.DistributionConfig.CacheBehaviors.find(
      (b: CfnProperties) => b.PathPattern === '/grafana*',
    );
    assert.ok(behavior, 'no /grafana* behaviour in the distribution');
    assert.equal(behavior.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'CachingDisabled');
    assert.equal(behavior.ViewerProtocolPolicy, 'redirect-to-https');
  });

  it('lets only Prometheus reach the metrics port, only Grafana reach Prometheus, and nothing public', () => {
    const metrics = [
      ...resourcesOf(monitoring, 'AWS::EC2::SecurityGroupIngress'),
      ...resourcesOf(service, 'AWS::EC2::SecurityGroupIngress'),
    ].filter(([, r]) => r.Properties.FromPort <= 9464 && r.Properties.ToPort >= 9464);
    assert.equal(metrics.length, 1, 'exactly one rule opens the metrics port');
    assert.match(JSON.stringify(metrics[0]?.[1].Properties.SourceSecurityGroupId), /PrometheusSecurityGroup/);
    for (const [, sg] of resourcesOf(service, 'AWS::EC2::SecurityGroup')) {
      for (const rule of sg.Properties.SecurityGroupIngress ?? []) {
        assert.ok(!(rule.FromPort <= 9464 && rule.ToPort >= 9464), 'an inline rule opens the metrics port');
      }
    }
    const toPrometheusTask = resourcesOf(monitoring, 'AWS::EC2::SecurityGroupIngress').filter(([, r]) =>
      JSON.stringify(r.Properties.GroupId).includes('PrometheusSecurityGroup'),
    );
    assert.deepEqual(toPrometheusTask.map(([, r]) => r.Properties.FromPort).sort(), [9090, 9093]);
    for (const [, rule] of toPrometheusTask) {
      assert.match(JSON.stringify(rule.Properties.SourceSecurityGroupId), /GrafanaSecurityGroup/);
    }
    const ingress = [
      ...resourcesOf(monitoring, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties),
      ...resourcesOf(monitoring, 'AWS::EC2::SecurityGroup').flatMap(([, r]) => r.Properties.SecurityGroupIngress ?? []),
    ];
    assert.ok(ingress.length >= 3);
    for (const rule of ingress)
      assert.ok(rule.SourceSecurityGroupId, `ingress not from a security group: ${JSON.stringify(rule)}`);
    for (const [, svc] of resourcesOf(monitoring, 'AWS::ECS::Service')) {
      assert.equal(svc.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp, 'DISABLED');
    }
    monitoring.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
  });

  it('never runs two Prometheus tasks at once (two Alertmanagers would notify twice)', () => {
    monitoring.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'prometheus',
      DesiredCount: 1,
      DeploymentConfiguration: Match.objectLike({ MinimumHealthyPercent: 0, MaximumPercent: 100 }),
    });
  });
});

describe('Monitoring config', () => {
  it('accepts every default and names each bad field', () => {
    const environments = loadConfig({}).environments;
    assert.deepEqual(
      environments.map((e) => e.name),
      ['dev', 'staging', 'prod'],
    );
    for (const env of environments)
      assert.deepEqual(monitoringConfigProblems(env.monitoring, `${env.name}.monitoring`), []);
    const base = environments[0]?.monitoring;
    assert.ok(base);
    const problems = monitoringConfigProblems(
      {
        ...base,
        prometheus: { ...base.prometheus, cpu: 300, ephemeralStorageGiB: 21, retentionSizeGiB: 20 },
        runbookUrl: 'http://wiki/runbook',
        remoteWrite: { workspaceArn: 'ws-123' },
      },
      'dev.monitoring',
    );
    assert.deepEqual(problems, [
      'dev.monitoring.prometheus.cpu: must be one of 256, 512, 1024, 2048, 4096 (got 300)',
      'dev.monitoring.prometheus.retentionSizeGiB: must be 1 to ephemeralStorageGiB - 8 = 13 (images and the WAL need the rest; got 20)',
      'dev.monitoring.runbookUrl: must be an https URL without spaces, |, & or \\ (got http://wiki/runbook)',
      'dev.monitoring.remoteWrite.workspaceArn: must be arn:aws:aps:<region>:<account>:workspace/ws-<id> (got ws-123)',
    ]);
  });
});

describe('cdk-nag AwsSolutions with the Monitoring stacks', () => {
  // The clean synth of every environment with the Monitoring stacks is test/nag.test.ts (it builds with buildApp,
  // like bin/nodeapp.ts); here: a finding in a Monitoring stack is not silently acknowledged.
  it('fails synth on an unacknowledged finding in a Monitoring stack', () => {
    const stacks = buildTestApp({ env: 'dev', nag: true });
    const monitoring = stacks.monitoring.get('dev');
    assert.ok(monitoring);
    new s3.Bucket(monitoring, 'UnencryptedInsecureBucket');
    assert.throws(() => stacks.app.synth(), /Validation failed/);
  });
});

describe('Monitoring config in synth', () => {
  it('stops synth naming the bad field', () => {
    assert.throws(
      () =>
        buildTestApp({
          env: 'dev',
          overrides: {
            dev: (c) => ({ ...c, monitoring: { ...c.monitoring, grafana: { cpu: 256, memoryMiB: 4096 } } }),
          },
        }),
      /dev\.monitoring\.grafana\.memoryMiB: 4096 is not valid with cpu 256/,
    );
  });
});
