// The preflight checks what the stacks need; these tests read the needs off the synthesized templates, so a change
// in a construct (NAT instance type, PostgreSQL major, a new service-linked role user) fails here until the
// preflight's requirements follow.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import {
  bootstrapRequirement,
  ec2InstanceTypes,
  NAT_INSTANCE_TYPE,
  RDS_ENGINE,
  RDS_ENGINE_MAJOR,
  rdsInstanceClass,
  serviceLinkedRoles,
} from '../../preflight/requirements.ts';
import { buildTestApp, resourcesOf, template } from '../helpers.ts';

const stacks = buildTestApp({ env: 'dev' });
const dev = stacks.environments.get('dev');
const data = dev?.data;
assert.ok(dev && data, 'dev has a Data stack');
const devConfig = dev.config;

test("the NAT instance's type is the one the preflight looks for in each zone", () => {
  const instances = resourcesOf(template(stacks, 'dev', 'network'), 'AWS::EC2::Instance');
  assert.ok(instances.length > 0, 'dev has a NAT instance');
  for (const [, nat] of instances) assert.equal(nat.Properties.InstanceType, NAT_INSTANCE_TYPE);
  assert.deepEqual(ec2InstanceTypes(devConfig), [NAT_INSTANCE_TYPE]);
});

test("the RDS instance's engine, major version and class are the ones the preflight orders", () => {
  const [[, db] = ['', { Properties: {} }]] = resourcesOf(Template.fromStack(data), 'AWS::RDS::DBInstance');
  assert.equal(db.Properties.Engine, RDS_ENGINE);
  assert.equal(String(db.Properties.EngineVersion).split('.')[0], RDS_ENGINE_MAJOR);
  assert.equal(db.Properties.DBInstanceClass, rdsInstanceClass(devConfig));
});

test('the service-linked roles the preflight requires are used by the templates', () => {
  const service = template(stacks, 'dev', 'service');
  const names = serviceLinkedRoles(devConfig).map((r) => r.roleName);
  const [[, target] = ['', { Properties: {} }]] = resourcesOf(service, 'AWS::ApplicationAutoScaling::ScalableTarget');
  assert.match(JSON.stringify(target.Properties.RoleARN), /AWSServiceRoleForApplicationAutoScaling_ECSService/);
  assert.ok(names.includes('AWSServiceRoleForApplicationAutoScaling_ECSService'));
  assert.ok(resourcesOf(service, 'AWS::CloudFront::VpcOrigin').length > 0);
  assert.ok(names.includes('AWSServiceRoleForCloudFrontVPCOrigin'));
  assert.ok(names.includes('AWSServiceRoleForRDS'), 'dev has RDS');
});

test("the bootstrap version required is at least what every synthesized stack's deploy and lookup roles need", () => {
  const assembly = stacks.app.synth();
  const { parameterName, minimumVersion } = bootstrapRequirement('hnb659fds', 'us-east-1');
  for (const artifact of assembly.stacks) {
    assert.equal(artifact.bootstrapStackVersionSsmParameter, parameterName);
    assert.ok((artifact.requiresBootstrapStackVersion ?? 0) <= minimumVersion, artifact.stackName);
    assert.ok((artifact.lookupRole?.requiresBootstrapStackVersion ?? 0) <= minimumVersion, artifact.stackName);
  }
});
