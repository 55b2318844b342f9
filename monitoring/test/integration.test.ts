// End to end, on this machine, with the real configs, rules, templates and entrypoints:
// - a loopback ECS API (support/fake-aws.ts) listing 24 fake tasks (each a tiny /metrics server on its own
//   127.0.1.x address, all on one port, as awsvpc tasks share the metrics port) plus the real, built service;
// - the discovery sidecar (src/ecs-sd/main.ts) pointed at it through the SDK's AWS_ENDPOINT_URL_ECS;
// - Prometheus (prometheus/entrypoint.sh: env external label) reading targets from the sidecar (HTTP SD);
// - Alertmanager (alertmanager/entrypoint.sh) with the real routing, its SNS receivers' api_url (alarm, chat and
//   heartbeat topics) pointed at a loopback SNS that verifies each SigV4 signature with the test credentials, and the
//   external heartbeat pointed at a loopback webhook.
// It asserts: every task discovered and scraped (25 > the 8 records of Cloud Map DNS); tasks started and stopped in
// ECS are added and removed by the next discovery refresh; every dashboard and rule query works; a task that stops
// answering reaches the SNS topic (payload checked: topic, env, absolute runbook and Grafana links, SigV4); the
// Watchdog reaches the heartbeat topic and stops reaching it when publishing breaks (the condition of the CloudWatch
// switch alarm, infra/test/monitoring.test.ts); chat messages follow the chat format; the service going down reaches
// the critical route.
// Test-only changes: 1 s scrape and evaluation intervals, `for: 0s`, Alertmanager group timings, the endpoints.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '@nodeapp/test-support';
import { parse, stringify } from 'yaml';
import { APP_JOB, ECS_SD_JOB } from '../src/discovery.ts';
import { generatedFiles } from '../src/generate.ts';
import { TEST_ENVIRONMENT } from './support/alertmanager.ts';
import { chatNotificationProblems } from './support/chat.ts';
import { FakeEcs, FakeSns, type FakeTask } from './support/fake-aws.ts';
import { httpOk, Processes, sleep, stop, waitFor } from './support/processes.ts';
import { expandGrafanaVariables, metricNames } from './support/promql.ts';
import { allRules, ruleFiles, ruleGroups } from './support/rules.ts';
import { MONITORING_DIR, REPO_DIR, requireTools, run } from './support/tools.ts';

const FAKE_TASKS = 24;
/** The credentials the monitoring task gets (test values); the fake SNS verifies every signature with them. */
const AWS_TEST_CREDENTIALS = { accessKeyId: 'AKIDE2ETESTEXAMPLE', secretAccessKey: 'e2e-test-secret-not-a-real-key' };
const CHAT_TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:Nodeapp-dev-chat';
/** The rule files the test's Prometheus loads: every rules file and one environment's SLO rules. */
const LOADED_RULE_FILES = [...ruleFiles(), 'slo/dev.rules.yml'];
const APP_TASK_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const ENV = 'e2e';
/** The discovery refresh of the test: longer than Prometheus's 5 s target-update throttle, so one refresh = one update. */
const SD_REFRESH = '10s';

interface Hook {
  path: string;
  body: { receiver: string; alerts: { status: string; labels: Record<string, string> }[] };
}

function startWebhook(hooks: Hook[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.end('ok');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0 });
    });
  });
}

/** A fake task's /metrics: what the dashboards and rules read, with its own start time and memory limit. */
function fakeMetrics(index: number): string {
  return [
    '# TYPE process_start_time_seconds gauge',
    `process_start_time_seconds ${1_700_000_000 + index}`,
    '# TYPE process_resident_memory_bytes gauge',
    `process_resident_memory_bytes ${100_000_000 + index}`,
    '# TYPE nodeapp_memory_limit_bytes gauge',
    'nodeapp_memory_limit_bytes 536870912',
    '',
  ].join('\n');
}

class FakeTaskServers {
  private readonly servers = new Map<string, Server>();
  private readonly port: number;
  constructor(port: number) {
    this.port = port;
  }

  async start(task: FakeTask, index: number): Promise<void> {
    const server = createServer((req, res) => {
      if (req.url === '/metrics')
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(fakeMetrics(index));
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, task.ip, resolve);
    });
    this.servers.set(task.id, server);
  }

  async stop(id: string): Promise<void> {
    const server = this.servers.get(id);
    this.servers.delete(id);
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.servers.keys()].map((id) => this.stop(id)));
  }
}

