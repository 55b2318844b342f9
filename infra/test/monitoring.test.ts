// The Monitoring stack: Prometheus + Alertmanager in one task and Grafana as its own service, images built from
// monitoring/, Cloud Map discovery, only Prometheus on the metrics port, Grafana at /grafana/ through CloudFront,
// secrets in Secrets Manager, retention from config, and cdk-nag clean for every environment.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { loadConfig } from '../config/environments.ts';
import { monitoringConfigProblems } from '../lib/monitoring-config.ts';
import { addMonitoringStacks } from '../lib/monitoring-stacks.ts';
import { buildTestApp, type CfnProperties, resourcesOf } from './helpers.ts';

function devStacks() {
  const stacks = buildTestApp({ env: 'dev' });
  const monitoring = addMonitoringStacks(stacks.app, stacks).get('dev');
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
const envOf = (c: Container) => Object.fromEntries((c.Environment ?? []).map((e: CfnProperties) => [e.Name, e.Value]));
const secretNames = (c: Container) => (c.Secrets ?? []).map((s: CfnProperties) => s.Name).sort();

describe('Monitoring stack', () => {
  const { stacks, monitoring, service } = devStacks();

  it('runs Prometheus and Alertmanager in one task with the retention and storage from config', () => {
    const config = stacks.config.environments[0]?.monitoring;
    assert.ok(config);
    const [prometheus, alertmanager] = containers(monitoring, 'Nodeapp-dev-prometheus');
    assert.equal(prometheus?.Name, 'prometheus');
    assert.equal(alertmanager?.Name, 'alertmanager');
    assert.ok(prometheus.Command.includes(`--storage.tsdb.retention.time=${config.prometheus.retentionDays}d`));
    assert.ok(prometheus.Command.includes(`--storage.tsdb.retention.size=${config.prometheus.retentionSizeGiB}GB`));
    assert.ok(prometheus.Command.includes('--config.file=/etc/prometheus/prometheus.yml'), 'the ECS (SRV) variant');
    assert.ok(alertmanager.Command.includes('--cluster.listen-address='));
    monitoring.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'Nodeapp-dev-prometheus',
      EphemeralStorage: { SizeInGiB: config.prometheus.ephemeralStorageGiB },
    });
  });

  it('builds every image from monitoring/ as a CDK asset, the memory alert limit from the service config', () => {
    stacks.app.synth();
    const manifest = JSON.parse(
      readFileSync(join(stacks.app.outdir, 'Nodeapp-dev-Monitoring.assets.json'), 'utf8'),
    ) as {
      dockerImages: Record<string, { source: { directory: string; dockerBuildArgs?: Record<string, string> } }>;
    };
    const sources = Object.values(manifest.dockerImages).map((i) => i.source);
    assert.equal(sources.length, 3);
    const prometheus = sources.find((s) => s.dockerBuildArgs?.TASK_MEMORY_MIB);
    assert.equal(
      prometheus?.dockerBuildArgs?.TASK_MEMORY_MIB,
      String(stacks.config.environments[0]?.service.memoryMiB),
    );
    for (const [, td] of resourcesOf(monitoring, 'AWS::ECS::TaskDefinition')) {
      for (const c of td.Properties.ContainerDefinitions) {
        assert.match(JSON.stringify(c.Image), /container-assets/, `${c.Name} is not a CDK asset image`);
      }
    }
  });

  it('keeps the receivers credentials and the Grafana admin password in Secrets Manager, never in the template', () => {
    const [, alertmanager] = containers(monitoring, 'Nodeapp-dev-prometheus');
    assert.deepEqual(secretNames(alertmanager as Container), [
      'SLACK_WEBHOOK_URL',
      'SMTP_AUTH_PASSWORD',
      'SMTP_AUTH_USERNAME',
    ]);
    assert.deepEqual(Object.keys(envOf(alertmanager as Container)).sort(), [
      'ALERT_EMAIL_TO',
      'SMTP_FROM',
      'SMTP_SMARTHOST',
    ]);
    const [grafana] = containers(monitoring, 'Nodeapp-dev-grafana');
    assert.deepEqual(secretNames(grafana as Container), ['GF_SECURITY_ADMIN_PASSWORD']);
    monitoring.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 32, ExcludePunctuation: true },
      KmsKeyId: Match.anyValue(),
    });
  });

  it('serves a stateless Grafana under /grafana/ with anonymous access off, reading Prometheus through Cloud Map', () => {
    const [grafana] = containers(monitoring, 'Nodeapp-dev-grafana');
    const env = envOf(grafana as Container);
    assert.equal(env.GF_SERVER_SERVE_FROM_SUB_PATH, 'true');
    assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, 'false');
    assert.equal(env.PROMETHEUS_URL, 'http://prometheus.nodeapp.internal:9090');
    assert.equal(env.ALERTMANAGER_URL, 'http://prometheus.nodeapp.internal:9093');
    assert.match(JSON.stringify(env.GF_SERVER_ROOT_URL), /\/grafana\//);
    assert.equal(grafana?.Volumes, undefined);
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
        alertEmail: { from: 'not an address', smtpSmarthost: 'smtp.example.com' },
      },
      'dev.monitoring',
    );
    assert.deepEqual(problems, [
      'dev.monitoring.prometheus.cpu: must be one of 256, 512, 1024, 2048 (got 300)',
      'dev.monitoring.prometheus.retentionSizeGiB: must be 1 to ephemeralStorageGiB - 8 = 13 (images and the WAL need the rest; got 20)',
      'dev.monitoring.alertEmail.smtpSmarthost: must be host:port (got smtp.example.com)',
      'dev.monitoring.alertEmail.from: must be an e-mail address',
    ]);
  });
});

describe('cdk-nag AwsSolutions with the Monitoring stacks', () => {
  // The clean synth of every environment with the Monitoring stacks is test/nag.test.ts (it builds with buildApp,
  // like bin/nodeapp.ts); here: a finding in a Monitoring stack is not silently acknowledged.
  it('fails synth on an unacknowledged finding in a Monitoring stack', () => {
    const stacks = buildTestApp({ env: 'dev', nag: true });
    const monitoring = addMonitoringStacks(stacks.app, stacks).get('dev');
    assert.ok(monitoring);
    new s3.Bucket(monitoring, 'UnencryptedInsecureBucket');
    assert.throws(() => stacks.app.synth(), /Validation failed/);
  });
});

describe('Monitoring config in synth', () => {
  it('stops synth naming the bad field', () => {
    const stacks = buildTestApp({
      env: 'dev',
      overrides: {
        dev: (c) => ({ ...c, monitoring: { ...c.monitoring, grafana: { cpu: 256, memoryMiB: 4096 } } }),
      },
    });
    assert.throws(
      () => addMonitoringStacks(stacks.app, stacks),
      /dev\.monitoring\.grafana\.memoryMiB: 4096 is not valid with cpu 256/,
    );
  });
});
