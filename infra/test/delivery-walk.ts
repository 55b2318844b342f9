// Walks every notification path of a synthesized cloud assembly, from the publishers the templates declare to the
// policies that decide: CloudWatch alarm → AlarmActions/OKActions → SNS topic → AWS::SNS::TopicPolicy → the topic's
// KMS key policy; Budgets' SNS subscribers the same way (budgets.amazonaws.com); and every IAM policy that grants
// sns:Publish on a topic (Alertmanager's task role) → the topic policy and the key policy. Each request is evaluated
// with @cloud-copilot/iam-simulate (https://github.com/cloud-copilot/iam-simulate) as AWS evaluates it: a service
// principal needs an Allow in the resource policy (the topic policy replaces SNS's default one:
// https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html), a same-account role needs its identity
// policy, and KMS needs the key policy to allow the caller or the account
// (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
// Tokens are resolved to made-up but consistent ARNs: the walk checks the policies' logic, not the real ids.

import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON, read field by field.
type Json = any;

interface StackInfo {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly resources: Record<string, { Type: string; Properties?: Json }>;
  readonly outputs: Record<string, { Value: Json; Export?: { Name: Json } }>;
}

/** A CloudWatch alarm or composite alarm as synthesized. */
export interface AlarmInfo {
  readonly stack: string;
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly tags: Record<string, string>;
  /** AlarmActions, OKActions and InsufficientDataActions: empty when the alarm notifies nobody. */
  readonly actions: string[];
}

/** One request a publisher makes on the way to a topic's subscribers, and what the policies answer. */
export interface DeliveryCheck {
  readonly publisher: string;
  readonly action: string;
  readonly resource: string;
  readonly result: string;
}

const topicArn = (s: StackInfo, id: string) => `arn:aws:sns:${s.region}:${s.account}:${s.name}-${id}`;
const keyArn = (s: StackInfo, id: string) => `arn:aws:kms:${s.region}:${s.account}:key/${s.name}-${id}`;
const roleArn = (s: StackInfo, id: string) => `arn:aws:iam::${s.account}:role/${s.name}-${id}`;
const ARN_OF: Record<string, (s: StackInfo, id: string) => string> = {
  'AWS::SNS::Topic': topicArn,
  'AWS::KMS::Key': keyArn,
  'AWS::IAM::Role': roleArn,
};

export class DeliveryWalk {
  private readonly stacks: StackInfo[];
  private readonly exports = new Map<string, { stack: StackInfo; value: Json }>();

  constructor(assembly: CloudAssembly) {
    this.stacks = assembly.stacks.map((artifact) => ({
      name: artifact.stackName,
      account: artifact.environment.account,
      region: artifact.environment.region,
      resources: artifact.template.Resources ?? {},
      outputs: artifact.template.Outputs ?? {},
    }));
    for (const stack of this.stacks) {
      for (const output of Object.values(stack.outputs)) {
        if (output.Export) this.exports.set(this.resolve(stack, output.Export.Name), { stack, value: output.Value });
      }
    }
  }