const fakeTask = (index: number): FakeTask => ({
  id: `fa4e${index.toString(16).padStart(28, '0')}`,
  ip: `127.0.1.${index + 1}`,
  revision: '7',
  lastStatus: 'RUNNING',
});

function prometheusTestConfig(
  dir: string,
  ports: { prometheus: number; alertmanager: number; sidecar: number },
): string {
  const config = parse(generatedFiles().get('prometheus/prometheus.yml') ?? '');
  config.global.scrape_interval = '1s';
  config.global.scrape_timeout = '1s';
  config.global.evaluation_interval = '1s';
  config.alerting.alertmanagers[0].static_configs[0].targets = [`127.0.0.1:${ports.alertmanager}`];
  // The entrypoint links the environment's SLO rules; the test loads its rule files itself (for: 0s), dev's SLOs.
  mkdirSync(join(dir, 'rules', 'slo'), { recursive: true });
  mkdirSync(join(dir, 'slo'), { recursive: true });
  writeFileSync(join(dir, 'rules', 'slo', `${ENV}.rules.yml`), 'groups: []\n');
  config.rule_files = LOADED_RULE_FILES.map((file) => {
    const groups = ruleGroups(file).map((group) => ({
      ...group,
      rules: group.rules.map((rule) => (rule.alert ? { ...rule, for: '0s' } : rule)),
    }));
    writeFileSync(join(dir, file), stringify({ groups }));
    return join(dir, file);
  });
  const selfTargets: Record<string, string> = {
    prometheus: `127.0.0.1:${ports.prometheus}`,
    alertmanager: `127.0.0.1:${ports.alertmanager}`,
    [ECS_SD_JOB]: `127.0.0.1:${ports.sidecar}`,
  };
  for (const job of config.scrape_configs) {
    const target = selfTargets[job.job_name];
    if (target) job.static_configs = [{ targets: [target] }];
    if (job.job_name === APP_JOB) {
      const [sd] = job.http_sd_configs;
      sd.url = sd.url.replace(/localhost:\d+/, `127.0.0.1:${ports.sidecar}`);
      sd.refresh_interval = SD_REFRESH;
    }
  }
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  return join(dir, 'prometheus.yml');
}

/** The real Alertmanager template, with test timings and every SNS api_url pointed at the loopback SNS. */
function alertmanagerTestConfigDir(dir: string, snsUrl: string): string {
  const source = join(MONITORING_DIR, 'alertmanager');
  mkdirSync(dir, { recursive: true });
  const text = readFileSync(join(source, 'alertmanager.yml'), 'utf8');
  const changed = text
    .replace('  group_wait: 30s\n  group_interval: 5m\n', '  group_wait: 0s\n  group_interval: 1s\n')
    // The Watchdog every second instead of every minute.
    .replace(
      '      group_interval: 1m\n      repeat_interval: 1m\n',
      '      group_interval: 1s\n      repeat_interval: 1s\n',
    )
    .replaceAll(/^( {6}- topic_arn: \$\{[A-Z_]+\}\n)/gm, `$1        api_url: ${snsUrl}\n`);
  assert.notEqual(changed, text);
  assert.equal(
    changed.split(`api_url: ${snsUrl}`).length,
    6,
    'the alarm, chat (both receivers) and heartbeat topics point at the loopback SNS',
  );
  assert.match(changed, /group_interval: 1s\n {6}repeat_interval: 1s/);
  writeFileSync(join(dir, 'alertmanager.yml'), changed);
  copyFileSync(join(source, 'nodeapp.tmpl'), join(dir, 'nodeapp.tmpl'));
  return dir;
}

