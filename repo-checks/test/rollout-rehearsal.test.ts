// A rehearsal of prod's canary (infra/config `deployment`), here: the service's processes (`node app/src/server.ts`,
// the code the image runs as dist/server.js) for the old and the new release, two each, on the real PostgreSQL; a
// proxy standing in for the ALB whose weights follow the strategy's steps (canaryPercent, then 100); and the
// deployment alarms' thresholds (infra/config `alarms`) evaluated by a real Prometheus on the services' own metrics.
// Time is compressed: one CloudWatch minute is SECONDS_PER_MINUTE seconds (periods, bake times, alarm windows).
// A good release completes with no failed request; a bad one (its API answers 5xx: it reads a column its schema
// lacks) trips the alarm within the canary step and goes back to 0 %, and the share of requests it failed is printed.
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '@nodeapp/infra/config/environments';
import { freePort, skipUnless } from '@nodeapp/test-support';
import { repoRoot } from '../src/repo.ts';
import { hasCommand } from '../src/run-script.ts';

const SECONDS_PER_MINUTE = 2;
const prod = loadConfig({}).environments.find((e) => e.name === 'prod');
const deployment = prod?.deployment;
const alarms = prod?.alarms;
const dbUrl = process.env.TEST_DATABASE_URL;
const available = hasCommand('prometheus') && hasCommand('psql') && Boolean(dbUrl);
const requirement = {
  missing: 'no Prometheus, psql or PostgreSQL server (TEST_DATABASE_URL)',
  howToGet: 'apt-get install prometheus postgresql (`npm test` then starts a throwaway server)',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const minutes = (m: number) => m * SECONDS_PER_MINUTE * 1000;

type Release = { name: string; procs: ChildProcess[]; ports: number[]; metricsPorts: number[] };
const children: ChildProcess[] = [];
const work = mkdtempSync(join(tmpdir(), 'rollout-rehearsal-'));
const databases: string[] = [];

function psql(url: string, sql: string): void {
  execFileSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { stdio: 'pipe' });
}
function databaseUrl(name: string): string {
  const url = new URL(dbUrl ?? '');
  url.pathname = `/${name}`;
  return url.toString();
}
function appEnv(url: string): Record<string, string> {
  const ca = process.env.TEST_DATABASE_CA_FILE;
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: url,
    ...(ca ? { DATABASE_SSL: 'verify-full', DATABASE_CA_FILE: ca } : {}),
  };
}

