import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { names } from '../config/names.ts';
import type { RdsConfig } from '../config/types.ts';
import { Alarms, addDatabaseAlarms } from '../lib/constructs/alarms.ts';
import { Database } from '../lib/constructs/database.ts';
import { envConfig, fixtureStack, fixtureVpc } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

/** The Database construct alone in a fresh Stack (VPC with isolated subnets), with an environment's rds config. */
function databaseFixture(env: string, rds: RdsConfig = envConfig(env).rds): { template: Template; database: Database } {
  const stack = fixtureStack();
  const database = new Database(stack, 'Database', {
    config: rds,
    vpc: fixtureVpc(stack, { isolated: true }),
    namePrefix: names(env).prefix,
  });
  return { database, template: Template.fromStack(stack) };
}
const data = (env: string) => databaseFixture(env).template;

// Whole app, built once for the tests of what the Service and Data stacks wire around the Database: the subnets
// from the Network stack, the ingress from the tasks, the task's connection settings and secrets, database 'none'.
let whole: ReturnType<typeof buildTestApp> | undefined;
const stacks = () => {
  whole ??= buildTestApp({ overrides: { staging: (c) => ({ ...c, database: 'none' }) } });
  return whole;
};
function appContainer(env: string): CfnProperties {
  const task = resourcesOf(template(stacks(), env, 'service'), 'AWS::ECS::TaskDefinition')[0];
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
    // The isolated subnets (the whole-app test below: taken from the Network stack).
    const subnetIds = resourcesOf(db, 'AWS::RDS::DBSubnetGroup')[0]?.[1].Properties.SubnetIds as { Ref: string }[];
    assert.equal(subnetIds.length, 2);
    for (const id of subnetIds) assert.match(id.Ref, /^VpcisolatedSubnet/);
  });

  it("rotates prod's master password with RDS's managed rotation on the rds.rotationDays schedule, no function", () => {
    const { template: db, database } = databaseFixture('prod');
    const days = envConfig('prod').rds.rotationDays;
    assert.ok(days, 'prod sets rds.rotationDays');
    const [instanceId, instance] = resourcesOf(db, 'AWS::RDS::DBInstance')[0] ?? [];
    assert.equal(instance?.Properties.ManageMasterUserPassword, true);
    assert.equal(instance?.Properties.MasterUsername, 'nodeapp');
    assert.equal(instance?.Properties.MasterUserPassword, undefined, 'no password in the template');
    // The AWS managed Secrets Manager key (no cross-stack key policy for the service's execution role).
    assert.equal(instance?.Properties.MasterUserSecret, undefined);
    // The secret is RDS's: nothing CDK generates, no rotation function, nested app or role of its own.
    db.resourceCountIs('AWS::SecretsManager::Secret', 0);
    db.resourceCountIs('AWS::Serverless::Application', 0);
    const ownRoles = resourcesOf(db, 'AWS::IAM::Role')
      .map(([id]) => id)
      .filter((id) => id.startsWith('Database'));
    assert.equal(ownRoles.length, 1);
    assert.match(ownRoles[0] ?? '', /^DatabaseInstanceMonitoringRole/, 'the Enhanced Monitoring role only');
    assert.equal(resourcesOf(db, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('Database')).length, 0);
    const managedSecret = { 'Fn::GetAtt': [instanceId, 'MasterUserSecret.SecretArn'] };
    assert.deepEqual(
      resourcesOf(db, 'AWS::SecretsManager::RotationSchedule').map(([, r]) => r.Properties),
      [{ SecretId: managedSecret, RotationRules: { AutomaticallyAfterDays: days }, RotateImmediatelyOnUpdate: false }],
    );
    // What the Service stack and the Data stack's output read.
    assert.deepEqual(Stack.of(database).resolve(database.secret.secretArn), managedSecret);
  });

  it('follows rds.rotationDays, not the environment name', () => {
    const db = databaseFixture('dev', { ...envConfig('dev').rds, rotationDays: 10 }).template;
    db.hasResourceProperties('AWS::RDS::DBInstance', { ManageMasterUserPassword: true });
    db.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      RotationRules: { AutomaticallyAfterDays: 10 },
    });
  });

  it('keeps non-production cheap and disposable (single AZ, no protection, no rotation)', () => {
    for (const env of ['dev', 'staging']) {
      const db = data(env);
      assert.equal(envConfig(env).rds.rotationDays, undefined, env);
      db.hasResourceProperties('AWS::RDS::DBInstance', {
        MultiAZ: false,
        DeletionProtection: false,
        ManageMasterUserPassword: Match.absent(),
      });
      // The secret CDK generates, attached to the instance, never rotated.
      db.resourceCountIs('AWS::SecretsManager::Secret', 1);
      db.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
    }
    data('dev').hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Delete' });
  });

  it('leaves a final snapshot of staging (config rds.finalSnapshot) and keeps its KMS key restorable', () => {
    const db = data('staging');
    db.hasResourceProperties('AWS::RDS::DBInstance', { DeletionProtection: false });
    db.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot', UpdateReplacePolicy: 'Snapshot' });
    db.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
  });

  it('follows rds.finalSnapshot, not the environment name', () => {
    const db = databaseFixture('dev', { ...envConfig('dev').rds, finalSnapshot: true }).template;
    db.hasResource('AWS::RDS::DBInstance', { DeletionPolicy: 'Snapshot' });
    db.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    data('dev').hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  // Whole app for the ingress: the Service stack creates it, so the Data stack never depends on the Service stack.
  it('admits 5432 only from the service tasks', () => {
    const [, sg] =
      resourcesOf(data('prod'), 'AWS::EC2::SecurityGroup').find(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('PostgreSQL'),
      ) ?? [];
    assert.equal(sg?.Properties.SecurityGroupIngress, undefined);
    const ingress = resourcesOf(template(stacks(), 'prod', 'service'), 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((p) => p.FromPort === 5432);
    assert.equal(ingress.length, 1);
    assert.match(ingress[0]?.SourceSecurityGroupId['Fn::GetAtt'][0], /^AppSecurityGroup/);
  });

  // Whole app: the Service stack turns the Database into the task's settings (databaseSettings).
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

  // Whole app: the database secret is imported from the Data stack.
  it('lets the execution role read only the database secret and the ADMIN_TOKEN secret', () => {
    const service = template(stacks(), 'prod', 'service');
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
    // addDatabaseAlarms on the Database alone and an Alarms construct, as the Service stack calls it.
    const config = envConfig('prod');
    const stack = fixtureStack();
    const vpc = fixtureVpc(stack, { isolated: true });
    const database = new Database(stack, 'Database', { config: config.rds, vpc, namePrefix: 'Nodeapp-prod' });
    const alarms = new Alarms(stack, 'Alarms', {
      config: config.alarms,
      namePrefix: 'Nodeapp-prod',
      retainData: false,
    });
    addDatabaseAlarms(alarms, database.instance, config.rds);
    const names = resourcesOf(Template.fromStack(stack), 'AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties.AlarmName,
    );
    for (const suffix of ['db-cpu-high', 'db-free-storage-low', 'db-free-memory-low', 'db-connections-high']) {
      assert.ok(names.includes(`Nodeapp-prod-${suffix}`), suffix);
    }
  });

  // Whole app: which stacks exist and what the Service stack passes without a database.
  it("with database 'none': no data stack, no RDS alarms, the embedded database on /tmp", () => {
    assert.equal(stacks().environments.get('staging')?.data, undefined);
    const service = template(stacks(), 'staging', 'service');
    service.resourceCountIs('AWS::RDS::DBInstance', 0);
    const names = resourcesOf(service, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName as string);
    assert.ok(names.every((n) => !n.includes('-db-')));
    const env = Object.fromEntries(
      (appContainer('staging').Environment as CfnProperties[]).map((e) => [e.Name, e.Value]),
    );
    assert.equal(env.DATA_DIR, '/tmp/data');
    assert.equal(env.DATABASE_HOST, undefined);
  });

  // Whole app: the DB subnet group takes the isolated subnets from the Network stack (stack outputs).
  it('takes the subnets from the Network stack (whole app)', () => {
    const stack = stacks().environments.get('prod')?.data;
    assert.ok(stack, 'prod has a data stack');
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBSubnetGroup', {
      SubnetIds: Match.arrayWith([Match.objectLike({ 'Fn::GetStackOutput': Match.anyValue() })]),
    });
  });
});
