// Alarm e-mails reach nobody until each address confirms its subscription from the link SNS mails it; until then SNS
// lists the subscription with the ARN "PendingConfirmation". Lists them (a pass: confirming is the recipients' part).
// https://docs.aws.amazon.com/sns/latest/api/API_ListSubscriptionsByTopic.html
// https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html
import { DescribeStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { paginateListSubscriptionsByTopic } from '@aws-sdk/client-sns';
import { names } from '../../config/names.ts';
import type { CheckContext } from '../context.ts';
import { type CheckResult, pass, skip } from '../result.ts';

export async function checkAlarmSubscriptions({ env, access }: CheckContext): Promise<CheckResult> {
  const check = 'alarm-subscriptions';
  const stack = names(env.name).serviceStack;
  let topics: string[];
  try {
    const out = await access.target.cloudformation.send(new DescribeStackResourcesCommand({ StackName: stack }));
    topics = (out.StackResources ?? [])
      .filter((r) => r.ResourceType === 'AWS::SNS::Topic' && r.PhysicalResourceId)
      .map((r) => r.PhysicalResourceId ?? '');
  } catch (error) {
    if (error instanceof Error && error.name === 'ValidationError') {
      return skip(
        check,
        `${stack} not deployed yet: each of ${env.alarms.emails.join(', ') || 'the addresses'} confirms after the first deploy`,
      );
    }
    throw error;
  }
  const pending: string[] = [];
  for (const topic of topics) {
    for await (const page of paginateListSubscriptionsByTopic({ client: access.target.sns }, { TopicArn: topic })) {
      for (const s of page.Subscriptions ?? [])
        if (s.SubscriptionArn === 'PendingConfirmation') pending.push(s.Endpoint ?? '?');
    }
  }
  return pass(
    check,
    pending.length > 0
      ? `pending confirmation (no alarm reaches them until each clicks the link AWS mailed): ${pending.join(', ')}`
      : 'every subscription of the alarm topic is confirmed',
  );
}
