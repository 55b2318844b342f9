import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on one construct (and what it contains). `id` is the exact finding,
 * e.g. `AwsSolutions-IAM5[Resource::*]`; never called on a whole stack. infra/README.md lists them all.
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/**
 * The Lambda-backed provider CDK adds once per stack for `restrictDefaultSecurityGroup` (it strips the
 * default security group's rules). Its role uses the AWS managed basic-execution policy and its runtime is
 * chosen by CDK, not by us.
 */
export function acknowledgeCdkProvider(stack: Stack, providerId: string, what: string): void {
  const provider = stack.node.tryFindChild(providerId);
  if (!provider) return;
  acknowledge(
    provider,
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    `${what}: CDK-managed provider; the AWS managed policy only grants writing its own logs.`,
  );
  acknowledge(provider, 'AwsSolutions-L1', `${what}: CDK-managed provider whose runtime is pinned by aws-cdk-lib.`);
}

/** How cdk-nag renders a reference to `construct`'s L1 resource in finding ids: `<LogicalId>`. */
export function nagRef(construct: IConstruct): string {
  return `<${Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement)}>`;
}

/**
 * The singleton Lambda behind BucketDeployment (copies the service's static site into the bucket, invalidates
 * CloudFront).
 * Its wildcards are CDK's grants: read the asset from the bootstrap bucket, sync (list/put/delete) the
 * site bucket's objects, create invalidations (CloudFront has no per-distribution invalidation ARN here).
 */
export function acknowledgeBucketDeployment(stack: Stack, siteBucket: IConstruct, qualifier: string): void {
  const assets = `arn:aws:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}/*`;
  const site = `<${stack.getLogicalId(siteBucket.node.defaultChild as CfnElement)}.Arn>/*`;
  for (const child of stack.node.children) {
    if (!child.node.id.startsWith('Custom::CDKBucketDeployment')) continue;
    acknowledge(
      child,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      'BucketDeployment (CDK): the AWS managed policy only lets the function write its own logs.',
    );
    acknowledge(child, 'AwsSolutions-L1', 'BucketDeployment (CDK): the runtime is pinned by aws-cdk-lib.');
    const why = "BucketDeployment (CDK grant): syncs the service's static site into the one site bucket";
    for (const action of ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*']) {
      acknowledge(child, `AwsSolutions-IAM5[Action::${action}]`, `${why}; CDK grants the action family.`);
    }
    acknowledge(child, `AwsSolutions-IAM5[Resource::${site}]`, `${why}: every object of that bucket.`);
    acknowledge(
      child,
      `AwsSolutions-IAM5[Resource::${assets}]`,
      `${why}: reads the zipped asset from the CDK bootstrap bucket.`,
    );
    acknowledge(
      child,
      'AwsSolutions-IAM5[Resource::*]',
      'BucketDeployment (CDK grant): cloudfront:CreateInvalidation/GetInvalidation to invalidate the distribution after a deploy.',
    );
  }
}

export interface AcknowledgedFinding {
  /** Construct path, e.g. Nodeapp-prod-Service/Task/ExecutionRole/DefaultPolicy. */
  readonly path: string;
  /** Qualified finding id, e.g. AwsSolutions::AwsSolutions-IAM5[Resource::*]. */
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement recorded in the construct tree (for the README list and the tests). */
export function listAcknowledgements(root: IConstruct): AcknowledgedFinding[] {
  const found: AcknowledgedFinding[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id, reason });
      }
    }
  }
  return found;
}
