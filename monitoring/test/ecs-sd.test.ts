// The ECS service discovery sidecar against a mocked ECS API (aws-sdk-client-mock): pagination past 100 tasks,
// DescribeTasks in batches of 100, only RUNNING tasks with an address, the HTTP SD document and metrics it serves,
// the desired count, errors answered with 503 (Prometheus keeps its targets), and its settings.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { createSidecar } from '../src/ecs-sd/server.ts';
import { sidecarConfig } from '../src/ecs-sd/settings.ts';
import { discover, type TargetGroup } from '../src/ecs-sd/targets.ts';

const SETTINGS = { cluster: 'nodeapp-prod', serviceName: 'app', containerName: 'app', port: 9464 };
const arn = (i: number) => `arn:aws:ecs:us-east-1:111111111111:task/nodeapp-prod/${i.toString(16).padStart(32, '0')}`;

function fakeTask(i: number, overrides: Partial<Task> = {}): Task {
  return {
    taskArn: arn(i),
    lastStatus: 'RUNNING',
    taskDefinitionArn: 'arn:aws:ecs:us-east-1:111111111111:task-definition/Nodeapp-prod-app:42',
    availabilityZone: 'us-east-1a',
    capacityProviderName: i % 2 ? 'FARGATE_SPOT' : 'FARGATE',
    containers: [{ name: 'app', networkInterfaces: [{ privateIpv4Address: `10.30.${i >> 8}.${i & 255}` }] }],
    ...overrides,
  };
}

/** A mocked ECS with `count` running tasks, ListTasks paginated by 100 as the real API does. */
function mockEcs(count: number, extra: (i: number) => Partial<Task> = () => ({})) {
  const ecs = mockClient(ECSClient);
  ecs.on(ListTasksCommand).callsFake((input: { nextToken?: string; desiredStatus?: string }) => {
    if (input.desiredStatus === 'STOPPED') return { taskArns: [] };
    const start = Number(input.nextToken ?? 0);
    const end = Math.min(start + 100, count);
    return {
      taskArns: Array.from({ length: end - start }, (_, k) => arn(start + k)),
      nextToken: end < count ? String(end) : undefined,
    };
  });
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => {
    assert.ok(input.tasks.length <= 100, `DescribeTasks with ${input.tasks.length} tasks (limit 100)`);
    return {
      tasks: input.tasks.map((a) =>
        fakeTask(Number.parseInt(a.slice(-32), 16), extra(Number.parseInt(a.slice(-32), 16))),
      ),
    };
  });
  ecs.on(DescribeServicesCommand).resolves({
    services: [{ serviceName: 'app', status: 'ACTIVE', desiredCount: count, runningCount: count }],
  });
  return ecs;
}

test('discovers every running task past the 8 records of Cloud Map DNS, across ListTasks pages', async (t) => {
  const ecs = mockEcs(250);
  t.after(() => ecs.restore());
  const found = await discover(new ECSClient({ region: 'us-east-1' }), SETTINGS);
  assert.equal(found.groups.length, 250);
  assert.equal(ecs.commandCalls(ListTasksCommand).length, 4, '3 pages of running tasks, 1 of stopped ones');
  assert.equal(ecs.commandCalls(DescribeTasksCommand).length, 3);
  const listed = ecs.commandCalls(ListTasksCommand).map((call) => {
    const { cluster, serviceName, desiredStatus } = call.args[0].input;
    return `${cluster}/${serviceName}/${desiredStatus}`;
  });
  assert.deepEqual(listed.sort(), [
    'nodeapp-prod/app/RUNNING',
    'nodeapp-prod/app/RUNNING',
    'nodeapp-prod/app/RUNNING',
    'nodeapp-prod/app/STOPPED',
  ]);
  assert.equal(found.desiredCount, 250);
  const first = found.groups.find((g) => g.labels.task === arn(1).slice(-32)) as TargetGroup;
  assert.deepEqual(first, {
    targets: ['10.30.0.1:9464'],
    labels: {
      task: arn(1).slice(-32),
      task_revision: '42',
      availability_zone: 'us-east-1a',
      capacity_provider: 'FARGATE_SPOT',
    },
  });
});

test('leaves out tasks that are not RUNNING yet or have no address, takes the ENI attachment address', async (t) => {
  const ecs = mockEcs(4, (i) => {
    if (i === 0) return { lastStatus: 'PROVISIONING', containers: [] };
    if (i === 1) return { containers: [{ name: 'app' }] };
    if (i === 2)
      return {
        containers: [{ name: 'app' }],
        attachments: [
          { type: 'ElasticNetworkInterface', details: [{ name: 'privateIPv4Address', value: '10.1.2.3' }] },
        ],
      };
    return {};
  });
  t.after(() => ecs.restore());
  const found = await discover(new ECSClient({ region: 'us-east-1' }), SETTINGS);
  assert.deepEqual(
    found.groups.map((g) => g.targets[0]),
    ['10.1.2.3:9464', '10.30.0.3:9464'],
  );
});

