// `node app/bench/container-start.ts <image> [<baseline image>]`: container start → ready with the embedded database
// (no DATABASE_URL: PGlite in DATA_DIR), as ECS runs the task: read-only root, no capabilities, a memory limit and no
// swap, /tmp writable. Each start is a new container; the images alternate (the baseline first in each round), so the
// ratio compares them under the same load on the machine.
// Per start: `run` → the first 200 from the contract's readiness path (what a load balancer waits for, engine
// included), and the service's own `startupMs` (process start → ready, from its "ready" log line). Once per round:
// the engine's own cost, `run --rm <image> node -e 0` (create, start, exit, remove). And node's CPU time up to ready,
// which other load on the machine does not inflate.
// With PULL=true the images are registry references: each start first pulls the image into a store without it (and
// removes it afterwards), so the table also has pull → pulled (what a new Fargate task does before it starts).
// Env: CONTAINER_ENGINE (podman | docker | a path to one, default podman), ENGINE_ARGS (global engine arguments, e.g.
// podman's --root of an empty store), PULL, PULL_ARGS (e.g. --tls-verify=false for a loopback registry), STARTS (5
// per image), MEMORY (512m), READY_TIMEOUT_MS (60000).
// Prints one table (medians, min–max) and the ratios this/baseline (median of the per-round ratios).
import { execFileSync, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadServiceContract } from '@nodeapp/contract';
import { freePort } from '@nodeapp/test-support';

