import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

const APP_DIGEST = `sha256:${'ab'.repeat(32)}`;
const stacks = buildTestApp({ context: { imageTag: 'abc1234', appImageDigest: APP_DIGEST } });
const dev = template(stacks, 'dev', 'service');
const prod = template(stacks, 'prod', 'service');

function taskDef(t: typeof dev): CfnProperties {
  return resourcesOf(t, 'AWS::ECS::TaskDefinition')[0]?.[1].Properties ?? {};
}
function app(t: typeof dev): CfnProperties {
  return (taskDef(t).ContainerDefinitions as CfnProperties[]).find((c) => c.Name === 'app') ?? {};
}
function policyStatements(t: typeof dev, roleId: string): CfnProperties[] {
  return resourcesOf(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

describe('task definition', () => {
  it('sizes the task and picks the CPU architecture from config', () => {
    assert.deepEqual([taskDef(dev).Cpu, taskDef(dev).Memory], ['256', '512']);
    assert.deepEqual([taskDef(prod).Cpu, taskDef(prod).Memory], ['1024', '2048']);
    assert.equal(taskDef(dev).RuntimePlatform.CpuArchitecture, 'ARM64');
  });

  it('runs the image by the digest given in -c appImageDigest, from the shared ECR repository', () => {
    const image = JSON.stringify(app(prod).Image);
    assert.match(image, /111111111111\.dkr\.ecr\.us-east-1\./);
    assert.ok(image.includes(`/nodeapp@${APP_DIGEST}`), image);
    assert.doesNotMatch(image, /nodeapp:abc1234/, 'the tag is only the version label');
  });

  it('builds no image during cdk deploy: no Docker asset in any environment', () => {
    for (const env of ['dev', 'staging', 'prod']) {
      const assembly = stacks.app.synth();
      const service = stacks.environments.get(env)?.service;
      const artifact = assembly.getStackArtifact(service?.artifactId ?? '');
      assert.deepEqual(
        artifact.assets.filter((a) => a.packaging === 'container-image'),
        [],
        `${env}: a container-image asset would be built by the deploying runner`,
      );
    }
  });

  it('hardens the container: read-only root with writable /tmp, non-root, all capabilities dropped, init', () => {
    const c = app(prod);
    assert.equal(c.ReadonlyRootFilesystem, true);
    assert.deepEqual(c.MountPoints, [{ ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false }]);
    assert.deepEqual(taskDef(prod).Volumes, [{ Name: 'tmp' }]);
    assert.equal(c.User, '1000:1000');
    assert.deepEqual(c.LinuxParameters.Capabilities.Drop, ['ALL']);
    assert.equal(c.LinuxParameters.Capabilities.Add, undefined, 'no SYS_PTRACE without debug');
    assert.equal(c.LinuxParameters.InitProcessEnabled, true);
    assert.equal(c.StopTimeout, 30);
  });

  it('adds SYS_PTRACE only when config debug is on (dev)', () => {
    assert.deepEqual(app(dev).LinuxParameters.Capabilities.Add, ['SYS_PTRACE']);
  });

  it("checks health with the image's node script and maps the app and metrics ports", () => {
    const c = app(prod);
    assert.deepEqual(c.HealthCheck.Command, ['CMD', 'node', 'dist/healthcheck.js']);
    assert.deepEqual(
      (c.PortMappings as CfnProperties[]).map((p) => p.ContainerPort),
      [3000, 9464],
    );
  });

  it('logs through awslogs in non-blocking mode to a KMS-encrypted group with the configured retention', () => {
    const log = app(prod).LogConfiguration;
    assert.equal(log.LogDriver, 'awslogs');
    assert.equal(log.Options.mode, 'non-blocking');
    prod.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/nodeapp/prod/app', RetentionInDays: 365 });
    const [, group] =
      resourcesOf(prod, 'AWS::Logs::LogGroup').find(([, g]) => g.Properties.LogGroupName === '/nodeapp/prod/app') ?? [];
    assert.ok(group?.Properties.KmsKeyId);
  });

  it('injects ADMIN_TOKEN as an ECS secret from a generated Secrets Manager secret, never as plain environment', () => {
    const c = app(prod);
    const secret = (c.Secrets as CfnProperties[]).find((s) => s.Name === 'ADMIN_TOKEN');
    assert.ok(secret?.ValueFrom.Ref, 'references the secret');
    prod.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 48, ExcludePunctuation: true },
    });
    const env = Object.fromEntries((c.Environment as CfnProperties[]).map((e) => [e.Name, e.Value]));
    assert.equal(env.ADMIN_TOKEN, undefined);
    assert.equal(env.HOST, '0.0.0.0');
    assert.equal(env.PORT, '3000');
    assert.equal(env.METRICS_PORT, '9464');
    assert.equal(env.METRICS_HOST, '0.0.0.0', 'Prometheus scrapes the task address, not loopback');
    assert.equal(env.TRUST_PROXY, '2');
    assert.equal(env.SHUTDOWN_DRAIN_SECONDS, '5');
    assert.equal(env.APP_VERSION, 'abc1234');
    // Fargate hides the task's memory limit from the container: the service is told it (its memory check and gauge).
    const task = resourcesOf(prod, 'AWS::ECS::TaskDefinition')[0]?.[1];
    assert.equal(env.MEMORY_LIMIT_BYTES, String(Number(task?.Properties.Memory) * 1024 * 1024));
  });

  it('separates the execution role (pull, logs, named secrets) from the task role', () => {
    const td = taskDef(prod);
    const executionRoleId = td.ExecutionRoleArn['Fn::GetAtt'][0];
    const taskRoleId = td.TaskRoleArn['Fn::GetAtt'][0];
    assert.notEqual(executionRoleId, taskRoleId);
    const execution = policyStatements(prod, executionRoleId);
    const actions = execution.flatMap((s) => [s.Action].flat());
    assert.ok(actions.includes('ecr:BatchGetImage'));
    assert.ok(actions.includes('logs:PutLogEvents'));
    assert.ok(actions.includes('secretsmanager:GetSecretValue'));
    for (const s of execution) {
      if (s.Resource === '*') assert.deepEqual(s.Action, 'ecr:GetAuthorizationToken');
    }
    assert.deepEqual(policyStatements(prod, taskRoleId), [], 'prod task role has no permissions (no ECS Exec)');
  });
});
