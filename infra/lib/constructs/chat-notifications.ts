// Slack through AWS's own chat integration, AWS Chatbot (now Amazon Q Developer in chat applications): a channel
// configuration subscribed to the alarm topic, where CloudWatch alarms render natively
// (https://docs.aws.amazon.com/chatbot/latest/adminguide/related-services.html), and to a chat topic where
// Alertmanager publishes the same alerts in the integration's custom-notification JSON
// (https://docs.aws.amazon.com/chatbot/latest/adminguide/custom-notifs.html; monitoring/alertmanager/nodeapp.tmpl
// nodeapp.chat). The alarm topic keeps its plain-text messages for e-mail; the chat integration does not deliver
// messages it cannot read.
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SlackChannel } from '../../config/types.ts';
import { acknowledge } from '../nag.ts';

export interface ChatNotificationsProps {
  readonly slack: SlackChannel;
  /** Topics whose messages the channel shows (the alarm topic). */
  readonly topics: sns.ITopic[];
  /** Encrypts the chat topic (the alarm topic's key: the same publishers). */
  readonly key: kms.IKey;
  readonly namePrefix: string;
}

/**
 * What the channel may do, as the channel role's policy and as its guardrail (the ceiling for every member): read
 * CloudWatch, which the notifications' alarm details and charts need, and nothing else — AWS's "Notification
 * permissions" policy template (https://docs.aws.amazon.com/chatbot/latest/adminguide/chatbot-iam-policies.html).
 * No commands can change anything from the channel.
 */
export const CHAT_CHANNEL_ACTIONS = ['cloudwatch:Describe*', 'cloudwatch:Get*', 'cloudwatch:List*'];

export class ChatNotifications extends Construct {
  /** Alertmanager publishes its chat-format messages here. */
  readonly chatTopic: sns.Topic;
  readonly channel: chatbot.SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: ChatNotificationsProps) {
    super(scope, id);
    this.chatTopic = new sns.Topic(this, 'Topic', {
      displayName: `${props.namePrefix} alerts for chat`,
      masterKey: props.key,
      enforceSSL: true,
    });
    const statement = new iam.PolicyStatement({ actions: CHAT_CHANNEL_ACTIONS, resources: ['*'] });
    const role = new iam.Role(this, 'ChannelRole', {
      assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
      description: `${props.namePrefix} Slack channel: reads CloudWatch for alarm notifications`,
    });
    role.addToPrincipalPolicy(statement);
    const guardrail = new iam.ManagedPolicy(this, 'Guardrail', {
      description: `${props.namePrefix} Slack channel guardrail: CloudWatch read only`,
      statements: [statement],
    });
    for (const policy of [role.node.findChild('DefaultPolicy'), guardrail]) {
      for (const finding of [...CHAT_CHANNEL_ACTIONS.map((a) => `Action::${a}`), 'Resource::*']) {
        acknowledge(
          policy,
          `AwsSolutions-IAM5[${finding}]`,
          "AWS Chatbot's notification-permissions template: CloudWatch read actions for alarm details; they support no resource-level permissions.",
        );
      }
    }
    this.channel = new chatbot.SlackChannelConfiguration(this, 'Channel', {
      slackChannelConfigurationName: `${props.namePrefix}-alerts`,
      slackWorkspaceId: props.slack.workspaceId,
      slackChannelId: props.slack.channelId,
      notificationTopics: [...props.topics, this.chatTopic],
      role,
      guardrailPolicies: [guardrail],
      // Members act with the channel role, capped by the guardrail: no personal IAM roles to manage.
      userRoleRequired: false,
    });
  }
}
