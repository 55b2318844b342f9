// `npm run bench:capacity -w app -- --image <ref> [options]`: how many requests per second one task of each size
// serves within the latency objective (p99 ≤ 100 ms, no errors: bench/capacity-search.ts). For each size the
// service's image runs under that CPU share and memory (`--cpus`, `--memory`: the container engine enforces the
// share as Fargate does), on a PostgreSQL database of its own, and gets the request mix at a fixed rate (open
// loop: bench/open-loop.ts) in steps: the rate grows until a step misses the objective, then the gap is halved. A step
// that misses it runs again (bench/capacity-search.ts stepVerdict): on a shared machine, noise only adds latency.
// The service's facts (its port, readiness path, environment, smoke requests) come from its contract
// (`--service <folder>`, default app). The request mix: `--mix <file>` (JSON: [{method, path, weight, status,
// body}]; this service's API mix is bench/api-mix.json), else the contract's smoke requests in equal shares.
// Rate limits are lifted for the run (RATE_LIMIT_MAX, RATE_LIMIT_READ_MAX): the load comes from one address.
// PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL (+ TEST_DATABASE_CA_FILE for TLS), reached from the
// container over the host's network.
//   node bench/capacity.ts --image app:local --mix bench/api-mix.json --out ../infra/config/capacity.json
// Options: --sizes 0.25:512,0.5:1024,1:2048 (vCPU:MiB, the environments' task sizes), --seconds 10 (per step),
// --start 40 (first rate per vCPU), --engine podman|docker (CONTAINER_ENGINE, default podman), --cpuset 0,
// --cpu-shares 262144 (the container's weight against the rest of the machine; '' for the engine's default).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { loadServiceContract } from '@nodeapp/contract';
import { freePort } from '@nodeapp/test-support';
import {
  type Attempt,
  capacity,
  mixFromFile,
  mixFromSmokeTests,
  nextRate,
  OBJECTIVE,
  parseSizes,
  type Step,
  stepResult,
  stepVerdict,
  type TaskSize,
} from './capacity-search.ts';
import { type MixEntry, openLoop, quantile } from './open-loop.ts';
import { postgresEnv, renice } from './service.ts';

function fail(message: string): never {
  console.error(`capacity: ${message}`);
  process.exit(1);
}

const { values } = parseArgs({
  options: {
    image: { type: 'string' },
    service: { type: 'string', default: 'app' },
    mix: { type: 'string' },
    sizes: { type: 'string', default: '0.25:512,0.5:1024,1:2048' },
    seconds: { type: 'string', default: '10' },
    start: { type: 'string', default: '40' },
    engine: { type: 'string', default: process.env.CONTAINER_ENGINE ?? 'podman' },
    cpuset: { type: 'string', default: '0' },
    'cpu-shares': { type: 'string', default: '262144' },
    out: { type: 'string' },
  },
});
if (!values.image) fail('--image: required (the service image to measure, e.g. app:local)');
const image = values.image;
const engine = values.engine;
const seconds = Number(values.seconds);
const startPerCpu = Number(values.start);
if (!(seconds >= 3)) fail(`--seconds: expected at least 3, got ${JSON.stringify(values.seconds)}`);
if (!(startPerCpu > 0)) fail(`--start: expected a positive number, got ${JSON.stringify(values.start)}`);
let sizes: TaskSize[];
let mix: MixEntry[];
const contract = (() => {
  try {
    return loadServiceContract(values.service);
  } catch (error) {
    return fail((error as Error).message);
  }
})();
try {
  sizes = parseSizes(values.sizes);
  mix = values.mix
    ? mixFromFile(JSON.parse(readFileSync(values.mix, 'utf8')), values.mix)
    : mixFromSmokeTests(contract.smokeTests, [contract.health.readiness, contract.health.liveness]);
} catch (error) {
  fail((error as Error).message);
}
if (spawnSync(engine, ['--version']).error) fail(`--engine: ${engine} not found`);

// Fargate guarantees a task its CPU share; on a shared machine the container gets the CPU first within its --cpus
// quota (--cpu-shares: the highest weight), and the load generator is niced up when allowed (root).
renice(undefined, -20);

const database = await postgresEnv();
if (!database) fail('needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL');

