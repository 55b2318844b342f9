// One incident notifies once: every failure mode (FAILURE_MODES, monitoring/src/alerting.ts) has exactly one notifying
// owner. Read from what is deployed, not from a list kept here: the synthesized alarms of every environment (their
// `nodeapp:failure-mode` tag and whether they have actions) and the generated Prometheus rule files (their
// `failure_mode` label). Within Prometheus, Alertmanager's inhibit rules keep one notification per mode
// (monitoring/test/inhibition.test.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadServiceContract } from '@nodeapp/contract';
import { FAILURE_MODE_LABEL, FAILURE_MODE_TAG, FAILURE_MODES, type FailureMode } from '@nodeapp/monitoring/alerting';
import { discoveryOf } from '@nodeapp/monitoring/discovery';
import { alertRuleGroups, rulesFor } from '@nodeapp/monitoring/ownership';
import type { App } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { parse } from 'yaml';
import { notifyOwnedAlarm } from '../lib/constructs/alarms.ts';
import { type AlarmInfo, DeliveryWalk } from './delivery-walk.ts';
import { fixtureStack } from './fixtures.ts';
import { buildTestApp, resourcesOf, template } from './helpers.ts';

const RULES = join(
  dirname(fileURLToPath(import.meta.resolve('@nodeapp/monitoring/alerting'))),
  '..',
  'prometheus',
  'rules',
);

interface NotifyingAlert {
  readonly system: 'prometheus' | 'cloudwatch';
  readonly name: string;
  readonly mode: string | undefined;
}

/** The notifying alert rules of generated rule files (not the Watchdog). */
function notifyingRules(groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[]): NotifyingAlert[] {
  return groups
    .flatMap((g) => g.rules)
    .filter((r) => r.alert && r.labels?.severity !== 'none')
    .map((r) => ({ system: 'prometheus' as const, name: r.alert ?? '', mode: r.labels?.[FAILURE_MODE_LABEL] }));
}

/** The committed rule files the Prometheus image loads in `env` (generated for app/service.json). */
function committedRules(env: string): NotifyingAlert[] {
  return ['alerts.rules.yml', `slo/${env}.rules.yml`].flatMap((file) =>
    notifyingRules(parse(readFileSync(join(RULES, file), 'utf8')).groups),
  );
}

/** The alerts that notify people in one environment: the Prometheus rules and the alarms with actions. */
function notifying(alarms: AlarmInfo[], env: string, rules = committedRules(env)): NotifyingAlert[] {
  return [
    ...rules,
    ...alarms
      .filter((a) => a.stack.startsWith(`Nodeapp-${env}-`) && a.actions.length > 0)
      .map((a) => ({ system: 'cloudwatch' as const, name: a.name, mode: a.tags[FAILURE_MODE_TAG] })),
  ];
}

/** What breaks the rule: an unknown or missing mode, a mode notified by a system that does not own it, or twice. */
function ownershipProblems(alerts: NotifyingAlert[], allAlarms: AlarmInfo[] = []): string[] {
  const problems: string[] = [];
  for (const alarm of allAlarms) {
    const mode = alarm.tags[FAILURE_MODE_TAG];
    if (!mode || !(mode in FAILURE_MODES)) problems.push(`${alarm.name}: no failure mode tag`);
  }
  // CloudWatch stands in for Prometheus in a mode Prometheus has no alert for (the service exports no metrics for it).
  const prometheusModes = new Set(alerts.filter((a) => a.system === 'prometheus').map((a) => a.mode));
  for (const a of alerts) {
    const mode = FAILURE_MODES[a.mode as FailureMode];
    const fallback = a.system === 'cloudwatch' && mode?.owner === 'prometheus' && !prometheusModes.has(a.mode);
    if (!mode) problems.push(`${a.name}: unknown failure mode ${a.mode}`);
    else if (mode.owner !== a.system && !fallback) {
      problems.push(`${a.name}: notifies for ${a.mode}, which ${mode.owner} owns`);
    }
  }
  // No alarm's mode is left without a notifier.
  const notified = new Set(alerts.map((a) => a.mode));
  for (const alarm of allAlarms) {
    const mode = alarm.tags[FAILURE_MODE_TAG];
    if (mode && !notified.has(mode)) problems.push(`${mode}: nobody notifies (${alarm.name} is silent)`);
  }
  // CloudWatch has no inhibition: one notifying alarm per mode (a composite alarm when several alarms see it).
  const cloudwatchModes = alerts.filter((a) => a.system === 'cloudwatch').map((a) => a.mode);
  for (const mode of new Set(cloudwatchModes)) {
    const names = alerts.filter((a) => a.system === 'cloudwatch' && a.mode === mode).map((a) => a.name);
    if (names.length > 1) problems.push(`${mode}: ${names.length} notifying alarms (${names.join(', ')})`);
  }
  return problems;
}

