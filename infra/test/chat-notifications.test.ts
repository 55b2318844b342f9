// Slack through AWS Chatbot: the channel hears the alarm topic and the chat topic, its role and guardrail allow
// reading CloudWatch only, and the environments without a Slack setting get none of it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CHAT_CHANNEL_ACTIONS, ChatNotifications } from '../lib/constructs/chat-notifications.ts';
import { fixtureStack } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

function chatTemplate(): Template {
  const stack = fixtureStack();
  const key = new kms.Key(stack, 'Key');
  const alarms = new sns.Topic(stack, 'Alarms', { masterKey: key });
  new ChatNotifications(stack, 'Chat', {
    slack: { workspaceId: 'T012ABCDEF', channelId: 'C012ABCDEF' },
    topics: [alarms],
    key,
    namePrefix: 'Nodeapp-test',
  });
  return Template.fromStack(stack);
}

describe('chat notifications (AWS Chatbot)', () => {
  const t = chatTemplate();

  it('subscribes the Slack channel to the alarm topic and the chat topic', () => {
    const channel = resourcesOf(t, 'AWS::Chatbot::SlackChannelConfiguration')[0]?.[1];
    assert.equal(channel?.Properties.SlackWorkspaceId, 'T012ABCDEF');
    assert.equal(channel?.Properties.SlackChannelId, 'C012ABCDEF');
    const topics = resourcesOf(t, 'AWS::SNS::Topic').map(([id]) => ({ Ref: id }));
    assert.deepEqual(
      ((channel?.Properties.SnsTopicArns ?? []) as unknown[]).map((a) => JSON.stringify(a)).sort(),
      topics.map((a) => JSON.stringify(a)).sort(),
    );
  });

  it('lets the channel and its members read CloudWatch and nothing else (role policy and guardrail)', () => {
    const statements = [
      ...resourcesOf(t, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement),
      ...resourcesOf(t, 'AWS::IAM::ManagedPolicy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement),
    ] as CfnProperties[];
    assert.equal(statements.length, 2);
    for (const s of statements) {
      assert.equal(s.Effect, 'Allow');
      assert.deepEqual([s.Action].flat().sort(), [...CHAT_CHANNEL_ACTIONS].sort());
    }
    const channel = resourcesOf(t, 'AWS::Chatbot::SlackChannelConfiguration')[0]?.[1];
    assert.equal(channel?.Properties.GuardrailPolicies.length, 1);
    assert.equal(channel?.Properties.UserRoleRequired, false);
  });

  it('is configured per environment: Alertmanager gets the chat topic only where Slack is set', () => {
    const stacks = buildTestApp({
      overrides: {
        prod: (c) => ({ ...c, alarms: { ...c.alarms, slack: { workspaceId: 'T012ABCDEF', channelId: 'C012ABCDEF' } } }),
      },
    });
    const chatbots = (env: string) =>
      resourcesOf(template(stacks, env, 'service'), 'AWS::Chatbot::SlackChannelConfiguration').length;
    assert.deepEqual([chatbots('dev'), chatbots('prod')], [0, 1]);
    const alertmanagerEnv = (env: string) =>
      (
        (resourcesOf(template(stacks, env, 'monitoring'), 'AWS::ECS::TaskDefinition')
          .flatMap(([, td]) => td.Properties.ContainerDefinitions as CfnProperties[])
          .find((c) => c.Name === 'alertmanager')?.Environment ?? []) as CfnProperties[]
      ).map((e) => e.Name);
    assert.ok(alertmanagerEnv('prod').includes('CHAT_TOPIC_ARN'));
    assert.ok(!alertmanagerEnv('dev').includes('CHAT_TOPIC_ARN'));
  });
});
