// The deploy job's release steps (lib/release): the migrate task before the rollout and the rollout watcher,
// against aws-sdk-client-mock (no AWS). The watcher's payloads (test/ecs-payloads/*.json) follow the API reference's
// ServiceDeployment shape; each file says so in `_source`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { loadServiceContract } from '@nodeapp/contract';
import { mockClient } from 'aws-sdk-client-mock';
import { releaseMain, UsageError } from '../lib/release/cli.ts';
import { MigrateTaskError, runMigrateTask } from '../lib/release/migrate-task.ts';
import { watchDeployment } from '../lib/release/watch-deployment.ts';
import { fixtureConfig } from './fixtures.ts';
import { buildTestApp, resourcesOf, template } from './helpers.ts';

/** The service's container: named after the guestbook's contract. */
const CONTAINER = loadServiceContract().name;

const noSleep = async () => {};
const CLUSTER = 'nodeapp-prod';
const IMAGE = `111111111111.dkr.ecr.us-east-1.amazonaws.com/nodeapp@sha256:${'c'.repeat(64)}`;
const TASK_DEF = 'arn:aws:ecs:us-east-1:123456789012:task-definition/Nodeapp-prod-app:41';
const RELEASE_DEF = 'arn:aws:ecs:us-east-1:123456789012:task-definition/Nodeapp-prod-app:42';
const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/nodeapp-prod/0123456789abcdef';

const service = {
  serviceName: 'app',
  status: 'ACTIVE',
  taskDefinition: TASK_DEF,
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: ['subnet-a', 'subnet-b'],
      securityGroups: ['sg-tasks'],
      assignPublicIp: 'DISABLED',
    },
  },
  capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 2, weight: 1 }],
} satisfies Service;
const taskDefinition = {
  taskDefinitionArn: TASK_DEF,
  family: 'Nodeapp-prod-app',
  revision: 41,
  status: 'ACTIVE',
  taskRoleArn: 'arn:aws:iam::123456789012:role/task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/execution',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '1024',
  memory: '2048',
  registeredAt: new Date(),
  containerDefinitions: [
    {
      name: CONTAINER,
      image: `111111111111.dkr.ecr.us-east-1.amazonaws.com/nodeapp@sha256:${'a'.repeat(64)}`,
      secrets: [{ name: 'DATABASE_PASSWORD', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db' }],
      environment: [{ name: 'MIGRATE_ON_START', value: 'false' }],
    },
    { name: 'site24x7', image: 'site24x7/docker-agent:release22300' },
  ],
} satisfies TaskDefinition;

function migrateMock(stopped: { exitCode?: number; stoppedReason?: string }) {
  const ecs = mockClient(ECSClient);
  ecs.on(DescribeServicesCommand).resolves({ services: [service] });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition });
  ecs.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: RELEASE_DEF } });
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK }], failures: [] });
  ecs
    .on(DescribeTasksCommand)
    .resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'PROVISIONING' }] })
    .resolvesOnce({ tasks: [{ taskArn: TASK, lastStatus: 'RUNNING' }] })
    .resolves({
      tasks: [
        {
          taskArn: TASK,
          lastStatus: 'STOPPED',
          stoppedReason: stopped.stoppedReason ?? 'Essential container in task exited',
          containers: [{ name: CONTAINER, exitCode: stopped.exitCode }],
        },
      ],
    });
  ecs.on(DeregisterTaskDefinitionCommand).resolves({});
  return ecs;
}

const migrateOptions = { cluster: CLUSTER, service: 'app', container: CONTAINER, image: IMAGE };

