import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../config/environments.ts';
import type { EgressStrategy } from '../config/types.ts';
import { Network } from '../lib/constructs/network.ts';
import { envConfig, fixtureConfig, fixtureStack } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

/** The Network construct alone in a fresh Stack, with the named environment's network config (and account/region). */
function networkTemplate(env: string): Template {
  const config = envConfig(env);
  const stack = fixtureStack({ account: config.account, region: config.region });
  new Network(stack, 'Network', { config: config.network, retainData: config.retainData });
  return Template.fromStack(stack);
}
const dev = networkTemplate('dev');
const staging = networkTemplate('staging');
const prod = networkTemplate('prod');

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

  // Public subnets here do not map public IPs on launch, so a NAT instance must ask for one itself
  // (https://github.com/aws/aws-cdk/issues/31711); a NAT gateway needs an Elastic IP allocation.
  // Construct test: the Network alone in a fresh Stack, with each environment's network config and each egress.
  for (const environment of fixtureConfig.environments) {
    it(`${environment.name}: every NAT (instance or gateway), with each egress strategy, has a public IPv4 address`, () => {
      for (const egress of ['nat-instance', 'single-nat', 'nat-per-az'] satisfies EgressStrategy[]) {
        const stack = fixtureStack({ account: environment.account, region: environment.region });
        new Network(stack, 'Network', { config: { ...environment.network, egress }, retainData: false });
        const t = Template.fromStack(stack);
        const subnets = new Map(resourcesOf(t, 'AWS::EC2::Subnet'));
        const instances = resourcesOf(t, 'AWS::EC2::Instance').map(([, r]) => r.Properties);
        const gateways = resourcesOf(t, 'AWS::EC2::NatGateway').map(([, r]) => r.Properties);
        const env = environment.name;
        assert.ok(instances.length + gateways.length > 0, `${env}/${egress}: some NAT`);
        for (const instance of instances) {
          const subnetId = (instance.SubnetId ?? instance.NetworkInterfaces?.[0]?.SubnetId)?.Ref as string;
          const mapsPublicIp = subnets.get(subnetId)?.Properties.MapPublicIpOnLaunch === true;
          const asksForOne = (instance.NetworkInterfaces as CfnProperties[] | undefined)?.some(
            (n) => n.DeviceIndex === '0' && n.AssociatePublicIpAddress === true,
          );
          assert.ok(mapsPublicIp || asksForOne, `${env}/${egress}: NAT instance without a public IP`);
        }
        for (const gateway of gateways) assert.ok(gateway.AllocationId, `${env}/${egress}: NAT gateway without EIP`);
      }
    });
  }

  // Whole app: the AZ pins are context the app sets before it creates any stack (lib/app.ts), not the construct's.
  it('synthesizes for real accounts absent from cdk.json, also when two environments share one (AZs pinned first)', () => {
    const shared = { NODEAPP_ACCOUNT_DEV: '333333333333', NODEAPP_ACCOUNT_STAGING: '444444444444' };
    const built = buildTestApp({ config: loadConfig({ ...shared, NODEAPP_ACCOUNT_PROD: '444444444444' }) });
    assert.deepEqual(built.app.node.tryGetContext('availability-zones:account=444444444444:region=us-east-1'), [
      'us-east-1a',
      'us-east-1b',
      'us-east-1c',
    ]);
    const prodSubnets = resourcesOf(template(built, 'prod', 'network'), 'AWS::EC2::Subnet');
    assert.equal(new Set(prodSubnets.map(([, r]) => r.Properties.AvailabilityZone)).size, 3);
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