test('no tasks and a service scaled to zero: no targets, desired count 0', async (t) => {
  const ecs = mockEcs(0);
  t.after(() => ecs.restore());
  const found = await discover(new ECSClient({ region: 'us-east-1' }), SETTINGS);
  assert.deepEqual(found.groups, []);
  assert.equal(found.desiredCount, 0);
  assert.equal(ecs.commandCalls(DescribeTasksCommand).length, 0, 'no DescribeTasks without tasks');
});

async function serve(server: ReturnType<typeof createSidecar>) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

test('serves HTTP SD JSON and its metrics; an ECS error answers 503 and counts a failure', async (t) => {
  const ecs = mockEcs(3);
  t.after(() => ecs.restore());
  const server = createSidecar({
    client: new ECSClient({ region: 'us-east-1' }),
    settings: SETTINGS,
    cacheSeconds: 0,
  });
  const { url, close } = await serve(server);
  t.after(close);

  const before = await (await fetch(`${url}/metrics`)).text();
  assert.doesNotMatch(before, /^nodeapp_ecs_service_desired_tasks/m, 'no desired count (not 0) before ECS answered');
  const ok = await fetch(`${url}/targets`);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type') ?? '', /application\/json/);
  const groups = (await ok.json()) as TargetGroup[];
  assert.equal(groups.length, 3);
  assert.equal((await fetch(`${url}/-/ready`)).status, 200);

  ecs.on(ListTasksCommand).rejects(new Error('Rate exceeded'));
  const failed = await fetch(`${url}/targets`);
  assert.equal(failed.status, 503);
  assert.match(await failed.text(), /Rate exceeded/);

  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /^nodeapp_ecs_service_desired_tasks\{service="app"\} 3$/m);
  assert.match(metrics, /^nodeapp_ecs_service_running_tasks\{service="app"\} 3$/m);
  assert.match(metrics, /^nodeapp_ecs_sd_targets 3$/m);
  assert.match(metrics, /^nodeapp_ecs_sd_refresh_failures_total\{reason="error"\} 1$/m);
  assert.match(metrics, /^nodeapp_ecs_sd_refresh_failures_total\{reason="throttling"\} 0$/m);
  assert.equal((await fetch(`${url}/targets`, { method: 'POST' })).status, 405);
});

test('asks ECS at most once per cache period however often Prometheus asks', async (t) => {
  const ecs = mockEcs(2);
  t.after(() => ecs.restore());
  const server = createSidecar({
    client: new ECSClient({ region: 'us-east-1' }),
    settings: SETTINGS,
    cacheSeconds: 60,
  });
  const { url, close } = await serve(server);
  t.after(close);
  await Promise.all(Array.from({ length: 5 }, () => fetch(`${url}/targets`).then((r) => r.json())));
  await fetch(`${url}/targets`).then((r) => r.json());
  assert.equal(ecs.commandCalls(ListTasksCommand).length, 2, 'one pass: running and stopped tasks');
});

test('settings: cluster and service are required, numbers checked, each error names its variable', () => {
  const defaults = { containerName: 'app', port: 9464, listenPort: 9465, cacheSeconds: 5 };
  assert.throws(() => sidecarConfig({ ECS_SERVICE: 'app' }, defaults), /^Error: ECS_CLUSTER must be set$/);
  assert.throws(() => sidecarConfig({ ECS_CLUSTER: 'c' }, defaults), /^Error: ECS_SERVICE must be set$/);
  assert.throws(
    () => sidecarConfig({ ECS_CLUSTER: 'c', ECS_SERVICE: 's', METRICS_PORT: '9x' }, defaults),
    /METRICS_PORT must be a whole number from 1 to 65535 \(got "9x"\)/,
  );
  const config = sidecarConfig({ ECS_CLUSTER: 'c', ECS_SERVICE: 's' }, defaults);
  assert.deepEqual(config, {
    settings: { cluster: 'c', serviceName: 's', containerName: 'app', port: 9464 },
    listenHost: '127.0.0.1',
    listenPort: 9465,
    cacheSeconds: 5,
    requestTimeoutMs: 5000,
    passTimeoutMs: 20000,
  });
  // The image's entry passes no container or port: they come from the service's contract through infra.
  const { listenPort, cacheSeconds } = defaults;
  assert.throws(
    () => sidecarConfig({ ECS_CLUSTER: 'c', ECS_SERVICE: 's', METRICS_PORT: '1' }, { listenPort, cacheSeconds }),
    /^Error: ECS_CONTAINER must be set$/,
  );
  assert.throws(
    () => sidecarConfig({ ECS_CLUSTER: 'c', ECS_SERVICE: 's', ECS_CONTAINER: 'x' }, { listenPort, cacheSeconds }),
    /^Error: METRICS_PORT must be set$/,
  );
});