describe('migrate task (before the service update)', () => {
  it("runs the release's image with the contract's migrate command, on the service's network and capacity", async () => {
    const ecs = migrateMock({ exitCode: 0 });
    const lines: string[] = [];
    const result = await runMigrateTask(new ECSClient({ region: 'us-east-1' }), {
      ...migrateOptions,
      command: ['node', 'dist/migrate.js'],
      log: (l) => lines.push(l),
      sleep: noSleep,
    });
    assert.deepEqual(result, { outcome: 'migrated', taskArn: TASK });
    // The revision: the service's task definition, app image replaced, everything else (roles, secrets) kept.
    const registered = ecs.commandCalls(RegisterTaskDefinitionCommand)[0]?.args[0].input;
    assert.equal(registered?.family, 'Nodeapp-prod-app');
    assert.equal(registered?.taskRoleArn, taskDefinition.taskRoleArn);
    assert.equal(registered?.executionRoleArn, taskDefinition.executionRoleArn);
    assert.deepEqual(
      registered?.containerDefinitions?.map((c) => c.image),
      [IMAGE, 'site24x7/docker-agent:release22300'],
    );
    assert.deepEqual(registered?.containerDefinitions?.[0]?.secrets, taskDefinition.containerDefinitions[0]?.secrets);
    assert.equal('revision' in (registered ?? {}), false, 'read-only fields are not sent back');
    const run = ecs.commandCalls(RunTaskCommand)[0]?.args[0].input;
    assert.equal(run?.taskDefinition, RELEASE_DEF);
    assert.deepEqual(run?.networkConfiguration, service.networkConfiguration);
    assert.deepEqual(run?.capacityProviderStrategy, service.capacityProviderStrategy);
    assert.equal(run?.launchType, undefined);
    assert.deepEqual(run?.overrides?.containerOverrides, [{ name: CONTAINER, command: ['node', 'dist/migrate.js'] }]);
    assert.deepEqual(ecs.commandCalls(DeregisterTaskDefinitionCommand)[0]?.args[0].input, {
      taskDefinition: RELEASE_DEF,
    });
    assert.deepEqual(
      lines.filter((l) => l.startsWith('migrate: task ') && !l.includes('started')),
      ['migrate: task PROVISIONING', 'migrate: task RUNNING', 'migrate: task STOPPED'],
    );
  });

  it('fails with the exit code and ECS reason when the migration fails, and still deregisters the revision', async () => {
    const ecs = migrateMock({ exitCode: 1 });
    await assert.rejects(
      runMigrateTask(new ECSClient({ region: 'us-east-1' }), { ...migrateOptions, command: ['x'], sleep: noSleep }),
      (error: Error) =>
        error instanceof MigrateTaskError &&
        /\(exit code 1: Essential container in task exited\); the service was not updated/.test(error.message),
    );
    assert.equal(ecs.commandCalls(DeregisterTaskDefinitionCommand).length, 1);
  });

  it('fails with RunTask’s failures when no task starts', async () => {
    const ecs = migrateMock({ exitCode: 0 });
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free IPs' }] });
    await assert.rejects(
      runMigrateTask(new ECSClient({ region: 'us-east-1' }), { ...migrateOptions, command: ['x'], sleep: noSleep }),
      /RunTask started no task: RESOURCE:ENI no free IPs/,
    );
  });

  it('reports a first deploy (no service yet) instead of failing', async () => {
    const ecs = mockClient(ECSClient);
    ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] });
    const result = await runMigrateTask(new ECSClient({ region: 'us-east-1' }), {
      ...migrateOptions,
      command: ['x'],
      log: () => {},
    });
    assert.deepEqual(result, { outcome: 'no-service' });
    assert.equal(ecs.commandCalls(RunTaskCommand).length, 0);
  });
});

type Payloads = {
  listServiceDeployments: object;
  describeServices: object;
  describeServiceDeployments: object[];
};
function payloads(name: string): Payloads {
  const text = readFileSync(new URL(`./ecs-payloads/${name}.json`, import.meta.url), 'utf8');
  // The SDK hands timestamps over as Dates.
  return JSON.parse(text, (key, value) => (/At$/.test(key) && typeof value === 'string' ? new Date(value) : value));
}

async function watch(name: string) {
  const p = payloads(name);
  const ecs = mockClient(ECSClient);
  ecs.on(ListServiceDeploymentsCommand).resolves(p.listServiceDeployments);
  ecs.on(DescribeServicesCommand).resolves(p.describeServices);
  let mock = ecs.on(DescribeServiceDeploymentsCommand);
  for (const response of p.describeServiceDeployments) mock = mock.resolvesOnce(response);
  const lines: string[] = [];
  const result = await watchDeployment(new ECSClient({ region: 'us-east-1' }), {
    cluster: CLUSTER,
    service: 'app',
    since: new Date('2026-12-06T10:00:00.000Z'),
    deployRunning: () => true,
    log: (l) => lines.push(l),
    sleep: noSleep,
  });
  return { result, lines, ecs };
}

