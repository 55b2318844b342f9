import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { envConfig, serviceFixture } from './fixtures.ts';
import { type CfnProperties, resourcesOf } from './helpers.ts';

// ECS Exec is the Cluster (key, session log group), the task definition (writable agent paths) and AppService
// (enableExecuteCommand, the task role's grants): built together by serviceFixture with each environment's config.
const templates = new Map(
  ['dev', 'staging', 'prod'].map((env) => [env, Template.fromStack(serviceFixture(envConfig(env)).stack)]),
);
function template(env: string): Template {
  return templates.get(env) ?? assert.fail(env);
}

function taskRoleStatements(env: string): CfnProperties[] {
  const t = template(env);
  const td = resourcesOf(t, 'AWS::ECS::TaskDefinition')[0]?.[1].Properties;
  const roleId = td?.TaskRoleArn['Fn::GetAtt'][0];
  return resourcesOf(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('ECS Exec', () => {
  it('gives the task role exactly the SSM messages channel permissions, session-key decrypt and session logs', () => {
    const statements = taskRoleStatements('dev');
    // The only statement on Resource "*": actions without resource-level permissions.
    const wildcard = statements.filter((s) => s.Resource === '*');
    assert.equal(wildcard.length, 1);
    assert.deepEqual([wildcard[0]?.Action].flat().sort(), [
      'logs:DescribeLogGroups',
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
    ]);
    const actions = statements.flatMap((s) => [s.Action].flat());
    assert.ok(actions.includes('kms:Decrypt'), 'decrypts with the exec session key');
    assert.ok(actions.includes('logs:PutLogEvents'), 'writes session logs');
    for (const a of actions) assert.match(a, /^(ssmmessages|kms|logs):/);
  });

  it('gives the exec agent writable paths wherever exec is on with a read-only root filesystem', () => {
    const exec = ['/managed-agents', '/var/lib/amazon/ssm', '/var/log/amazon/ssm'];
    for (const env of ['dev', 'staging', 'prod']) {
      const t = template(env);
      const service = resourcesOf(t, 'AWS::ECS::Service')[0]?.[1].Properties;
      const td = resourcesOf(t, 'AWS::ECS::TaskDefinition')[0]?.[1].Properties ?? {};
      const app = (td.ContainerDefinitions as CfnProperties[]).find((c) => c.Name === 'app') ?? {};
      const mounts = (app.MountPoints ?? []) as CfnProperties[];
      const writable = new Set(mounts.filter((m) => m.ReadOnly === false).map((m) => m.ContainerPath));
      assert.equal(app.ReadonlyRootFilesystem, true, `${env}: root stays read-only`);
      for (const path of exec) {
        assert.equal(writable.has(path), service?.EnableExecuteCommand === true, `${env}: ${path} writable iff exec`);
      }
      const volumes = new Set((td.Volumes as CfnProperties[]).map((v) => v.Name));
      for (const m of mounts) assert.ok(volumes.has(m.SourceVolume), m.SourceVolume);
    }
  });

  it('is off in prod: no exec permissions, no enableExecuteCommand', () => {
    assert.deepEqual(taskRoleStatements('prod'), []);
    const service = resourcesOf(template('prod'), 'AWS::ECS::Service')[0]?.[1].Properties;
    assert.notEqual(service?.EnableExecuteCommand, true);
  });
});