// Containers still running when the benchmark exits (an error, Ctrl-C) go with it.
const containers = new Set<string>();
process.once('exit', () => {
  for (const id of containers) spawnSync(engine, ['rm', '-f', '-t', '0', id]);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** Starts the image under `size` on free host ports; resolves with its base URL once readiness answers 200. */
async function startContainer(size: TaskSize): Promise<{ url: string; stop: () => void }> {
  const port = await freePort();
  const env: Record<string, string> = {
    ...contract.environment,
    ...database?.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(await freePort()),
    RATE_LIMIT_MAX: '1000000',
    RATE_LIMIT_READ_MAX: '1000000',
  };
  for (const [name, source] of Object.entries(contract.secrets)) {
    if ('generate' in source) env[name] = randomBytes(24).toString('hex');
  }
  const volumes: string[] = [];
  if (env.DATABASE_CA_FILE) {
    volumes.push('-v', `${resolve(env.DATABASE_CA_FILE)}:/run/bench-ca.crt:ro`);
    env.DATABASE_CA_FILE = '/run/bench-ca.crt';
  }
  const id = execFileSync(
    engine,
    [
      'run',
      '-d',
      '--rm',
      '--no-healthcheck',
      '--network',
      'host',
      '--cpus',
      String(size.cpu),
      ...(values.cpuset ? ['--cpuset-cpus', values.cpuset] : []),
      ...(values['cpu-shares'] ? ['--cpu-shares', values['cpu-shares']] : []),
      '--memory',
      `${size.memoryMiB}m`,
      ...volumes,
      ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      image,
    ],
    { encoding: 'utf8' },
  ).trim();
  containers.add(id);
  const stop = () => {
    containers.delete(id);
    spawnSync(engine, ['rm', '-f', '-t', '0', id]);
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      if ((await fetch(new URL(contract.health.readiness, url))).status === 200) return { url, stop };
    } catch {}
    await sleep(100);
  }
  const logs = spawnSync(engine, ['logs', '--tail', '20', id], { encoding: 'utf8' });
  stop();
  return fail(`the container did not become ready within 60 s:\n${logs.stdout}${logs.stderr}`);
}

/** One step: attempts until stepVerdict decides (bench/capacity-search.ts). */
async function step(url: string, rps: number): Promise<Step> {
  const attempts: Attempt[] = [];
  do {
    const run = await openLoop(url, mix, rps, seconds);
    const attempt = {
      rps,
      p99Ms: quantile(
        run.samples.map((s) => s.latencyMs),
        0.99,
      ),
      errors: run.connectionErrors + run.samples.filter((s) => !s.ok).length,
      requests: run.samples.length,
      lagP99Ms: quantile(run.lagMs, 0.99),
    };
    attempts.push(attempt);
    console.error(
      `  ${rps} req/s: p99 ${attempt.p99Ms.toFixed(1)} ms, errors ${attempt.errors}/${attempt.requests}, generator lag p99 ${attempt.lagP99Ms.toFixed(1)} ms, load ${(loadavg()[0] ?? 0).toFixed(2)}`,
    );
  } while (stepVerdict(attempts) === 'again');
  return stepResult(attempts);
}

interface SizeResult extends TaskSize {
  capacityRps: number;
  steps: Step[];
  load: number[];
}
// Every size's container runs for the whole measurement and the sizes take their steps in turn: the load the rest
// of a shared machine adds changes over minutes, and this way it weighs on every size alike.
const results: SizeResult[] = [];
try {
  const running: (SizeResult & { url: string; start: number; stop: () => void })[] = [];
  try {
    for (const size of sizes) {
      const container = await startContainer(size);
      const start = Math.max(1, Math.round(startPerCpu * size.cpu));
      running.push({ ...size, ...container, start, capacityRps: 0, steps: [], load: [] });
    }
    // A step at each first rate, not counted: the list has rows (the POSTs) and the tasks are past their first seconds.
    for (const r of running) await openLoop(r.url, mix, r.start, seconds);
    for (let active = running; active.length > 0; ) {
      for (const r of active) {
        const rps = nextRate(r.steps, r.start) as number;
        console.error(`${r.cpu} vCPU, ${r.memoryMiB} MiB:`);
        r.steps.push(await step(r.url, rps));
        r.load.push(loadavg()[0] ?? 0);
      }
      active = active.filter((r) => nextRate(r.steps, r.start) !== undefined && r.steps.length < 20);
    }
  } finally {
    for (const r of running) r.stop();
  }
  for (const { url: _u, start: _s, stop: _st, ...r } of running) results.push({ ...r, capacityRps: capacity(r.steps) });
} finally {
  await database?.drop();
}

const mixText = mix.map((m) => `${m.method} ${m.path} ×${m.weight}`).join(', ');
console.log(
  `\n${contract.name} (${image}): ${mixText}; objective p99 ≤ ${OBJECTIVE.p99Ms} ms, ${OBJECTIVE.errors} errors; ${seconds} s per step; ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n`,
);
console.log('| vCPU | memory MiB | capacity req/s | per vCPU | steps (req/s: p99 ms, errors) | load avg |');
console.log('|---:|---:|---:|---:|---|---|');
for (const r of results) {
  console.log(
    `| ${r.cpu} | ${r.memoryMiB} | ${r.capacityRps} | ${Math.round(r.capacityRps / r.cpu)} | ${r.steps.map((s) => `${s.rps}: ${s.p99Ms.toFixed(0)}, ${s.errors}`).join('; ')} | ${Math.min(...r.load).toFixed(1)}–${Math.max(...r.load).toFixed(1)} |`,
  );
}
if (values.out) {
  const file = {
    $comment: `GENERATED by app/bench/capacity.ts (BENCHMARKS.md "Capacity per task size"). Re-measure, do not edit.`,
    service: contract.name,
    mix: mix.map(({ method, path, weight, status }) => ({ method, path, weight, status })),
    objective: OBJECTIVE,
    stepSeconds: seconds,
    machine: { cores: cpus().length, loadAverage: loadavg()[0] },
    sizes: results.map(({ cpu, memoryMiB, capacityRps }) => ({ cpu, memoryMiB, capacityRps })),
  };
  writeFileSync(values.out, `${JSON.stringify(file, null, 2)}\n`);
  console.log(`\nwritten: ${values.out}`);
}
process.exit(0);