describe('one notifying owner per failure mode', () => {
  // prod with a Slack channel (the chat topic's alarm) and RDS (the database alarms); every environment.
  const { app, ...stacks } = buildTestApp({
    overrides: {
      prod: (c) => ({ ...c, alarms: { ...c.alarms, slack: { workspaceId: 'T012ABCDEF', channelId: 'C012ABCDEF' } } }),
    },
  });
  const walk = new DeliveryWalk(app.synth());
  const alarms = walk.alarms();
  const envs = [...new Set(alarms.map((a) => a.stack.split('-')[1] ?? ''))].sort();

  it('every alarm of every environment carries a failure mode, and no mode notifies from both systems', () => {
    assert.deepEqual(envs, ['dev', 'prod', 'staging']);
    for (const env of envs) {
      const envAlarms = alarms.filter((a) => a.stack.startsWith(`Nodeapp-${env}-`));
      assert.deepEqual(ownershipProblems(notifying(alarms, env), envAlarms), [], env);
    }
  });

  it('every failure mode is covered by its owner (prod: RDS, Slack, Container Insights)', () => {
    const covered = new Set(notifying(alarms, 'prod').map((a) => a.mode));
    assert.deepEqual(
      Object.keys(FAILURE_MODES).filter((m) => !covered.has(m)),
      [],
    );
  });

  it('the task-failure alarms stay for the deployment rollback, notifying nobody', () => {
    const prod = alarms.filter((a) => a.stack.startsWith('Nodeapp-prod-'));
    const byName = new Map(prod.map((a) => [a.name, a]));
    for (const suffix of ['unhealthy-hosts', 'tasks-below-desired', 'alb-5xx-rate', 'target-5xx', 'p99-latency']) {
      const alarm = byName.get(`Nodeapp-prod-${suffix}`);
      assert.ok(alarm, `Nodeapp-prod-${suffix} exists`);
      assert.deepEqual(alarm.actions, [], `${alarm.name} notifies nobody`);
    }
    // The ECS service still rolls back on them (its deployment alarms name existing alarms).
    const [[, service] = []] = resourcesOf(template(stacks, 'prod', 'service'), 'AWS::ECS::Service');
    const names: string[] = service?.Properties.DeploymentConfiguration.Alarms.AlarmNames ?? [];
    assert.ok(names.length >= 4, names.join(', '));
    for (const name of names) assert.ok(byName.has(name), `deployment alarm ${name} exists`);
  });

  it('a service without metrics: CloudWatch notifies, once per mode, for what Prometheus cannot alert on', () => {
    const hello = loadServiceContract('examples/hello-express');
    const { app: helloApp } = buildTestApp({ env: 'prod', context: { service: 'examples/hello-express' } });
    const helloAlarms = new DeliveryWalk(helloApp.synth()).alarms().filter((a) => a.stack.startsWith('Nodeapp-prod-'));
    // The rules the generator writes for this contract (the image built for it loads them).
    const rules = notifyingRules(
      rulesFor(alertRuleGroups(), discoveryOf(hello), hello.database !== undefined).groups as Parameters<
        typeof notifyingRules
      >[0],
    );
    const alerts = notifying(helloAlarms, 'prod', rules);
    assert.deepEqual(ownershipProblems(alerts, helloAlarms), []);
    const fallbacks = alerts.filter(
      (a) => a.system === 'cloudwatch' && FAILURE_MODES[a.mode as FailureMode]?.owner === 'prometheus',
    );
    assert.deepEqual(fallbacks.map((a) => a.name).sort(), [
      'Nodeapp-prod-error-responses',
      'Nodeapp-prod-memory-exhaustion',
      'Nodeapp-prod-slow-responses',
    ]);
  });

  it('fails on an alarm that notifies for a mode Prometheus owns, and on two notifying alarms of one mode', () => {
    const stack = fixtureStack();
    const topic = new sns.Topic(stack, 'Topic');
    const metric = new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' });
    const alarm = (id: string) =>
      new cloudwatch.Alarm(stack, id, { alarmName: `Test-${id}`, metric, threshold: 1, evaluationPeriods: 1 });
    alarm('Crashes').addAlarmAction({ bind: () => ({ alarmActionArn: topic.topicArn }) });
    const tagged = alarm('Hung');
    notifyOwnedAlarm(tagged, 'task-failure', topic); // no action: the rule holds for it
    notifyOwnedAlarm(alarm('Db1'), 'database-cpu', topic);
    notifyOwnedAlarm(alarm('Db2'), 'database-cpu', topic);
    const fixtureAlarms = new DeliveryWalk((stack.node.root as App).synth()).alarms();
    const problems = ownershipProblems(
      [
        { system: 'prometheus', name: 'NodeappFrequentRestarts', mode: 'task-failure' },
        ...fixtureAlarms
          .filter((a) => a.actions.length > 0)
          .map((a) => ({
            system: 'cloudwatch' as const,
            name: a.name,
            mode: a.tags[FAILURE_MODE_TAG] ?? (a.name === 'Test-Crashes' ? 'task-failure' : undefined),
          })),
      ],
      fixtureAlarms,
    );
    assert.deepEqual(problems, [
      'Test-Crashes: no failure mode tag',
      'Test-Crashes: notifies for task-failure, which prometheus owns',
      'database-cpu: 2 notifying alarms (Test-Db1, Test-Db2)',
    ]);
  });
});
