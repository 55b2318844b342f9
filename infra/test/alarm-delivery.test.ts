// Every alarm and every notification publisher can reach its topic: the walk (test/delivery-walk.ts) follows each
// alarm's actions to the topic, its topic policy and its KMS key policy in the synthesized templates of every
// environment, and evaluates each request with the policies AWS would apply. No list of alarms is kept here.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { App } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { allowCloudWatchAlarms } from '../lib/constructs/alarms.ts';
import { type DeliveryCheck, DeliveryWalk } from './delivery-walk.ts';
import { fixtureStack } from './fixtures.ts';
import { buildTestApp } from './helpers.ts';

/** A stack with one encrypted, SSL-enforcing topic and an alarm notifying it; `allow` adds the grants. */
function oneAlarm(allow: boolean, alarmName = 'Test-cpu') {
  const stack = fixtureStack();
  const key = new kms.Key(stack, 'Key');
  const topic = new sns.Topic(stack, 'Topic', { masterKey: key, enforceSSL: true });
  if (allow) allowCloudWatchAlarms(topic, key, 'Test-*');
  const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
    alarmName,
    metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  alarm.addAlarmAction(new actions.SnsAction(topic));
  return new DeliveryWalk((stack.node.root as App).synth());
}

const refused = (checks: DeliveryCheck[]) => checks.filter((c) => c.result !== 'Allowed');

describe('alarm delivery', () => {
  it('every alarm, budget and role of every environment may publish to its topic and use its key', async () => {
    // prod with a Slack channel: the chat topic and its publisher are walked too.
    const { app } = buildTestApp({
      overrides: {
        prod: (c) => ({ ...c, alarms: { ...c.alarms, slack: { workspaceId: 'T012ABCDEF', channelId: 'C012ABCDEF' } } }),
      },
    });
    const checks = await new DeliveryWalk(app.synth()).checks();
    const alarms = new Set(checks.filter((c) => c.publisher.startsWith('alarm ')).map((c) => c.publisher));
    assert.ok(alarms.size >= 20, `walked only ${alarms.size} alarms`);
    const roleTopics = new Set(
      checks.filter((c) => c.publisher.startsWith('role ') && c.action === 'sns:Publish').map((c) => c.resource),
    );
    // Alertmanager's role: the alarm and heartbeat topics of each of 3 environments, and prod's chat topic.
    assert.equal(roleTopics.size, 7, [...roleTopics].join('\n'));
    assert.deepEqual(refused(checks), []);
  });

  it('refuses an alarm when the topic policy holds only the SSL Deny (the walk can fail)', async () => {
    const checks = await oneAlarm(false).checks();
    assert.deepEqual(
      refused(checks).map((c) => c.action),
      ['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt'],
    );
  });

  it("allows this account's alarms matching the name pattern, and no other alarm (aws:SourceArn)", async () => {
    assert.deepEqual(refused(await oneAlarm(true).checks()), []);
    assert.equal(refused(await oneAlarm(true, 'Other-cpu').checks()).length, 3);
  });
});
