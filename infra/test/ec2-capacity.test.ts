import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { envConfig, serviceFixture } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

// Ec2Capacity with prod's ec2 config, the cluster it serves and AppService/task definition on it (serviceFixture).
const prod = Template.fromStack(serviceFixture({ ...envConfig('prod'), capacity: 'ec2' }).stack);

function launchTemplateData(): CfnProperties {
  const lt = resourcesOf(prod, 'AWS::EC2::LaunchTemplate')[0];
  assert.ok(lt, 'a launch template');
  return lt[1].Properties.LaunchTemplateData;
}

describe("EC2 launch type option (capacity: 'ec2')", () => {
  it('uses the ECS-optimized AL2023 AMI from its public SSM parameter (resolved at deploy, no lookup)', () => {
    const imageId = launchTemplateData().ImageId.Ref as string;
    const parameter = prod.toJSON().Parameters[imageId];
    assert.equal(parameter.Type, 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>');
    assert.equal(parameter.Default, '/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id');
  });

  it('requires IMDSv2, encrypts the root volume and has no key pair or inbound rule (Session Manager)', () => {
    const data = launchTemplateData();
    assert.equal(data.MetadataOptions.HttpTokens, 'required');
    assert.equal(data.BlockDeviceMappings[0].Ebs.Encrypted, true);
    assert.equal(data.KeyName, undefined);
    const [, sg] =
      resourcesOf(prod, 'AWS::EC2::SecurityGroup').find(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('ECS container instances'),
      ) ?? [];
    assert.equal(sg?.Properties.SecurityGroupIngress, undefined);
    const sgId = data.SecurityGroupIds[0]['Fn::GetAtt'][0];
    const ingress = resourcesOf(prod, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => r.Properties.GroupId['Fn::GetAtt']?.[0] === sgId,
    );
    assert.deepEqual(ingress, []);
    prod.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })],
      }),
      ManagedPolicyArns: [
        Match.objectLike({
          'Fn::Join': Match.arrayWith([Match.arrayWith([':iam::aws:policy/AmazonSSMManagedInstanceCore'])]),
        }),
      ],
    });
  });

  it('registers the Auto Scaling group as a capacity provider with managed scaling and termination protection', () => {
    prod.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '3',
      MaxSize: '8',
      NewInstancesProtectedFromScaleIn: true,
    });
    prod.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({
        ManagedScaling: Match.objectLike({ Status: 'ENABLED' }),
        ManagedTerminationProtection: 'ENABLED',
      }),
    });
  });

  it('runs the service on that capacity provider with an EC2 (awsvpc) task definition', () => {
    const service = resourcesOf(prod, 'AWS::ECS::Service')[0]?.[1].Properties ?? {};
    const provider = resourcesOf(prod, 'AWS::ECS::CapacityProvider')[0]?.[0];
    assert.deepEqual(service.CapacityProviderStrategy, [{ CapacityProvider: { Ref: provider }, Weight: 1 }]);
    prod.hasResourceProperties('AWS::ECS::TaskDefinition', {
      RequiresCompatibilities: ['EC2'],
      NetworkMode: 'awsvpc',
    });
  });

  // Whole app (prod only): whether the capacity exists is the Service stack's choice from config capacity.
  it('is absent on the default Fargate capacity', () => {
    const fargate = template(buildTestApp({ env: 'prod' }), 'prod', 'service');
    fargate.resourceCountIs('AWS::EC2::LaunchTemplate', 0);
    fargate.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
    fargate.hasResourceProperties('AWS::ECS::TaskDefinition', { RequiresCompatibilities: ['FARGATE'] });
  });
});
