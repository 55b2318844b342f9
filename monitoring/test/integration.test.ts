// End to end, on this machine: the built service, a dnsmasq answering the Cloud Map SRV name of the ECS config
// with the service's metrics address, Prometheus with the ECS config (in a mount namespace whose resolv.conf points
// at that dnsmasq, or, where namespaces are not permitted, with that dnsmasq listed first in resolv.conf),
// Alertmanager with the real routing tree, and a webhook receiver standing in for e-mail/Slack.
// Test-only changes to the real files, each needed for speed: 1 s scrape/evaluation intervals, `for: 0s` on the
// alerts, the Alertmanager address, and webhook receivers (same names) instead of SMTP/Slack.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, requireOrSkip } from '@nodeapp/test-support';
import { parse, stringify } from 'yaml';
import { generatedFiles } from '../src/generate.ts';
import { APP_SRV_NAME } from '../src/prometheus-config.ts';
import { httpOk, Processes, sleep, stop, waitFor } from './support/processes.ts';
import { expandGrafanaVariables, metricNames } from './support/promql.ts';
import { allRules, ruleFiles, ruleGroups } from './support/rules.ts';
import { MONITORING_DIR, REPO_DIR, requireTools, run } from './support/tools.ts';

const TASK_ID = '0f1e2d3c4b5a69788796a5b4c3d2e1f0'; // looks like an ECS task id: Cloud Map names the task record after it
// A second SRV answer whose port nobody listens on: a task that stopped answering (drives the warning route).
const DEAD_TASK_ID = '9a8b7c6d5e4f30211203f4e5d6c7b8a9';

interface Hook {
  path: string;
  receivedAt: number;
  body: {
    receiver: string;
    status: string;
    alerts: { status: string; labels: Record<string, string>; startsAt: string }[];
  };
}

function startWebhook(hooks: Hook[]): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', receivedAt: Date.now(), body: JSON.parse(body) });
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

function prometheusTestConfig(dir: string, prometheusPort: number, alertmanagerPort: number): string {
  const config = parse(generatedFiles().get('prometheus/prometheus.yml') ?? '');
  config.global.scrape_interval = '1s';
  config.global.scrape_timeout = '1s';
  config.global.evaluation_interval = '1s';
  config.alerting.alertmanagers[0].static_configs[0].targets = [`127.0.0.1:${alertmanagerPort}`];
  // Real rules, with `for` shortened so an alert fires within the test's time.
  config.rule_files = ruleFiles().map((file) => {
    const groups = ruleGroups(file).map((group) => ({
      ...group,
      rules: group.rules.map((rule) => (rule.alert ? { ...rule, for: '0s' } : rule)),
    }));
    writeFileSync(join(dir, file), stringify({ groups }));
    return join(dir, file);
  });
  // The self-scrapes: the same jobs, at the test's ports instead of the task's localhost:9090/9093.
  const selfTargets: Record<string, string> = {
    prometheus: `127.0.0.1:${prometheusPort}`,
    alertmanager: `127.0.0.1:${alertmanagerPort}`,
  };
  for (const job of config.scrape_configs as { job_name: string; static_configs?: { targets: string[] }[] }[]) {
    const target = selfTargets[job.job_name];
    if (target && job.static_configs) job.static_configs = [{ targets: [target] }];
  }
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  return join(dir, 'prometheus.yml');
}

function alertmanagerTestConfig(dir: string, hookPort: number): string {
  const config = parse(readFileSync(join(MONITORING_DIR, 'alertmanager', 'alertmanager.yml'), 'utf8'));
  delete config.global;
  Object.assign(config.route, { group_wait: '0s', group_interval: '1s' });
  config.receivers = config.receivers.map((r: { name: string }) => ({
    name: r.name,
    webhook_configs: [{ url: `http://127.0.0.1:${hookPort}/${r.name}`, send_resolved: true }],
  }));
  writeFileSync(join(dir, 'alertmanager.yml'), stringify(config));
  return join(dir, 'alertmanager.yml');
}