async function promQuery(
  port: number,
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: [] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

async function activeAppTargets(port: number): Promise<{ task: string; health: string }[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/targets?state=active`);
  const body = (await response.json()) as {
    data: { activeTargets: { labels: Record<string, string>; health: string }[] };
  };
  return body.data.activeTargets
    .filter((t) => t.labels.job === APP_JOB)
    .map((t) => ({ task: t.labels.task ?? '', health: t.health }));
}

/** Requests over every route (including an unmatched path and a 4xx) until stopped. */
async function traffic(appUrl: string, until: () => boolean): Promise<number> {
  let sent = 0;
  const created = await fetch(`${appUrl}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'monitoring', text: 'integration test' }),
  });
  const { id } = (await created.json()) as { id: number | string };
  while (!until()) {
    const urls = [
      '/api/hello?name=prometheus',
      '/api/messages',
      `/api/messages/${id}`,
      '/api/messages/999999999',
      '/no/such/route',
      '/health/live',
      '/health/ready',
    ];
    await Promise.all(urls.map((path) => fetch(appUrl + path).then((r) => r.arrayBuffer())));
    await fetch(`${appUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'monitoring', text: `message ${sent}` }),
    }).then((r) => r.arrayBuffer());
    sent += urls.length + 1;
    await sleep(50);
  }
  return sent;
}

test('every ECS task is discovered and scraped, dashboards and rules work, alerts reach SNS and the heartbeat', async (t) => {
  const tools = requireTools(t, ['prometheus', 'prometheus-alertmanager']);
  if (!tools) return;

  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-monitoring-'));
  const processes = new Processes();
  const hooks: Hook[] = [];
  const webhook = await startWebhook(hooks);
  const ecs = new FakeEcs('nodeapp-e2e', 'app');
  const sns = new FakeSns(AWS_TEST_CREDENTIALS);
  const [metricsPort, appPort, promPort, amPort, sidecarPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const fakes = new FakeTaskServers(metricsPort);
  t.after(async () => {
    await processes.stopAll();
    await fakes.stopAll();
    webhook.server.close();
    await ecs.close();
    await sns.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const ecsUrl = await ecs.start();
  const snsUrl = await sns.start();

  // The real service, built and started as the container starts it (node --liftoff-only, app/Dockerfile's CMD), as
  // one of the tasks (embedded PostgreSQL: this test is about metrics, not about the database server).
  run('npm', ['run', 'build', '-w', 'app'], REPO_DIR);
  const appEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(appEnv)) if (name.startsWith('DATABASE_')) delete appEnv[name];
  const app = processes.start('app', process.execPath, ['--liftoff-only', 'dist/server.js'], {
    cwd: join(REPO_DIR, 'app'),
    env: {
      ...appEnv,
      HOST: '127.0.0.1',
      PORT: String(appPort),
      METRICS_PORT: String(metricsPort),
      MEMORY_LIMIT_BYTES: String(512 * 1024 * 1024),
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
      APP_VERSION: '1.2.3-test',
      GIT_COMMIT: 'abcdef0',
    },
    logFile: join(dir, 'app.log'),
  });
  const appUrl = `http://127.0.0.1:${appPort}`;
  const appTask: FakeTask = { id: APP_TASK_ID, ip: '127.0.0.1', revision: '7', lastStatus: 'RUNNING' };
  const initial = Array.from({ length: FAKE_TASKS }, (_, i) => fakeTask(i));
  await Promise.all(initial.map((task, i) => fakes.start(task, i)));
  ecs.tasks = [appTask, ...initial];
  ecs.desiredCount = ecs.tasks.length;

  const awsEnv = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: AWS_TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: AWS_TEST_CREDENTIALS.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  processes.start('ecs-sd', process.execPath, [join(MONITORING_DIR, 'src', 'ecs-sd', 'main.ts')], {
    env: {
      PATH: process.env.PATH,
      ...awsEnv,
      AWS_ENDPOINT_URL_ECS: ecsUrl,
      ECS_CLUSTER: 'nodeapp-e2e',
      ECS_SERVICE: 'app',
      // The container the fake ECS API describes (support/fake-aws.ts); infra passes the contract's name.
      ECS_CONTAINER: 'app',
      METRICS_PORT: String(metricsPort),
      LISTEN_PORT: String(sidecarPort),
      CACHE_SECONDS: '0',
    },
    logFile: join(dir, 'ecs-sd.log'),
  });

  const amConfigDir = alertmanagerTestConfigDir(join(dir, 'am-template'), snsUrl);
  processes.start(
    'alertmanager',
    'sh',
    [
      join(MONITORING_DIR, 'alertmanager', 'entrypoint.sh'),
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ],
    {
      env: {
        PATH: process.env.PATH,
        ...awsEnv,
        ...TEST_ENVIRONMENT,
        HEARTBEAT_URL: `http://127.0.0.1:${webhook.port}/heartbeat`,
        CHAT_TOPIC_ARN,
        AM_CONFIG_DIR: amConfigDir,
        AM_RUN_DIR: join(dir, 'am-run'),
        AM_BINARY: tools['prometheus-alertmanager'],
      },
      logFile: join(dir, 'alertmanager.log'),
    },
  );
  processes.start(
    'prometheus',
    'sh',
    [
      join(MONITORING_DIR, 'prometheus', 'entrypoint.sh'),
      `--storage.tsdb.path=${join(dir, 'prom')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--rules.alert.resend-delay=1s',
    ],
    {
      env: {
        PATH: process.env.PATH,
        NODEAPP_ENV: ENV,
        PROMETHEUS_CONFIG: prometheusTestConfig(dir, {
          prometheus: promPort,
          alertmanager: amPort,
          sidecar: sidecarPort,
        }),
        PROMETHEUS_BINARY: tools.prometheus,
        PROMETHEUS_RENDER_DIR: join(dir, 'prom-run'),
      },
      logFile: join(dir, 'prometheus.log'),
    },
  );
  const logs = () =>
    ['prometheus.log', 'alertmanager.log', 'ecs-sd.log']
      .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8')}`)
      .join('\n');

  await waitFor('the service to be ready', 60_000, () => httpOk(`${appUrl}/health/ready`)).catch((error) => {
    throw new Error(`${error.message}\n${readFileSync(join(dir, 'app.log'), 'utf8')}`);
  });
  let trafficDone = false;
  const trafficRun = traffic(appUrl, () => trafficDone);

  await t.test(
    `Prometheus discovers all ${FAKE_TASKS + 1} tasks through the ECS API and scrapes each (up == 1)`,
    async () => {
      const up = await waitFor(`${FAKE_TASKS + 1} targets up`, 60_000, async () => {
        const result = await promQuery(promPort, `up{job="${APP_JOB}"} == 1`);
        return result.length === FAKE_TASKS + 1 ? result : undefined;
      }).catch((error) => {
        throw new Error(`${error.message}\n${logs()}`);
      });
      assert.deepEqual(up.map((r) => r.metric.task).sort(), ecs.tasks.map((task) => task.id).sort());
      const app = up.find((r) => r.metric.task === APP_TASK_ID);
      assert.equal(app?.metric.instance, `${APP_TASK_ID}:${metricsPort}`);
      assert.equal(app?.metric.task_revision, '7');
      const desired = await waitFor(
        'the desired count from the sidecar',
        20_000,
        async () => (await promQuery(promPort, 'nodeapp_ecs_service_desired_tasks'))[0],
      );
      assert.equal(desired.value[1], String(FAKE_TASKS + 1));
    },
  );

  await t.test('tasks started and stopped in ECS are added and removed by the next discovery refresh', async () => {
    const stopping = ecs.tasks.slice(1, 6);
    const starting = Array.from({ length: 3 }, (_, i) => fakeTask(FAKE_TASKS + i));
    await Promise.all(starting.map((task, i) => fakes.start(task, FAKE_TASKS + i)));
    const callsBefore = ecs.listCalls.filter((s) => s === 'RUNNING').length;
    for (const task of stopping) Object.assign(task, { lastStatus: 'STOPPED', stopCode: 'ServiceSchedulerInitiated' });
    ecs.tasks.push(...starting);
    // The scheduler's own changes (scale-in and out): the desired count follows, so no task is missing.
    ecs.desiredCount = ecs.tasks.filter((task) => task.lastStatus === 'RUNNING').length;
    const expected = ecs.tasks
      .filter((task) => task.lastStatus === 'RUNNING')
      .map((task) => task.id)
      .sort();
    await waitFor('the target set to follow ECS', 60_000, async () => {
      const targets = (await activeAppTargets(promPort)).map((target) => target.task).sort();
      return JSON.stringify(targets) === JSON.stringify(expected) ? true : undefined;
    });
    // Counted in discovery passes, not seconds: the first pass after the change carried all of it (a second may
    // have started while Prometheus applied the first).
    const passes = ecs.listCalls.filter((s) => s === 'RUNNING').length - callsBefore;
    t.diagnostic(`${stopping.length} removed and ${starting.length} added after ${passes} discovery pass(es)`);
    assert.ok(passes >= 1 && passes <= 2, `${passes} discovery passes`);
    for (const task of stopping) await fakes.stop(task.id);
  });

  // Let a few scrapes and rule evaluations see the traffic (rates need two samples after it began).
  await sleep(4000);
  trafficDone = true;
  const sent = await trafficRun;
  assert.ok(sent > 50, `only ${sent} requests sent`);
  await sleep(1500);

  const getJson = async (path: string) =>
    (await (await fetch(`http://127.0.0.1:${promPort}${path}`)).json()) as { data: unknown };
  const seriesNames = (await getJson('/api/v1/label/__name__/values')).data as string[];
  const families = Object.keys((await getJson('/api/v1/metadata')).data as Record<string, unknown>);
  const exported = new Set([...seriesNames, ...families]);
  const isExported = (name: string) => exported.has(name) || exported.has(name.replace(/_(bucket|count|sum)$/, ''));

  await t.test('every dashboard panel query reads exported metrics, evaluates, and returns data', async () => {
    const dashboards = [...generatedFiles()].filter(([path]) => path.startsWith('grafana/dashboards/'));
    let checked = 0;
    for (const [path, json] of dashboards) {
      const dashboard = JSON.parse(json) as { panels: { title: string; targets?: { expr: string }[] }[] };
      for (const panel of dashboard.panels) {
        for (const target of panel.targets ?? []) {
          const expr = expandGrafanaVariables(target.expr);
          for (const name of metricNames(expr)) {
            assert.ok(isExported(name), `${path} / ${panel.title}: metric ${name} is not exported or recorded`);
          }
          const result = await promQuery(promPort, expr);
          assert.ok(result.length > 0, `${path} / ${panel.title}: no data for ${expr}`);
          checked++;
        }
      }
    }
    t.diagnostic(`${checked} dashboard queries returned data`);
    assert.ok(checked >= 25);
  });

  await t.test(
    'every recording rule returns data, every rule expression evaluates, all rules are healthy',
    async () => {
      for (const rule of allRules()) {
        for (const name of metricNames(rule.expr)) {
          assert.ok(isExported(name), `${rule.record ?? rule.alert}: metric ${name} is not exported or recorded`);
        }
        const result = await promQuery(promPort, rule.expr);
        if (rule.record) assert.ok(result.length > 0, `recording rule ${rule.record} has no data`);
      }
      const rules = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/rules`)).json()) as {
        data: { groups: { rules: { name: string; health: string; lastError?: string }[] }[] };
      };
      const all = rules.data.groups.flatMap((g) => g.rules);
      assert.equal(all.length, LOADED_RULE_FILES.flatMap((f) => ruleGroups(f).flatMap((g) => g.rules)).length);
      for (const rule of all) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
    },
  );

  const published = (alertname: string, since = 0, text = '') =>
    sns.published.find(
      (p) =>
        p.params.get('TopicArn') === TEST_ENVIRONMENT.SNS_TOPIC_ARN &&
        p.receivedAt >= since &&
        (p.params.get('Subject') ?? '').includes(alertname) &&
        (p.params.get('Subject') ?? '').includes('[FIRING]') &&
        (p.params.get('Message') ?? '').includes(text),
    );

  await t.test('a task that stops answering reaches the alarm SNS topic: env, absolute links, SigV4', async () => {
    const victim = ecs.tasks.find((task) => task.lastStatus === 'RUNNING' && task.id !== APP_TASK_ID) as FakeTask;
    await fakes.stop(victim.id);
    const publication = await waitFor('NodeappTargetDown of the stopped task published to SNS', 60_000, async () =>
      published('NodeappTargetDown', 0, `Task ${victim.id} `),
    ).catch((error) => {
      throw new Error(
        `${error.message}\npublished: ${sns.published.map((p) => p.params.toString()).join('\n')}\n${logs()}`,
      );
    });
    const { params } = publication;
    assert.equal(params.get('Action'), 'Publish');
    assert.equal(params.get('TopicArn'), TEST_ENVIRONMENT.SNS_TOPIC_ARN);
    assert.equal(params.get('Subject'), `[${ENV}] [FIRING] NodeappTargetDown (warning)`);
    const message = params.get('Message') ?? '';
    assert.ok(message.includes(`[${ENV}] FIRING: A Nodeapp task does not answer scrapes`), message);
    assert.ok(message.includes(`Task ${victim.id} (${victim.id}:${metricsPort})`), message);
    assert.ok(message.includes(`Runbook: ${TEST_ENVIRONMENT.RUNBOOK_URL}#nodeapptargetdown`), message);
    assert.ok(message.includes(`Dashboard: ${TEST_ENVIRONMENT.GRAFANA_URL}/d/nodeapp-service-overview`), message);
    assert.doesNotMatch(message, /:9090|:9093|localhost/, 'no task-local links');
    assert.match(
      publication.authorization,
      /^AWS4-HMAC-SHA256 Credential=AKIDE2ETESTEXAMPLE\/\d{8}\/us-east-1\/sns\/aws4_request, /,
    );
  });

  await t.test(
    'the Watchdog reaches the heartbeat topic (signature verified) and the external check, and only them',
    async () => {
      const hook = await waitFor('Watchdog at the heartbeat webhook', 30_000, async () =>
        hooks.find((h) => h.path === '/heartbeat'),
      );
      assert.equal(hook.body.receiver, 'heartbeat');
      assert.deepEqual([...new Set(hook.body.alerts.map((a) => a.labels.alertname))], ['Watchdog']);
      assert.equal(hook.body.alerts[0]?.labels.env, ENV);
      const beat = await waitFor('a heartbeat accepted by SNS', 30_000, async () =>
        sns.published.find((p) => p.params.get('TopicArn') === TEST_ENVIRONMENT.HEARTBEAT_TOPIC_ARN),
      );
      assert.equal(beat.params.get('Subject'), `[${ENV}] heartbeat`);
      assert.equal(published('Watchdog'), undefined);
      // Every publication so far passed the signature check: the fake SNS refuses a wrong one.
      assert.deepEqual(
        sns.refused.map((r) => r.code),
        [],
      );
    },
  );

  await t.test("alerts reach the chat topic in the chat integration's format", async () => {
    const chat = await waitFor('a chat notification', 30_000, async () =>
      sns.published.find((p) => p.params.get('TopicArn') === CHAT_TOPIC_ARN),
    );
    const message = chat.params.get('Message') ?? '';
    assert.deepEqual(chatNotificationProblems(message), [], message);
  });

  await t.test(
    "when publishing to the heartbeat topic breaks, heartbeats stop reaching SNS (the switch alarm's condition)",
    async () => {
      // What SNS answers when the role, the topic policy or the key stops allowing Alertmanager: AuthorizationError.
      sns.deny(TEST_ENVIRONMENT.HEARTBEAT_TOPIC_ARN);
      const brokenAt = Date.now();
      await waitFor('a refused heartbeat', 30_000, async () =>
        sns.refused.find((r) => r.code === 'AuthorizationError' && r.receivedAt >= brokenAt),
      );
      await sleep(3000);
      const accepted = sns.published.filter(
        (p) => p.params.get('TopicArn') === TEST_ENVIRONMENT.HEARTBEAT_TOPIC_ARN && p.receivedAt > brokenAt,
      );
      assert.deepEqual(accepted, [], 'no heartbeat reaches the topic: NumberOfMessagesPublished is missing');
      assert.ok(
        sns.refused.filter((r) => r.params.get('TopicArn') === TEST_ENVIRONMENT.HEARTBEAT_TOPIC_ARN).length >= 2,
        'Alertmanager keeps trying (and counts the failures)',
      );
      const amMetrics = await (await fetch(`http://127.0.0.1:${amPort}/metrics`)).text();
      assert.match(amMetrics, /^alertmanager_notifications_failed_total\{integration="sns"\} [1-9]/m);
    },
  );

  await t.test('the service going down (no task answers while ECS wants them) reaches the critical route', async () => {
    const killedAt = Date.now();
    await stop(app, 'SIGKILL');
    await fakes.stopAll();
    const publication = await waitFor('NodeappServiceDown published to SNS', 60_000, async () =>
      published('NodeappServiceDown', killedAt - 1000),
    ).catch(async (error) => {
      const firing = await (await fetch(`http://127.0.0.1:${promPort}/api/v1/alerts`)).text();
      const subjects = sns.published.map((p) => `${p.receivedAt - killedAt} ${p.params.get('Subject')}`).join('\n');
      throw new Error(`${error.message}\nPrometheus alerts: ${firing}\nSNS: ${subjects}\n${logs()}`);
    });
    t.diagnostic(`service killed → SNS publication after ${publication.receivedAt - killedAt} ms`);
    assert.equal(publication.params.get('Subject'), `[${ENV}] [FIRING] NodeappServiceDown (critical)`);
  });
});