test('counts tasks ECS stopped by stop code, not those already stopped when the sidecar started', async (t) => {
  const ecs = mockEcs(2);
  t.after(() => ecs.restore());
  let stopped: { arn: string; code: string }[] = [{ arn: arn(900), code: 'EssentialContainerExited' }];
  ecs.on(ListTasksCommand, { desiredStatus: 'STOPPED' }).callsFake(() => ({ taskArns: stopped.map((s) => s.arn) }));
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: input.tasks.map((a) => {
      const known = stopped.find((s) => s.arn === a);
      const i = Number.parseInt(a.slice(-32), 16);
      return known ? fakeTask(i, { lastStatus: 'STOPPED', stopCode: known.code as Task['stopCode'] }) : fakeTask(i);
    }),
  }));
  const server = createSidecar({ client: new ECSClient({ region: 'us-east-1' }), settings: SETTINGS, cacheSeconds: 0 });
  const { url, close } = await serve(server);
  t.after(close);
  const metric = async () =>
    (await (await fetch(`${url}/metrics`)).text())
      .split('\n')
      .filter((l) => l.startsWith('nodeapp_ecs_tasks_stopped_total{'));
  await fetch(`${url}/targets`).then((r) => r.json());
  assert.deepEqual(
    await metric(),
    ['nodeapp_ecs_tasks_stopped_total{stop_code="EssentialContainerExited"} 0'],
    'a task stopped before the start is not counted (the crash series is exported from 0)',
  );
  stopped = [
    ...stopped,
    { arn: arn(901), code: 'EssentialContainerExited' },
    { arn: arn(902), code: 'ServiceSchedulerInitiated' },
  ];
  await fetch(`${url}/targets`).then((r) => r.json());
  await fetch(`${url}/targets`).then((r) => r.json());
  assert.deepEqual((await metric()).sort(), [
    'nodeapp_ecs_tasks_stopped_total{stop_code="EssentialContainerExited"} 1',
    'nodeapp_ecs_tasks_stopped_total{stop_code="ServiceSchedulerInitiated"} 1',
  ]);
});

/** A loopback ECS endpoint that hangs (accepts, never answers), throttles, or answers an empty service. */
async function flakyEcs(t: { after: (fn: () => void) => void }) {
  const state = { mode: 'hang' as 'hang' | 'throttle' | 'answer', requests: 0 };
  const held: import('node:http').ServerResponse[] = [];
  const server = createServer((req, res) => {
    state.requests++;
    req.resume();
    const target = String(req.headers['x-amz-target'] ?? '');
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
    if (state.mode === 'hang') held.push(res);
    else if (state.mode === 'throttle') json(400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    else if (target.endsWith('ListTasks')) json(200, { taskArns: [] });
    else json(200, { services: [{ serviceName: 'app', status: 'ACTIVE', desiredCount: 0, runningCount: 0 }] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const res of held) res.destroy();
    server.closeAllConnections();
    server.close();
  });
  const client = new ECSClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler: { connectionTimeout: 200, requestTimeout: 200 },
    maxAttempts: 2,
  });
  return { state, client };
}

test('a hung ECS API fails the pass within its deadline, counts it, and discovery recovers when ECS answers', async (t) => {
  const { state, client } = await flakyEcs(t);
  const server = createSidecar({ client, settings: SETTINGS, cacheSeconds: 0, passTimeoutMs: 1000 });
  const { url: base } = await serve(server);
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const metric = async (name: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  };
  for (const pass of [1, 2]) {
    const started = Date.now();
    const response = await fetch(`${base}/targets`);
    assert.equal(response.status, 503);
    assert.ok(Date.now() - started < 3000, `pass ${pass} took ${Date.now() - started} ms`);
    assert.equal(await metric('nodeapp_ecs_sd_consecutive_failures'), pass);
  }
  assert.equal(await metric('nodeapp_ecs_sd_refresh_failures_total\\{reason="timeout"\\}'), 2);
  assert.equal(await metric('nodeapp_ecs_sd_last_success_timestamp_seconds'), 0);

  state.mode = 'throttle';
  assert.equal((await fetch(`${base}/targets`)).status, 503);
  assert.equal(await metric('nodeapp_ecs_sd_refresh_failures_total\\{reason="throttling"\\}'), 1);
  assert.equal(await metric('nodeapp_ecs_sd_consecutive_failures'), 3);

  state.mode = 'answer';
  assert.equal((await fetch(`${base}/targets`)).status, 200);
  assert.equal(await metric('nodeapp_ecs_sd_consecutive_failures'), 0);
  assert.ok((await metric('nodeapp_ecs_sd_last_success_timestamp_seconds')) > 0);
});