async function promQuery(
  port: number,
  expr: string,
): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const response = await fetch(url);
  const body = (await response.json()) as { status: string; error?: string; data?: { result: [] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data?.result ?? [];
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

test('metrics are discovered through Cloud Map SRV, every dashboard and rule query works, alerts reach the receiver', async (t) => {
  const tools = requireTools(t, ['prometheus', 'prometheus-alertmanager', 'dnsmasq']);
  if (!tools) return;
  const rootRequirement = {
    missing: 'not root (dnsmasq serves the SRV record on port 53, which Prometheus always asks)',
    howToGet: 'run it as root: sudo npm test -w monitoring, or sudo bash .ci/run',
  };
  if (!requireOrSkip(t, process.getuid?.() === 0, rootRequirement)) return;

  // Prometheus always asks the nameservers of /etc/resolv.conf on port 53. Preferred: a private mount namespace
  // with its own resolv.conf (needs CAP_SYS_ADMIN); else, as root, a temporary entry in the real one.
  // MONITORING_E2E_NO_UNSHARE=1 forces the fallback (to exercise it on a machine that has namespaces).
  const privateMountNamespace =
    !process.env.MONITORING_E2E_NO_UNSHARE && spawnSync('unshare', ['-m', 'true']).status === 0;

  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-monitoring-'));
  const processes = new Processes();
  const hooks: Hook[] = [];
  const webhook = await startWebhook(hooks);
  t.after(async () => {
    await processes.stopAll();
    webhook.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // The real service, built as the container builds it.
  run('npm', ['run', 'build', '-w', 'app'], REPO_DIR);
  const [appPort, metricsPort, promPort, amPort, deadPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  // Embedded PostgreSQL (PGlite) in a temp folder: this test is about metrics, not about the database server.
  const appEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(appEnv)) if (name.startsWith('DATABASE_')) delete appEnv[name];
  const app = processes.start('app', process.execPath, ['dist/server.js'], {
    cwd: join(REPO_DIR, 'app'),
    env: {
      ...appEnv,
      HOST: '127.0.0.1',
      PORT: String(appPort),
      METRICS_PORT: String(metricsPort),
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
      APP_VERSION: '1.2.3-test',
      GIT_COMMIT: 'abcdef0',
    },
    logFile: join(dir, 'app.log'),
  });
  const appUrl = `http://127.0.0.1:${appPort}`;
  // dnsmasq on port 53 of a random loopback address: Prometheus always asks port 53 of its resolv.conf.
  const dnsIp = `127.${20 + Math.floor(Math.random() * 200)}.${1 + Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
  const taskHost = `${TASK_ID}.${APP_SRV_NAME}`;
  const dnsmasq = processes.start(
    'dnsmasq',
    tools.dnsmasq,
    [
      '--keep-in-foreground',
      '--conf-file=/dev/null',
      '--no-resolv',
      '--no-hosts',
      `--pid-file=${join(dir, 'dnsmasq.pid')}`,
      `--listen-address=${dnsIp}`,
      '--bind-interfaces',
      '--port=53',
      `--host-record=${taskHost},127.0.0.1`,
      `--srv-host=${APP_SRV_NAME},${taskHost},${metricsPort}`,
      `--host-record=${DEAD_TASK_ID}.${APP_SRV_NAME},127.0.0.1`,
      `--srv-host=${APP_SRV_NAME},${DEAD_TASK_ID}.${APP_SRV_NAME},${deadPort}`,
    ],
    { logFile: join(dir, 'dnsmasq.log') },
  );
  await sleep(200);
  assert.equal(dnsmasq.exitCode, null, `dnsmasq exited: ${readFileSync(join(dir, 'dnsmasq.log'), 'utf8')}`);
  writeFileSync(join(dir, 'resolv.conf'), `nameserver ${dnsIp}\n`);

  processes.start(
    'alertmanager',
    tools['prometheus-alertmanager'],
    [
      `--config.file=${alertmanagerTestConfig(dir, webhook.port)}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
    ],
    { logFile: join(dir, 'alertmanager.log') },
  );
  const promConfig = prometheusTestConfig(dir, promPort, amPort);
  const prometheusArgs = [
    `--config.file=${promConfig}`,
    `--storage.tsdb.path=${join(dir, 'prom')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    '--rules.alert.resend-delay=1s',
  ];
  const promStartedAt = Date.now();
  if (privateMountNamespace) {
    // Only Prometheus sees the test resolv.conf; the machine's stays untouched.
    processes.start(
      'prometheus',
      'unshare',
      [
        '-m',
        'sh',
        '-c',
        'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"',
        'sh',
        join(dir, 'resolv.conf'),
      ].concat(tools.prometheus, prometheusArgs),
      { logFile: join(dir, 'prometheus.log') },
    );
  } else {
    // No mount namespaces here (an unprivileged container, like CI's job container): put the test resolver first
    // in the container's own resolv.conf for the test's duration. Other names still resolve: dnsmasq refuses
    // them and the resolver moves on to the original servers.
    const original = readFileSync('/etc/resolv.conf', 'utf8');
    writeFileSync('/etc/resolv.conf', `nameserver ${dnsIp}\n${original}`);
    t.after(() => writeFileSync('/etc/resolv.conf', original));
    t.diagnostic('mount namespaces not permitted: /etc/resolv.conf temporarily lists the test resolver first');
    processes.start('prometheus', tools.prometheus, prometheusArgs, { logFile: join(dir, 'prometheus.log') });
  }
  const logs = () =>
    ['prometheus.log', 'alertmanager.log', 'dnsmasq.log']
      .map((f) => `--- ${f}\n${readFileSync(join(dir, f), 'utf8')}`)
      .join('\n');

  // The service starts meanwhile (embedded PostgreSQL takes seconds on a busy machine); discovery does not wait.
  const discovered = waitFor('the task in service discovery', 60_000, async () => {
    const result = await promQuery(promPort, 'up{job="app"}');
    return result.length > 0 ? Date.now() : undefined;
  });
  discovered.catch(() => undefined); // awaited below; this only keeps an early failure from being unhandled
  await waitFor('the service to be ready', 60_000, () => httpOk(`${appUrl}/health/ready`)).catch((error) => {
    throw new Error(`${error.message}\n${readFileSync(join(dir, 'app.log'), 'utf8')}`);
  });
  let trafficDone = false;
  const trafficRun = traffic(appUrl, () => trafficDone);

  await t.test('Prometheus discovers the task through the SRV record and scrapes it (up == 1)', async () => {
    t.diagnostic(`Prometheus start → target discovered after ${(await discovered) - promStartedAt} ms`);
    const up = await waitFor('up{job="app"} == 1', 60_000, async () => {
      const result = await promQuery(promPort, 'up{job="app"} == 1');
      return result[0];
    }).catch((error) => {
      throw new Error(`${error.message}\n${logs()}`);
    });
    t.diagnostic(`Prometheus start → up == 1 after ${Date.now() - promStartedAt} ms`);
    assert.equal(up.metric.task, TASK_ID, 'task label = the ECS task id from the SRV target');
    assert.equal(up.metric.instance, `${TASK_ID}:${metricsPort}`);
    const selfScrapes = await waitFor('the prometheus and alertmanager self-scrapes', 20_000, async () => {
      const result = await promQuery(promPort, 'up{job=~"prometheus|alertmanager"} == 1');
      return result.length === 2 ? result : undefined;
    });
    assert.deepEqual(selfScrapes.map((r) => r.metric.job).sort(), ['alertmanager', 'prometheus']);
  });

  // Let a few scrapes and rule evaluations see the traffic (rates need two samples after it began).
  await sleep(4000);
  trafficDone = true;
  const sent = await trafficRun;
  assert.ok(sent > 50, `only ${sent} requests sent`);
  await sleep(1500);

  // Series names in the TSDB, plus every metric family the target announced (a labelled counter that never
  // counted, like db_query_errors_total on a healthy service, has HELP/TYPE but no sample yet).
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
      assert.equal(all.length, allRules().length);
      for (const rule of all) assert.equal(rule.health, 'ok', `${rule.name}: ${rule.health} ${rule.lastError ?? ''}`);
    },
  );

  const firingHook = (alertname: string, task?: string, since = 0) =>
    hooks.find((h) =>
      h.body.alerts.some(
        (a) =>
          a.labels.alertname === alertname &&
          a.status === 'firing' &&
          (task === undefined || a.labels.task === task) &&
          Date.parse(a.startsAt) >= since,
      ),
    );

  await t.test('a task that stops answering fires NodeappTargetDown, routed to the warning receiver', async () => {
    const hook = await waitFor('NodeappTargetDown at the webhook', 30_000, async () =>
      firingHook('NodeappTargetDown', DEAD_TASK_ID),
    ).catch((error) => {
      throw new Error(`${error.message}\nhooks: ${JSON.stringify(hooks)}\n${logs()}`);
    });
    assert.equal(hook.path, '/slack-warning');
    assert.equal(hook.body.receiver, 'slack-warning');
  });

  await t.test(
    'the service going down fires NodeappServiceDown, routed by Alertmanager to the critical receiver',
    async () => {
      const killedAt = Date.now();
      await stop(app, 'SIGKILL');
      const hook = await waitFor('NodeappServiceDown at the webhook', 30_000, async () =>
        firingHook('NodeappServiceDown', undefined, killedAt - 1000),
      ).catch((error) => {
        throw new Error(`${error.message}\nhooks: ${JSON.stringify(hooks)}\n${logs()}`);
      });
      t.diagnostic(`service killed → alert at the webhook after ${hook.receivedAt - killedAt} ms`);
      assert.equal(hook.path, '/critical-email-slack');
      assert.equal(hook.body.receiver, 'critical-email-slack');
      const alert = hook.body.alerts.find((a) => a.labels.alertname === 'NodeappServiceDown');
      assert.equal(alert?.labels.severity, 'critical');
      assert.equal(alert?.labels.job, 'app');

      // The inhibition rule: while the service is down, Alertmanager holds back the killed task's TargetDown.
      const inhibited = await waitFor(
        'TargetDown of the killed task inhibited by NodeappServiceDown',
        15_000,
        async () => {
          const response = await fetch(
            `http://127.0.0.1:${amPort}/api/v2/alerts?filter=${encodeURIComponent(`task="${TASK_ID}"`)}`,
          );
          const alerts = (await response.json()) as {
            labels: Record<string, string>;
            status: { inhibitedBy: string[] };
          }[];
          return alerts.find((a) => a.labels.alertname === 'NodeappTargetDown' && a.status.inhibitedBy.length > 0);
        },
      );
      assert.equal(inhibited.labels.task, TASK_ID);
    },
  );
});