  /** A template value with its intrinsic functions resolved in `stack`. */
  resolve(stack: StackInfo, value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value === null || typeof value !== 'object') return value;
    const [fn, arg]: [string?, Json?] = Object.entries(value)[0] ?? [];
    switch (fn) {
      case 'Ref':
        return this.ref(stack, arg);
      case 'Fn::GetAtt':
        return this.getAtt(stack, arg[0], arg[1]);
      case 'Fn::Join':
        return (this.resolve(stack, arg[1]) as string[]).join(arg[0]);
      case 'Fn::Select':
        return this.resolve(stack, arg[1])[Number(arg[0])];
      case 'Fn::Split':
        return String(this.resolve(stack, arg[1])).split(arg[0]);
      case 'Fn::ImportValue': {
        const name = this.resolve(stack, arg);
        const exported = this.exports.get(name);
        if (!exported) throw new Error(`no export named ${name}`);
        return this.resolve(exported.stack, exported.value);
      }
      case 'Fn::GetStackOutput': {
        const { StackName, OutputName } = this.resolve(stack, arg);
        const source = this.stacks.find((s) => s.name === StackName);
        const output = source?.outputs[OutputName];
        if (!source || !output) throw new Error(`no output ${StackName}.${OutputName}`);
        return this.resolve(source, output.Value);
      }
      default:
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(stack, v)]));
    }
  }

  private ref(stack: StackInfo, id: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': stack.account,
      'AWS::Region': stack.region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack.name,
    };
    if (pseudo[id]) return pseudo[id];
    const type = stack.resources[id]?.Type;
    if (type === 'AWS::SNS::Topic') return topicArn(stack, id);
    return `${stack.name}-${id}`;
  }

  private getAtt(stack: StackInfo, id: string, attribute: string): string {
    const type = stack.resources[id]?.Type ?? '';
    const arn = ARN_OF[type];
    if (arn && ['Arn', 'TopicArn'].includes(attribute)) return arn(stack, id);
    return `${stack.name}-${id}.${attribute}`;
  }

  /** Every topic of the assembly by ARN, with its policy documents and key policy. */
  private topics(): Map<string, { topicPolicy?: Json; keyArn?: string; keyPolicy?: Json }> {
    const topics = new Map<string, { topicPolicy?: Json; keyArn?: string; keyPolicy?: Json }>();
    const keys = new Map<string, Json>();
    for (const stack of this.stacks) {
      for (const [id, resource] of Object.entries(stack.resources)) {
        if (resource.Type === 'AWS::KMS::Key')
          keys.set(keyArn(stack, id), this.resolve(stack, resource.Properties?.KeyPolicy));
      }
    }
    for (const stack of this.stacks) {
      for (const [id, resource] of Object.entries(stack.resources)) {
        if (resource.Type !== 'AWS::SNS::Topic') continue;
        const topicKey = this.resolve(stack, resource.Properties?.KmsMasterKeyId);
        topics.set(topicArn(stack, id), { keyArn: topicKey, keyPolicy: topicKey && keys.get(topicKey) });
      }
      for (const resource of Object.values(stack.resources)) {
        if (resource.Type !== 'AWS::SNS::TopicPolicy') continue;
        for (const arn of this.resolve(stack, resource.Properties.Topics) as string[]) {
          const topic = topics.get(arn);
          if (topic) topic.topicPolicy = this.resolve(stack, resource.Properties.PolicyDocument);
        }
      }
    }
    return topics;
  }

  /** Every CloudWatch alarm and composite alarm of the assembly: its stack, name, ARN, tags and actions (resolved). */
  alarms(): AlarmInfo[] {
    const alarms: AlarmInfo[] = [];
    for (const stack of this.stacks) {
      for (const [id, resource] of Object.entries(stack.resources)) {
        if (resource.Type !== 'AWS::CloudWatch::Alarm' && resource.Type !== 'AWS::CloudWatch::CompositeAlarm') continue;
        const p = resource.Properties ?? {};
        const name = this.resolve(stack, p.AlarmName) ?? `${stack.name}-${id}`;
        const actions = [...(p.AlarmActions ?? []), ...(p.OKActions ?? []), ...(p.InsufficientDataActions ?? [])];
        const resolved = [...new Set(this.resolve(stack, actions) as string[])];
        for (const arn of resolved) {
          if (typeof arn !== 'string') throw new Error(`${name}: unresolved action ${JSON.stringify(arn)}`);
        }
        const tags = Object.fromEntries(
          ((p.Tags ?? []) as { Key: string; Value: Json }[]).map((t) => [t.Key, String(this.resolve(stack, t.Value))]),
        );
        alarms.push({
          stack: stack.name,
          name,
          arn: `arn:aws:cloudwatch:${stack.region}:${stack.account}:alarm:${name}`,
          account: stack.account,
          tags,
          actions: resolved,
        });
      }
    }
    return alarms;
  }

  /** Every publish request of every publisher the templates declare, evaluated (publish + the key's two actions). */
  async checks(): Promise<DeliveryCheck[]> {
    const topics = this.topics();
    const requests: {
      publisher: string;
      principal: string;
      topicArn: string;
      context: Record<string, string>;
      identityPolicies: { name: string; policy: Json }[];
    }[] = [];
    for (const alarm of this.alarms()) {
      for (const arn of alarm.actions) {
        if (!arn.startsWith('arn:aws:sns:')) continue;
        requests.push({
          publisher: `alarm ${alarm.name}`,
          principal: 'cloudwatch.amazonaws.com',
          topicArn: arn,
          context: { 'aws:SourceAccount': alarm.account, 'aws:SourceArn': alarm.arn },
          identityPolicies: [],
        });
      }
    }
    for (const stack of this.stacks) {
      for (const [id, resource] of Object.entries(stack.resources)) {
        const p = resource.Properties ?? {};
        if (resource.Type === 'AWS::Budgets::Budget') {
          for (const n of this.resolve(stack, p.NotificationsWithSubscribers ?? []) as Json[]) {
            for (const s of n.Subscribers ?? []) {
              if (s.SubscriptionType !== 'SNS') continue;
              requests.push({
                publisher: `budget ${p.Budget?.BudgetName ?? id}`,
                principal: 'budgets.amazonaws.com',
                topicArn: s.Address,
                context: {
                  'aws:SourceAccount': stack.account,
                  'aws:SourceArn': `arn:aws:budgets::${stack.account}:budget/${p.Budget?.BudgetName ?? id}`,
                },
                identityPolicies: [],
              });
            }
          }
        }
        if (resource.Type === 'AWS::IAM::Policy') {
          const document = this.resolve(stack, p.PolicyDocument);
          const published = (document.Statement as Json[])
            .filter((s) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => /^sns:Publish$/i.test(a)))
            .flatMap((s) => [s.Resource].flat() as string[])
            .filter((arn) => topics.has(arn));
          const roles = [p.Roles ?? []].flat().map((r: Json) => r.Ref as string);
          for (const roleId of roles) {
            // Every policy attached to the role counts (CDK may split a role's grants over several).
            const identityPolicies = Object.entries(stack.resources)
              .filter(
                ([, r]) =>
                  r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles ?? []).includes(`"${roleId}"`),
              )
              .map(([pid, r]) => ({ name: pid, policy: this.resolve(stack, r.Properties.PolicyDocument) }));
            for (const topicArn of published) {
              requests.push({
                publisher: `role ${stack.name}/${roleId}`,
                principal: roleArn(stack, roleId),
                topicArn,
                context: {},
                identityPolicies,
              });
            }
          }
        }
      }
    }

    const results: DeliveryCheck[] = [];
    for (const r of requests) {
      const topic = topics.get(r.topicArn);
      const account = r.topicArn.split(':')[4] ?? '';
      if (!topic) {
        results.push({ publisher: r.publisher, action: 'sns:Publish', resource: r.topicArn, result: 'NoSuchTopic' });
        continue;
      }
      const evaluate = async (action: string, resource: string, resourcePolicy: Json) => {
        const simulation = await runSimulation(
          {
            request: {
              action,
              principal: r.principal,
              resource: { accountId: account, resource },
              contextVariables: { ...r.context, 'aws:SecureTransport': 'true', 'aws:SourceOwner': account },
            },
            identityPolicies: r.identityPolicies,
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: resourcePolicy ?? { Version: '2012-10-17', Statement: [] },
          },
          {},
        );
        const result =
          simulation.resultType === 'single'
            ? simulation.overallResult
            : `error ${JSON.stringify((simulation as Json).errors)}`;
        results.push({ publisher: r.publisher, action, resource, result });
      };
      // No topic policy at all: SNS's default policy lets the owner account publish (only same-account roles).
      await evaluate('sns:Publish', r.topicArn, topic.topicPolicy ?? defaultTopicPolicy(r.topicArn, account));
      if (topic.keyArn) {
        for (const action of ['kms:GenerateDataKey', 'kms:Decrypt'])
          await evaluate(action, topic.keyArn, topic.keyPolicy);
      }
    }
    return results;
  }
}

/** SNS's default topic policy: the owner account may publish (sns-access-policy-use-cases.html). */
function defaultTopicPolicy(topicArn: string, account: string): Json {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: 'sns:Publish',
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': account } },
      },
    ],
  };
}
