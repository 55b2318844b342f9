import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

const stacks = buildTestApp({ overrides: { staging: (c) => ({ ...c, database: 'none' }) } });
const data = (env: string) => {
  const stack = stacks.environments.get(env)?.data;
  assert.ok(stack, `${env} has a data stack`);
  return Template.fromStack(stack);
};
function appContainer(env: string): CfnProperties {
  const task = resourcesOf(template(stacks, env, 'service'), 'AWS::ECS::TaskDefinition')[0];
  assert.ok(task);
  return (task[1].Properties.ContainerDefinitions as CfnProperties[]).find((c) => c.Name === 'app') ?? {};
}

describe('RDS PostgreSQL', () => {
  it('runs PostgreSQL 18 in isolated subnets with KMS storage, TLS forced and minor upgrades', () => {
    const db = data('prod');
    db.hasResourceProperties('AWS::RDS::DBInstance', {
      Engine: 'postgres',
      EngineVersion: Match.stringLikeRegexp('^18'),
      StorageEncrypted: true,
      KmsKeyId: Match.anyValue(),
      AutoMinorVersionUpgrade: true,
      PubliclyAccessible: false,
      MultiAZ: true,
      DeletionProtection: true,
      BackupRetentionPeriod: 14,
      EnablePerformanceInsights: true,
      MonitoringInterval: 60,
    });
    db.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' });
    db.hasResourceProperties('AWS::RDS::DBParameterGroup', { Parameters: { 'rds.force_ssl': '1' } });
    db.hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: Match.arrayWith([Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() })]),
    });
    db.resourceCountIs('AWS::SecretsManager::RotationSchedule', 1);
    // The hosted rotation function runs in the private (egress) subnets so it can reach Secrets Manager.
    const rotation = resourcesOf(db, 'AWS::Serverless::Application')[0]?.[1].Properties.Parameters;
    assert.match(JSON.stringify(rotation?.vpcSubnetIds), /privateSubnet/);
    assert.doesNotMatch(JSON.stringify(rotation?.vpcSubnetIds), /isolatedSubnet/);
  });

  it('keeps non-production cheap and disposable (single AZ, no protection, no rotation)', () => {
    const db = data('dev');
    db.hasResourceProperties('AWS::RDS::DBInstance', { MultiAZ: false, DeletionProtection: false });
    db.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete' });
    db.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('leaves a final snapshot of staging (config rds.finalSnapshot) and keeps its KMS key restorable', () => {
    const staging = buildTestApp({ env: 'staging' }).environments.get('staging')?.data;
    assert.ok(staging);
    const db = Template.fromStack(staging);
    db.hasResourceProperties('AWS::RDS::DBInstance', { DeletionProtection: false });
    db.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    db.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('follows rds.finalSnapshot, not the environment name', () => {
    const built = buildTestApp({
      env: 'dev',
      overrides: { dev: (c) => ({ ...c, rds: { ...c.rds, finalSnapshot: true } }) },
    });
    const db = Template.fromStack(built.environments.get('dev')?.data as Stack);
    db.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' });
    db.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    data('dev').hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  it('admits 5432 only from the service tasks', () => {
    const [, sg] =
      resourcesOf(data('prod'), 'AWS::EC2::SecurityGroup').find(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('PostgreSQL'),
      ) ?? [];
    assert.equal(sg?.Properties.SecurityGroupIngress, undefined);
    const ingress = resourcesOf(template(stacks, 'prod', 'service'), 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((p) => p.FromPort === 5432);
    assert.equal(ingress.length, 1);
    assert.match(ingress[0]?.SourceSecurityGroupId['Fn::GetAtt'][0], /^AppSecurityGroup/);
  });

  it('gives the task the connection as environment plus ECS secrets, TLS verify-full, no password in plain text', () => {
    const c = appContainer('prod');
    const env = Object.fromEntries((c.Environment as CfnProperties[]).map((e) => [e.Name, e.Value]));
    assert.equal(env.DATABASE_SSL, 'verify-full');
    assert.equal(env.DATABASE_PORT, '5432');
    assert.equal(env.DATABASE_NAME, 'nodeapp');
    assert.ok(env.DATABASE_HOST);
    assert.equal(env.DATABASE_PASSWORD, undefined);
    assert.equal(env.DATA_DIR, undefined);
    const secrets = Object.fromEntries(
      (c.Secrets as CfnProperties[]).map((s) => [s.Name, JSON.stringify(s.ValueFrom)]),
    );
    assert.match(secrets.DATABASE_PASSWORD ?? '', /:password::/);
    assert.match(secrets.DATABASE_USER ?? '', /:username::/);
  });

  it('lets the execution role read only the database secret and the ADMIN_TOKEN secret', () => {
    const service = template(stacks, 'prod', 'service');
    const td = resourcesOf(service, 'AWS::ECS::TaskDefinition')[0]?.[1].Properties;
    const roleId = td?.ExecutionRoleArn['Fn::GetAtt'][0];
    const statements = resourcesOf(service, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as CfnProperties[]);
    const secretReads = statements.filter((st) => [st.Action].flat().includes('secretsmanager:GetSecretValue'));
    const resources = secretReads.flatMap((st) => [st.Resource].flat()).map((r) => JSON.stringify(r));
    assert.equal(resources.length, 2);
    assert.ok(
      resources.some((r) => r.includes('Nodeapp-prod-Data')),
      'the RDS secret (imported from the data stack)',
    );
    assert.ok(
      resources.some((r) => r.includes('TaskAdminToken')),
      'the ADMIN_TOKEN secret',
    );
    assert.ok(resources.every((r) => !r.includes('"*"')));
  });

  it("alarms on the database's CPU, free storage, free memory and connections", () => {
    const names = resourcesOf(template(stacks, 'prod', 'service'), 'AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties.AlarmName,
    );
    for (const suffix of ['db-cpu-high', 'db-free-storage-low', 'db-free-memory-low', 'db-connections-high']) {
      assert.ok(names.includes(`Nodeapp-prod-${suffix}`), suffix);
    }
  });

  it("with database 'none': no data stack, no RDS alarms, the embedded database on /tmp", () => {
    assert.equal(stacks.environments.get('staging')?.data, undefined);
    const service = template(stacks, 'staging', 'service');
    service.resourceCountIs('AWS::RDS::DBInstance', 0);
    const names = resourcesOf(service, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName as string);
    assert.ok(names.every((n) => !n.includes('-db-')));
    const env = Object.fromEntries(
      (appContainer('staging').Environment as CfnProperties[]).map((e) => [e.Name, e.Value]),
    );
    assert.equal(env.DATA_DIR, '/tmp/data');
    assert.equal(env.DATABASE_HOST, undefined);
  });
});