describe('rollout watcher (recorded-shape ServiceDeployment payloads)', () => {
  it('follows a canary to success: stages, weights, the hook, then SUCCESSFUL', async () => {
    const { result, lines, ecs } = await watch('success');
    assert.equal(result.outcome, 'succeeded');
    const since = ecs.commandCalls(ListServiceDeploymentsCommand)[0]?.args[0].input.createdAt?.after;
    assert.deepEqual(since, new Date('2026-12-06T10:00:00.000Z'));
    // Only events of this deploy, once each.
    assert.deepEqual(
      lines.filter((l) => l.startsWith('event:')),
      ['event: (service app) has started 3 tasks: (task 1a) (task 1b) (task 1c).'],
    );
    const stages = lines.filter((l) => l.includes('stage')).map((l) => /stage (\w+)/.exec(l)?.[1]);
    assert.deepEqual(stages, [
      'SCALE_UP',
      'TEST_TRAFFIC_SHIFT',
      'POST_TEST_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'PRODUCTION_TRAFFIC_SHIFT',
      'BAKE_TIME',
      'CLEAN_UP',
    ]);
    assert.ok(lines.some((l) => l.includes('production 10 %, test 100 %') && l.includes('hook SUCCEEDED')));
  });

  it('ends an alarm rollback with the alarm ECS names', async () => {
    const { result } = await watch('alarm-rollback');
    assert.equal(result.outcome, 'rolled-back');
    assert.ok('reason' in result);
    assert.match(result.reason, /CloudWatch alarm was triggered/);
    assert.match(result.reason, /alarms: Nodeapp-prod-target-5xx/);
  });

  it('ends a hook failure with the failed hook, before any production traffic moved', async () => {
    const { result, lines } = await watch('hook-failure');
    assert.equal(result.outcome, 'rolled-back');
    assert.ok('reason' in result);
    assert.match(result.reason, /lifecycle hook arn:aws:lambda:[^ ]+SmokeHook[^ ]* FAILED/);
    assert.ok(!lines.some((l) => /production [1-9]/.test(l)), 'production weight never above 0');
  });

  it('ends a circuit-breaker rollback with the failed task count', async () => {
    const { result } = await watch('circuit-breaker');
    assert.equal(result.outcome, 'rolled-back');
    assert.ok('reason' in result);
    assert.match(result.reason, /circuit breaker: 3 of 3 tasks failed to start/);
  });

  it('reports no deployment when the deploy ended without touching the service', async () => {
    const ecs = mockClient(ECSClient);
    ecs.on(ListServiceDeploymentsCommand).resolves({ serviceDeployments: [] });
    ecs.on(DescribeServicesCommand).resolves({ services: [{ events: [] }] });
    let running = 2;
    const result = await watchDeployment(new ECSClient({ region: 'us-east-1' }), {
      cluster: CLUSTER,
      service: 'app',
      since: new Date(),
      deployRunning: () => running-- > 0,
      log: () => {},
      sleep: noSleep,
    });
    assert.deepEqual(result, { outcome: 'no-deployment' });
    assert.equal(ecs.commandCalls(ListServiceDeploymentsCommand).length, 3);
  });
});

describe('release command line', () => {
  // aws-sdk-client-mock patches every ECSClient; the mock argument only says which one the test set up.
  const deps = (_mock: ReturnType<typeof mockClient>, lines: string[]) => ({
    client: () => new ECSClient({ region: 'us-east-1' }),
    print: (l: string) => lines.push(l),
    sleep: noSleep,
  });

  it('names the bad argument in one line', async () => {
    await assert.rejects(releaseMain(['deploy'], fixtureConfig), UsageError);
    await assert.rejects(releaseMain(['migrate', '--env', 'prod'], fixtureConfig), /--digest is missing/);
    await assert.rejects(
      releaseMain(['migrate', '--env', 'prod', '--digest', 'latest'], fixtureConfig),
      /--digest must be sha256:/,
    );
    await assert.rejects(
      releaseMain(['watch', '--env', 'qa', '--since', '2026-12-06T10:00:00Z', '--deploy-pid', '1'], fixtureConfig),
      /--env qa: unknown/,
    );
  });

  it('prints migrateOnStart=false last after a migration, true for a first deploy; exit 1 on failure', async () => {
    const digest = `sha256:${'d'.repeat(64)}`;
    const run = async (ecs: ReturnType<typeof mockClient>) => {
      const lines: string[] = [];
      const code = await releaseMain(['migrate', '--env', 'prod', '--digest', digest], fixtureConfig, deps(ecs, lines));
      return { code, lines };
    };
    const ok = await run(migrateMock({ exitCode: 0 }));
    assert.equal(ok.code, 0);
    assert.equal(ok.lines.at(-1), 'migrateOnStart=false');
    const failed = await run(migrateMock({ exitCode: 3 }));
    assert.equal(failed.code, 1);
    assert.match(failed.lines.at(-1) ?? '', /^::error title=Migration failed::the migrate task failed \(exit code 3/);
    const first = mockClient(ECSClient);
    first.on(DescribeServicesCommand).resolves({ services: [] });
    const fresh = await run(first);
    assert.equal(fresh.lines.at(-1), 'migrateOnStart=true');
  });

  it('exits 1 with ECS’s reason as a workflow error when the rollout rolls back', async () => {
    const p = payloads('hook-failure');
    const ecs = mockClient(ECSClient);
    ecs.on(ListServiceDeploymentsCommand).resolves(p.listServiceDeployments);
    ecs.on(DescribeServicesCommand).resolves(p.describeServices);
    ecs.on(DescribeServiceDeploymentsCommand).resolves(p.describeServiceDeployments.at(-1) ?? {});
    const lines: string[] = [];
    const code = await releaseMain(
      ['watch', '--env', 'prod', '--since', '2026-12-06T10:00:00Z', '--deploy-pid', String(process.pid)],
      fixtureConfig,
      deps(ecs, lines),
    );
    assert.equal(code, 1);
    assert.match(lines.at(-1) ?? '', /^::error title=Deployment rolled-back::.*lifecycle hook/);
  });

  // The scripts find the service by the contract's name; the Service stack must create it under that name.
  it("finds the service the Service stack creates: the contract's name, in the environment's cluster (whole app)", () => {
    const t = template(buildTestApp(), 'prod', 'service');
    const [, svc] = resourcesOf(t, 'AWS::ECS::Service')[0] ?? [];
    assert.equal(svc?.Properties.ServiceName, loadServiceContract().name);
  });
});
