import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { envConfig, FIXTURE_DIGEST, fixtureStack, fixtureTask, serviceFixture } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

/** AppTaskDefinition alone in a fresh Stack, with the named environment's config, version abc1234, FIXTURE_DIGEST. */
function taskTemplate(env: string): Template {
  const stack = fixtureStack();
  fixtureTask(stack, envConfig(env), { version: 'abc1234' });
  return Template.fromStack(stack);
}
const dev = taskTemplate('dev');
const prod = taskTemplate('prod');

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

  it('runs the image by its digest from the shared ECR repository', () => {
    const image = JSON.stringify(app(prod).Image);
    assert.match(image, /111111111111\.dkr\.ecr\.us-east-1\./);
    assert.ok(image.includes(`/nodeapp@${FIXTURE_DIGEST}`), image);
    assert.doesNotMatch(image, /nodeapp:abc1234/, 'the tag is only the version label');
  });

  // Whole app: -c appImageDigest / imageTag reach the task through the app and the Service stack, and no construct
  // of any environment's Service stack may add a Docker asset.
  it('runs the image by the digest given in -c appImageDigest and builds no image during cdk deploy (whole app)', () => {
    const APP_DIGEST = `sha256:${'cd'.repeat(32)}`;
    const stacks = buildTestApp({ context: { imageTag: 'def5678', appImageDigest: APP_DIGEST } });
    const image = JSON.stringify(app(template(stacks, 'prod', 'service')).Image);
    assert.match(image, /111111111111\.dkr\.ecr\.us-east-1\./);
    assert.ok(image.includes(`/nodeapp@${APP_DIGEST}`), image);
    assert.doesNotMatch(image, /nodeapp:def5678/, 'the tag is only the version label');
    const assembly = stacks.app.synth();
    for (const env of ['dev', 'staging', 'prod']) {
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
    const [, group] =
      resourcesOf(prod, 'AWS::Logs::LogGroup').find(([, g]) => g.Properties.RetentionInDays === 365) ?? [];
    assert.ok(group?.Properties.KmsKeyId);
    dev.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/nodeapp/dev/app' });
  });

  it('a retained log group (prod) has no fixed name: the stack can be created again after a delete', () => {
    const groups = resourcesOf(prod, 'AWS::Logs::LogGroup');
    assert.ok(groups.length > 0);
    for (const [id, g] of groups) assert.equal(g.Properties.LogGroupName, undefined, id);
    const retained = Object.values(prod.findResources('AWS::Logs::LogGroup')).map((r) => r.DeletionPolicy);
    assert.ok(retained.every((p) => p === 'Retain'));
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

  // With the prod service around it (serviceFixture): ECS Exec's grants to the task role come from the service.
  it('separates the execution role (pull, logs, named secrets) from the task role', () => {
    const prod = Template.fromStack(serviceFixture(envConfig('prod')).stack);
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