const engine = process.env.CONTAINER_ENGINE ?? 'podman';
const engineArgs = (process.env.ENGINE_ARGS ?? '').split(' ').filter(Boolean);
const pull = process.env.PULL === 'true';
const pullArgs = (process.env.PULL_ARGS ?? '').split(' ').filter(Boolean);
const starts = Number(process.env.STARTS ?? 5);
const memory = process.env.MEMORY ?? '512m';
const readyTimeoutMs = Number(process.env.READY_TIMEOUT_MS ?? 60_000);
const images = process.argv.slice(2).reverse(); // the baseline (second argument) first in every round
if (images.length === 0 || images.length > 2 || !Number.isInteger(starts) || starts < 1) {
  console.error('usage: [STARTS=5] [MEMORY=512m] node app/bench/container-start.ts <image> [<baseline image>]');
  process.exit(1);
}
const readiness = loadServiceContract().health.readiness;
const hardening = ['--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
const limits = ['--memory', memory, '--memory-swap', memory];

interface Start {
  sizeBytes: number;
  pullMs: number;
  runToReadyMs: number;
  serviceMs: number;
  cpuMs: number;
  engineMs: number;
}

function docker(args: string[]): string {
  return execFileSync(engine, [...engineArgs, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
const quietly = (args: string[]) => spawnSync(engine, [...engineArgs, ...args], { encoding: 'utf8' });

async function startOnce(image: string, name: string): Promise<Start> {
  const port = await freePort();
  let metricsPort = await freePort();
  while (metricsPort === port) metricsPort = await freePort();
  let pullMs = Number.NaN;
  if (pull) {
    quietly(['rmi', '-f', image]);
    const pullStarted = performance.now();
    docker(['pull', ...pullArgs, image]);
    pullMs = performance.now() - pullStarted;
  }
  const sizeBytes = Number(docker(['image', 'inspect', '-f', '{{.Size}}', image]));
  const engineStarted = performance.now();
  const baseline = quietly([
    'run',
    '--rm',
    '--network',
    'none',
    ...hardening,
    '--entrypoint',
    'node',
    image,
    '-e',
    '0',
  ]);
  if (baseline.status !== 0) throw new Error(`${image}: node -e 0 failed: ${baseline.stderr}`);
  const engineMs = performance.now() - engineStarted;

  const started = performance.now();
  docker([
    'run',
    '-d',
    '--name',
    name,
    '--network',
    'host',
    ...hardening,
    ...limits,
    '--tmpfs',
    '/tmp:mode=1777',
    '-e',
    `PORT=${port}`,
    '-e',
    `METRICS_PORT=${metricsPort}`,
    '-e',
    'HOST=127.0.0.1',
    '-e',
    'METRICS_HOST=127.0.0.1',
    image,
  ]);
  try {
    for (;;) {
      const status = await fetch(`http://127.0.0.1:${port}${readiness}`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      if (performance.now() - started > readyTimeoutMs)
        throw new Error(`${image}: not ready after ${readyTimeoutMs} ms`);
      await sleep(10);
    }
    const runToReadyMs = performance.now() - started;
    // The CPU time node used up to now (all its threads: /proc/<pid>/stat utime + stime, in clock ticks of 10 ms):
    // unlike the wall-clock figures it does not grow when other work on the machine takes the CPU.
    const stat = quietly(['exec', name, 'cat', '/proc/1/stat']).stdout.split(') ')[1]?.split(' ') ?? [];
    const cpuMs = (Number(stat[11]) + Number(stat[12])) * 10;
    const logs = quietly(['logs', name]);
    const ready = `${logs.stdout}${logs.stderr}`.split('\n').find((l) => l.includes('"msg":"ready"'));
    const serviceMs = Number(/"startupMs":(\d+)/.exec(ready ?? '')?.[1] ?? Number.NaN);
    return { sizeBytes, pullMs, runToReadyMs, serviceMs, cpuMs, engineMs };
  } finally {
    quietly(['rm', '-f', '-v', name]);
    if (pull) quietly(['rmi', '-f', image]);
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
/** A registry reference by digest, shortened for the table: name@sha256:<12 hex>… */
const short = (image: string) => image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, '@sha256:$1…');
const range = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

const results = new Map<string, Start[]>(images.map((i) => [i, []]));
for (let round = 1; round <= starts; round++) {
  for (const image of images) {
    const start = await startOnce(image, `nodeapp-start-bench-${process.pid}-${round}`);
    results.get(image)?.push(start);
    console.error(
      `round ${round} ${short(image)}: run → ready ${Math.round(start.runToReadyMs)} ms, service ${start.serviceMs} ms`,
    );
  }
}

console.log(
  `\nContainer start → ready, embedded database, ${memory} memory limit, ${engine}, ${starts} starts per image:\n`,
);
const pullHead = pull ? ' pull ms (median, min–max) |' : '';
console.log(
  `| image | size MB |${pullHead} run → ready ms (median, min–max) | service start → ready ms | node CPU ms to ready | engine run + exit of node -e 0 ms |`,
);
console.log(`|---|---:|${pull ? '---:|' : ''}---:|---:|---:|---:|`);
for (const [image, rs] of results) {
  const col = (k: keyof Start) => `${Math.round(median(rs.map((r) => r[k])))} (${range(rs.map((r) => r[k]))})`;
  const size = ((rs[0]?.sizeBytes ?? Number.NaN) / 1e6).toFixed(1);
  const pulled = pull ? ` ${col('pullMs')} |` : '';
  console.log(
    `| ${short(image)} | ${size} |${pulled} ${col('runToReadyMs')} | ${col('serviceMs')} | ${col('cpuMs')} | ${col('engineMs')} |`,
  );
}
if (images.length === 2) {
  const [base, other] = images as [string, string];
  const b = results.get(base) ?? [];
  const o = results.get(other) ?? [];
  const ratio = (k: keyof Start) => median(o.map((r, i) => r[k] / (b[i]?.[k] ?? Number.NaN))).toFixed(2);
  console.log(
    `\n${short(other)} / ${short(base)} (median of the per-round ratios):${pull ? ` pull ${ratio('pullMs')},` : ''} run → ready ${ratio('runToReadyMs')}, service start → ready ${ratio('serviceMs')}, node CPU to ready ${ratio('cpuMs')}`,
  );
}
