// The estimator: every billable resource of one environment's synthesized templates -> priced monthly lines.
import type { Usage } from './assumptions.ts';
import { computeLines } from './extract/compute.ts';
import { dataLines } from './extract/data.ts';
import { networkLines } from './extract/network.ts';
import { observabilityLines } from './extract/observability.ts';
import { serviceProfiles } from './extract/services.ts';
import { type Context, cents, type LineItem } from './model.ts';
import type { PriceTable } from './price-table.ts';
import { type Found, Inventory, type StackTemplate } from './template.ts';

export interface Estimate {
  env: string;
  region: string;
  stacks: string[];
  lines: LineItem[];
  /** Sum of the lines' rounded monthly costs. */
  total: number;
  usage: Usage;
  spotDiscount: number;
  pricesAsOf: string;
  /** Resource types present but not priced (neither free nor known): a reviewer should look at these. */
  unpriced: string[];
  notes: string[];
}

/** Types that cost nothing by themselves, or whose cost is carried by another resource's line. */
const FREE_OR_CARRIED = [
  /^AWS::IAM::/,
  /^AWS::EC2::(VPC|Subnet|RouteTable|Route|SubnetRouteTableAssociation|InternetGateway|VPCGatewayAttachment)$/,
  /^AWS::EC2::(SecurityGroup|SecurityGroupIngress|SecurityGroupEgress|NetworkAcl\w*|LaunchTemplate|PrefixList)$/,
  /^AWS::EC2::(VPCCidrBlock|EgressOnlyInternetGateway|KeyPair)$/,
  /^AWS::ECS::(Cluster|TaskDefinition|ClusterCapacityProviderAssociations|CapacityProvider)$/,
  /^AWS::ApplicationAutoScaling::/,
  /^AWS::AutoScaling::(LifecycleHook|ScalingPolicy|ScheduledAction|WarmPool)$/,
  /^AWS::ElasticLoadBalancingV2::(Listener|ListenerRule|ListenerCertificate|TargetGroup)$/,
  /^AWS::CloudFront::(OriginAccessControl|ResponseHeadersPolicy|CachePolicy|OriginRequestPolicy|VpcOrigin|Function)$/,
  /^AWS::S3::BucketPolicy$/,
  /^AWS::KMS::Alias$/,
  /^AWS::SNS::(Topic|Subscription|TopicPolicy)$/,
  /^AWS::Lambda::(Function|Permission|LayerVersion|Version|Alias)$/,
  /^AWS::SecretsManager::(SecretTargetAttachment|RotationSchedule|ResourcePolicy)$/,
  /^AWS::SSM::Parameter$/,
  /^AWS::CertificateManager::Certificate$/,
  /^AWS::Route53::(RecordSet|RecordSetGroup)$/,
  /^AWS::ECR::(RepositoryPolicy|RegistryPolicy|ReplicationConfiguration)$/,
  /^AWS::Events::Rule$/,
  /^AWS::Logs::(MetricFilter|SubscriptionFilter|ResourcePolicy)$/,
  /^AWS::CDK::Metadata$/,
  /^Custom::/,
  /^AWS::CloudFormation::(CustomResource|WaitCondition|WaitConditionHandle)$/,
];

export function estimateEnvironment(env: string, stacks: StackTemplate[], prices: PriceTable, usage: Usage): Estimate {
  const inv = new Inventory(stacks);
  const lines: LineItem[] = [];
  const notes: string[] = [];
  const done = new Set<string>();
  const mark = (resources: Found[]): void => {
    for (const r of resources) done.add(`${r.stack.name}/${r.id}`);
  };
  const ctx: Context = {
    inv,
    prices,
    usage,
    add: (line, resources) => {
      lines.push({ ...line, monthly: cents(line.quantity * line.unitPrice) });
      mark(resources);
    },
    covered: mark,
    note: (text) => notes.push(text),
  };

  const profiles = serviceProfiles(inv);
  computeLines(ctx, profiles);
  networkLines(ctx);
  dataLines(ctx);
  observabilityLines(ctx, profiles);

  const unpriced = [
    ...new Set(
      inv.all
        .filter((r) => !done.has(`${r.stack.name}/${r.id}`) && !FREE_OR_CARRIED.some((re) => re.test(r.type)))
        .map((r) => r.type),
    ),
  ].sort();
  const total = cents(lines.reduce((sum, l) => sum + l.monthly, 0));
  return {
    env,
    region: prices.region,
    stacks: stacks.map((s) => s.name),
    lines,
    total,
    usage,
    spotDiscount: prices.spotDiscount,
    pricesAsOf: prices.asOf,
    unpriced,
    notes,
  };
}
