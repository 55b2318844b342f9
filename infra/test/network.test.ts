import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, resourcesOf, template } from './helpers.ts';

const stacks = buildTestApp();
const dev = template(stacks, 'dev', 'network');
const staging = template(stacks, 'staging', 'network');
const prod = template(stacks, 'prod', 'network');

describe('network', () => {
  it('spreads public, private and isolated subnets over 2 AZs (3 in prod)', () => {
    dev.resourceCountIs('AWS::EC2::Subnet', 6);
    prod.resourceCountIs('AWS::EC2::Subnet', 9);
    const azs = new Set(resourcesOf(prod, 'AWS::EC2::Subnet').map(([, r]) => r.Properties.AvailabilityZone));
    assert.deepEqual([...azs].sort(), ['us-east-1a', 'us-east-1b', 'us-east-1c']);
    for (const t of [dev, prod]) {
      t.resourceCountIs('AWS::EC2::InternetGateway', 1);
      const names = resourcesOf(t, 'AWS::EC2::Subnet').map(
        ([, r]) => r.Properties.Tags.find((tag: { Key: string }) => tag.Key === 'aws-cdk:subnet-name')?.Value,
      );
      assert.deepEqual([...new Set(names)].sort(), ['isolated', 'private', 'public']);
    }
  });

  it('egress: a NAT gateway per AZ in prod, one in staging, a NAT instance in dev', () => {
    prod.resourceCountIs('AWS::EC2::NatGateway', 3);
    staging.resourceCountIs('AWS::EC2::NatGateway', 1);
    dev.resourceCountIs('AWS::EC2::NatGateway', 0);
    dev.resourceCountIs('AWS::EC2::Instance', 1);
    dev.hasResourceProperties('AWS::EC2::Instance', {
      InstanceType: 't4g.nano',
      SourceDestCheck: false,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { Encrypted: true } }],
    });
    prod.resourceCountIs('AWS::EC2::Instance', 0);
  });

  it('has an S3 gateway endpoint in every environment', () => {
    for (const t of [dev, staging, prod]) {
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.s3'])]) }),
      });
    }
  });

  it('sends flow logs of all traffic to a KMS-encrypted log group with the configured retention', () => {
    dev.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
    const groups = resourcesOf(prod, 'AWS::Logs::LogGroup');
    assert.equal(groups.length, 1);
    assert.equal(groups[0]?.[1].Properties.RetentionInDays, 365);
    assert.ok(groups[0]?.[1].Properties.KmsKeyId, 'flow log group is KMS-encrypted');
    prod.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    assert.equal(resourcesOf(dev, 'AWS::Logs::LogGroup')[0]?.[1].Properties.RetentionInDays, 7);
  });

  it('creates the nodeapp.internal private DNS namespace for service discovery', () => {
    prod.hasResourceProperties('AWS::ServiceDiscovery::PrivateDnsNamespace', { Name: 'nodeapp.internal' });
  });

  it('lets the NAT instance accept traffic from the VPC only', () => {
    const ingress = resourcesOf(dev, 'AWS::EC2::SecurityGroup').flatMap(
      ([, r]) => (r.Properties.SecurityGroupIngress ?? []) as { CidrIp?: string }[],
    );
    assert.ok(ingress.length > 0);
    for (const rule of ingress) assert.equal(rule.CidrIp, '10.10.0.0/16');
  });
});
