import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { names } from '../config/names.ts';
import { Alarms } from '../lib/constructs/alarms.ts';
import { envConfig, fixtureStack, GUESTBOOK, serviceFixture } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

/** Alarms with the service alarms, on a fixture service (serviceFixture), with the named environment's config. */
function alarmsTemplate(env: string, emails: readonly string[] = []): Template {
  const config = { ...envConfig(env), alarms: { ...envConfig(env).alarms, emails } };
  const { stack, alb, appService } = serviceFixture(config);
  const alarms = new Alarms(stack, 'Alarms', {
    config: config.alarms,
    namePrefix: names(env).prefix,
    retainData: config.retainData,
  });
  alarms.addServiceAlarms({
    service: appService.service,
    clusterName: names(env).cluster,
    serviceName: GUESTBOOK.name,
    readinessPath: GUESTBOOK.health.readiness,
    loadBalancer: alb,
    targetGroup: appService.targetGroup,
    containerInsights: config.service.containerInsights !== 'disabled',
  });
  return Template.fromStack(stack);
}
const dev = alarmsTemplate('dev');
const prod = alarmsTemplate('prod', ['oncall@team.test']);

describe('alarms and notification', () => {
  it('notifies through a KMS-encrypted SNS topic with the configured e-mail subscriptions', () => {
    prod.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    prod.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@team.test' });
    dev.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('lets CloudWatch use the topic key only for alarms of this account (aws:SourceAccount)', () => {
    const stack = fixtureStack();
    new Alarms(stack, 'Alarms', {
      namePrefix: 'Test',
      retainData: false,
      config: {
        emails: [],
        cpuHighPercent: 85,
        memoryHighPercent: 85,
        p99LatencySeconds: 1,
        alb5xxRatePercent: 1,
        target5xxCount: 1,
      },
    });
    const key = resourcesOf(Template.fromStack(stack), 'AWS::KMS::Key')[0]?.[1].Properties;
    const cloudwatch = ((key?.KeyPolicy.Statement ?? []) as CfnProperties[]).filter(
      (s) => s.Principal?.Service === 'cloudwatch.amazonaws.com',
    );
    assert.ok(cloudwatch.length > 0);
    for (const s of cloudwatch) {
      assert.deepEqual(s.Condition?.StringEquals?.['aws:SourceAccount'], '123456789012', JSON.stringify(s));
    }
  });

  it('alarms on ALB 5xx rate, target 5xx, p99 latency, unhealthy hosts, CPU, memory and missing tasks', () => {
    const names = resourcesOf(prod, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties.AlarmName as string)
      .filter((n) => !n.includes('-db-'));
    assert.deepEqual(names.sort(), [
      'Nodeapp-prod-alarm-topic-notifications-failed',
      'Nodeapp-prod-alb-5xx-rate',
      'Nodeapp-prod-cpu-high',
      'Nodeapp-prod-memory-high',
      'Nodeapp-prod-p99-latency',
      'Nodeapp-prod-target-5xx',
      'Nodeapp-prod-tasks-below-desired',
      'Nodeapp-prod-unhealthy-hosts',
    ]);
    // Only the failure modes CloudWatch owns notify (monitoring/src/alerting.ts FAILURE_MODES); the others are
    // Prometheus's to page for and stay for the deployment rollback and the dashboard.
    const notifying = resourcesOf(prod, 'AWS::CloudWatch::Alarm')
      .filter(([, a]) => (a.Properties.AlarmActions ?? []).length === 1 && a.Properties.OKActions.length === 1)
      .map(([, a]) => a.Properties.AlarmName as string);
    assert.deepEqual(notifying.sort(), ['Nodeapp-prod-alarm-topic-notifications-failed', 'Nodeapp-prod-cpu-high']);
  });

  it('uses thresholds from config', () => {
    prod.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Nodeapp-prod-p99-latency',
      Threshold: 1,
      ExtendedStatistic: 'p99',
    });
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Nodeapp-dev-p99-latency', Threshold: 2 });
    prod.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Nodeapp-prod-cpu-high', Threshold: 85 });
  });

  it('compares running with desired tasks from Container Insights', () => {
    const [, alarm] =
      resourcesOf(prod, 'AWS::CloudWatch::Alarm').find(
        ([, a]) => a.Properties.AlarmName === 'Nodeapp-prod-tasks-below-desired',
      ) ?? [];
    const metrics = alarm?.Properties.Metrics as {
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }[];
    assert.ok(metrics.some((m) => m.Expression === 'desired - running'));
    assert.deepEqual(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : [])).sort(), [
      'DesiredTaskCount',
      'RunningTaskCount',
    ]);
  });

  it('leaves the tasks-below-desired alarm out where Container Insights is off (no metrics to compare)', () => {
    const names = resourcesOf(dev, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
    assert.equal(envConfig('dev').service.containerInsights, 'disabled');
    assert.ok(!names.includes('Nodeapp-dev-tasks-below-desired'));
    assert.ok(names.includes('Nodeapp-dev-cpu-high'));
  });

  it('lets CloudWatch use the topic key and builds a dashboard for the service', () => {
    const keyStatements = resourcesOf(prod, 'AWS::KMS::Key').flatMap(([, k]) => k.Properties.KeyPolicy.Statement);
    assert.ok(
      keyStatements.some(
        (s: { Principal: { Service?: string } }) => s.Principal.Service === 'cloudwatch.amazonaws.com',
      ),
    );
    prod.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Nodeapp-prod' });
  });

  // Whole app (prod only): the outputs are the Service stack's, not the Alarms construct's.
  it('outputs the public URL and console links (ECS service, log group, dashboard)', () => {
    const prod = template(buildTestApp({ env: 'prod' }), 'prod', 'service');
    for (const output of ['PublicUrl', 'EcsServiceConsoleUrl', 'LogGroupConsoleUrl', 'DashboardConsoleUrl']) {
      prod.hasOutput(output, {});
    }
    // prod retains its logs: the group's generated name (a Ref); dev's fixed name, escaped as the console writes it.
    const url = JSON.stringify(prod.toJSON().Outputs.LogGroupConsoleUrl.Value);
    assert.match(url, /log-group\/",\{"Ref":"TaskLogGroup/);
    const dev = template(buildTestApp({ env: 'dev' }), 'dev', 'service');
    assert.match(
      JSON.stringify(dev.toJSON().Outputs.LogGroupConsoleUrl.Value),
      /log-group\/\$252Fnodeapp\$252Fdev\$252Fapp/,
    );
  });
});
