// Small fixtures for construct tests: a fresh Stack with a VPC, an internal ALB with a listener and a log bucket,
// so a construct can be built alone with explicit props (no whole app, no other stacks).
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';

export const FIXTURE_ENV = { account: '123456789012', region: 'us-east-1' };

export function fixtureStack(): Stack {
  return new Stack(undefined, 'Fixture', { env: FIXTURE_ENV });
}

/** Two AZs, public and private-with-egress subnets, one NAT gateway: what the service constructs select. */
export function fixtureVpc(stack: Stack): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    ],
  });
}

export interface AlbFixture {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly logBucket: s3.Bucket;
}

/** fixtureVpc and an internal ALB listening on 80 (fixed 404 by default). */
export function albFixture(): AlbFixture {
  const stack = fixtureStack();
  const vpc = fixtureVpc(stack);
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
  const listener = alb.addListener('Http', {
    port: 80,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  const logBucket = new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED });
  return { stack, vpc, alb, listener, logBucket };
}