async function waitFor(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function startRelease(name: string, database: string, count: number): Promise<Release> {
  const release: Release = { name, procs: [], ports: [], metricsPorts: [] };
  for (let i = 0; i < count; i++) {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const proc = spawn(process.execPath, ['--liftoff-only', 'src/server.ts'], {
      cwd: join(repoRoot, 'app'),
      env: {
        ...appEnv(databaseUrl(database)),
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        LOG_LEVEL: 'warn',
        MIGRATE_ON_START: 'false', // as in ECS: the deploy migrated first
        RATE_LIMIT_READ_MAX: '1000000', // every request comes from the proxy's one address (the maximum)
        SHUTDOWN_DRAIN_SECONDS: '1',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.push(proc);
    release.procs.push(proc);
    release.ports.push(port);
    release.metricsPorts.push(metricsPort);
  }
  for (const port of release.ports) {
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).ok, `${name} on ${port}`);
  }
  return release;
}

/** The ALB stand-in: weighted forward between two releases (exact shares, round robin inside each). */
class WeightedProxy {
  readonly server: Server;
  weights: Record<string, number> = {};
  readonly pools: Record<string, number[]> = {};
  readonly counts: Record<string, { requests: number; failed: number }> = {};
  private credit: Record<string, number> = {};
  private next: Record<string, number> = {};
  constructor() {
    this.server = createServer((req, res) => {
      const release = this.pick();
      const pool = this.pools[release] ?? [];
      const index = ((this.next[release] ?? 0) + 1) % pool.length;
      this.next[release] = index;
      const port = pool[index] as number;
      this.counts[release] ??= { requests: 0, failed: 0 };
      const count = this.counts[release];
      count.requests++;
      const upstream = request({ host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers });
      upstream.on('response', (r) => {
        if ((r.statusCode ?? 0) >= 500) count.failed++;
        res.writeHead(r.statusCode ?? 502, { ...r.headers, 'x-release': release });
        r.pipe(res);
      });
      upstream.on('error', () => {
        count.failed++;
        res.writeHead(502, { 'x-release': release }).end();
      });
      req.pipe(upstream);
    });
  }
  /** Smooth weighted round robin: each release's share of requests is exactly its weight's. */
  private pick(): string {
    const names = Object.keys(this.weights).filter((n) => (this.weights[n] ?? 0) > 0);
    let best = names[0] as string;
    for (const n of names) {
      this.credit[n] = (this.credit[n] ?? 0) + (this.weights[n] ?? 0);
      if ((this.credit[n] ?? 0) > (this.credit[best] ?? 0)) best = n;
    }
    this.credit[best] = (this.credit[best] ?? 0) - names.reduce((s, n) => s + (this.weights[n] ?? 0), 0);
    return best;
  }
}

/** Steady client traffic through the proxy: reads of the API, as the guestbook page makes them. */
function startLoad(port: number, concurrency = 4): { stop: () => Promise<void> } {
  let running = true;
  const paths = ['/api/messages?limit=5', '/api/hello?name=canary'];
  const workers = Array.from({ length: concurrency }, async (_, w) => {
    for (let i = w; running; i++) {
      await fetch(`http://127.0.0.1:${port}${paths[i % paths.length]}`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

let prometheusPort = 0;
async function startPrometheus(targets: Record<string, number[]>): Promise<void> {
  assert.ok(alarms);
  prometheusPort = await freePort();
  const period = `${SECONDS_PER_MINUTE}s`;
  // infra/lib/constructs/alarms.ts's deployment alarms on the releases' own metrics: target 5xx above
  // target5xxCount per minute for 2 periods; p99 above p99LatencySeconds for 4 periods.
  const rules = {
    groups: [
      {
        name: 'deployment-alarms',
        interval: '1s',
        rules: [
          {
            alert: 'Target5xx',
            expr: `sum by (release) (increase(http_request_duration_seconds_count{status_code=~"5.."}[${period}])) > ${alarms.target5xxCount}`,
            for: `${2 * SECONDS_PER_MINUTE - 1}s`,
          },
          {
            alert: 'P99Latency',
            expr: `histogram_quantile(0.99, sum by (release, le) (rate(http_request_duration_seconds_bucket[${period}]))) > ${alarms.p99LatencySeconds}`,
            for: `${4 * SECONDS_PER_MINUTE - 1}s`,
          },
        ],
      },
    ],
  };
  const scrape = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [join(work, 'rules.json')],
    scrape_configs: [
      {
        job_name: 'app',
        static_configs: Object.entries(targets).map(([release, ports]) => ({
          targets: ports.map((p) => `127.0.0.1:${p}`),
          labels: { release },
        })),
      },
    ],
  };
  writeFileSync(join(work, 'rules.json'), JSON.stringify(rules));
  writeFileSync(join(work, 'prometheus.json'), JSON.stringify(scrape));
  const proc = spawn(
    'prometheus',
    [
      `--config.file=${join(work, 'prometheus.json')}`,
      `--storage.tsdb.path=${join(work, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
    ],
    { stdio: 'ignore' },
  );
  children.push(proc);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${prometheusPort}/-/ready`)).ok, 'Prometheus');
}

async function firing(release: string): Promise<string[]> {
  const body = (await (await fetch(`http://127.0.0.1:${prometheusPort}/api/v1/alerts`)).json()) as {
    data: { alerts: { state: string; labels: { alertname: string; release?: string } }[] };
  };
  return body.data.alerts
    .filter((a) => a.state === 'firing' && a.labels.release === release)
    .map((a) => a.labels.alertname);
}

/** Holds a step for `ms`, polling the alarms; returns the alarms that fired (rollback) or [] (the step passed). */
async function bake(release: string, ms: number): Promise<string[]> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const alerts = await firing(release);
    if (alerts.length > 0) return alerts;
    await sleep(250);
  }
  return [];
}

async function stop(release: Release): Promise<void> {
  await Promise.all(
    release.procs.map(
      (p) =>
        new Promise<void>((resolve) => {
          if (p.exitCode !== null) return resolve();
          p.once('exit', () => resolve());
          p.kill('SIGTERM');
        }),
    ),
  );
}

describe('rollout rehearsal (prod canary, time compressed)', {
  skip: skipUnless(available, requirement),
  timeout: 300_000,
}, () => {
  const proxy = new WeightedProxy();
  let proxyPort = 0;
  let old: Release;
  let good: Release;
  let bad: Release;

  before(async () => {
    assert.ok(deployment?.strategy === 'canary', 'prod deploys as a canary');
    const suffix = `${process.pid}`;
    for (const name of [`rehearsal_ok_${suffix}`, `rehearsal_bad_${suffix}`]) {
      psql(dbUrl ?? '', `CREATE DATABASE ${name}`);
      databases.push(name);
      // The deploy's migrate task: the contract's migrate command, once, before any release starts.
      execFileSync(process.execPath, ['--liftoff-only', 'src/migrate.ts'], {
        cwd: join(repoRoot, 'app'),
        env: appEnv(databaseUrl(name)),
        stdio: 'pipe',
      });
    }
    // The bad release's schema lacks the column its queries read: healthy (SELECT 1), 500 on /api/messages.
    psql(databaseUrl(databases[1] ?? ''), 'ALTER TABLE messages RENAME COLUMN text TO body');
    [old, good, bad] = await Promise.all([
      startRelease('old', databases[0] ?? '', 2),
      startRelease('good', databases[0] ?? '', 2),
      startRelease('bad', databases[1] ?? '', 2),
    ]);
    Object.assign(proxy.pools, { old: old.ports, good: good.ports, bad: bad.ports });
    await startPrometheus({ old: old.metricsPorts, good: good.metricsPorts, bad: bad.metricsPorts });
    proxyPort = await freePort();
    await new Promise<void>((resolve) => proxy.server.listen(proxyPort, '127.0.0.1', resolve));
  });

  after(async () => {
    proxy.server.close();
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const name of databases) {
      try {
        psql(dbUrl ?? '', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch {
        // best effort: the throwaway server goes away with the run
      }
    }
    rmSync(work, { recursive: true, force: true });
  });

  /** One canary deploy of `next` over `from`: canaryPercent for canaryBakeMinutes, then all for bakeMinutes. */
  async function deploy(from: string, next: string) {
    assert.ok(deployment?.strategy === 'canary');
    const steps: string[] = [];
    const started = Date.now();
    proxy.weights = { [from]: 100 - deployment.canaryPercent, [next]: deployment.canaryPercent };
    steps.push(`${next} ${deployment.canaryPercent} %`);
    let alerts = await bake(next, minutes(deployment.canaryBakeMinutes));
    if (alerts.length === 0) {
      proxy.weights = { [next]: 100 };
      steps.push(`${next} 100 %`);
      alerts = await bake(next, minutes(deployment.bakeMinutes));
    }
    if (alerts.length > 0) {
      proxy.weights = { [from]: 100 }; // ECS's rollback: production back on the old release
      const seconds = (Date.now() - started) / 1000;
      steps.push(
        `rolled back (${alerts.join(', ')}) ${seconds.toFixed(1)} s = ${(seconds / SECONDS_PER_MINUTE).toFixed(1)} min in`,
      );
    }
    return { steps, rolledBack: alerts.length > 0 };
  }

  // About a minute of compressed deploys (prod's 10 + 15 minutes of bake at 2 s a minute, then the bad canary).
  test('a good release completes with no failed request; a bad one is rolled back by its alarm', {
    timeout: 240_000,
  }, async () => {
    proxy.weights = { old: 100 };
    const load = startLoad(proxyPort);
    await sleep(minutes(1));
    const first = await deploy('old', 'good');
    // Clean-up: the old release is out of rotation; its tasks stop only now (in-flight requests done).
    await stop(old);
    const afterGood = structuredClone(proxy.counts);
    const second = await deploy('good', 'bad');
    await sleep(minutes(1));
    await load.stop();
    const total = Object.values(proxy.counts).reduce((s, c) => s + c.requests, 0);
    const failed = Object.values(proxy.counts).reduce((s, c) => s + c.failed, 0);
    console.log(
      `rehearsal: good release ${first.steps.join(' → ')}; bad release ${second.steps.join(' → ')}; ` +
        `${total} requests, ${failed} failed (${((100 * failed) / total).toFixed(2)} %), ` +
        `by release ${JSON.stringify(proxy.counts)}`,
    );
    assert.equal(first.rolledBack, false, `the good release rolled back: ${first.steps}`);
    assert.equal((afterGood.old?.failed ?? 0) + (afterGood.good?.failed ?? 0), 0, 'no failed request');
    assert.ok((afterGood.good?.requests ?? 0) > 0);
    assert.equal(second.rolledBack, true, 'the bad release was not rolled back');
    assert.equal(second.steps.length, 2, `rolled back in the canary step: ${second.steps.join(' → ')}`);
    const badShare = (proxy.counts.bad?.requests ?? 0) / total;
    assert.ok(badShare < 0.2, `the bad release got ${(100 * badShare).toFixed(1)} % of all requests`);
    assert.ok((proxy.counts.good?.failed ?? 0) === 0);
  });
});
