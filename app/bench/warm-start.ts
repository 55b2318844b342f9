// `npm run bench:warm-start -w app`: how a new task copes with its first seconds. Each start launches the built
// service (as the image runs it: bench/service.ts) on a PostgreSQL database, and from the moment /health/ready
// answers 200 sends GET /api/messages at a fixed rate (open loop: bench/open-loop.ts) for WINDOW seconds. The same
// load goes at the same time to a twin that has been serving it for a while (the baseline in the same run): this
// machine is shared, and a burst of someone else's work lands on both. The figure is the new task's p99 over the
// twin's p99 in that window. The ablation runs the starts with each WARMUP_ROUNDS value (0: no warm-up; 1: the
// pool's connections, their prepared statements and every route's first call; more: the JIT too), interleaved
// start by start. PostgreSQL as for `npm run bench`: BENCH_DATABASE_URL or TEST_DATABASE_URL (+
// TEST_DATABASE_CA_FILE for TLS).
//   node bench/warm-start.ts [--rate 200] [--starts 3] [--rounds 50,10,0] [--window 10] [--gap 0]
// --gap: seconds between ready and the first request (the load balancer's health checks take 2 x 10 s before a
// new target gets traffic: infra/lib/constructs/app-service.ts). The last --rounds value is the one judged (the
// service's default: 0).
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type MixEntry, type OpenLoopResult, openLoop, quantile, window } from './open-loop.ts';
import { cpuSeconds, postgresEnv, renice, seed, startService } from './service.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    starts: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '50,10,0' },
    window: { type: 'string', default: '10' },
    gap: { type: 'string', default: '0' },
  },
});
function positive(name: string, text: string, allowZero = false): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    console.error(
      `--${name}: expected a ${allowZero ? 'non-negative' : 'positive'} number, got ${JSON.stringify(text)}`,
    );
    process.exit(1);
  }
  return n;
}
const RATE = positive('rate', values.rate);
const STARTS = positive('starts', values.starts);
const WINDOW = positive('window', values.window);
const GAP = positive('gap', values.gap, true);
// A variant: WARMUP_ROUNDS, optionally with more of the service's variables (`50+NAME=value`).
const ROUNDS = values.rounds.split(',');
function variantEnv(variant: string): Record<string, string> {
  const [rounds = '', ...extra] = variant.split('+');
  positive('rounds', rounds, true);
  return { WARMUP_ROUNDS: rounds, ...Object.fromEntries(extra.map((e) => e.split('=') as [string, string])) };
}
for (const variant of ROUNDS) variantEnv(variant);

// The generator and both servers get the CPU before the rest of a shared machine's work (when allowed: root).
const NICE = -20;
renice(undefined, NICE);
const database = await postgresEnv();
if (!database) {
  console.error('warm-start: needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL');
  process.exit(1);
}
const list: MixEntry[] = [{ method: 'GET', path: '/api/messages', weight: 1, status: 200 }];

interface StartResult {
  rounds: string;
  readyMs: number;
  firstP99: number;
  warmP99: number;
  /** Process CPU time (all threads: the JIT's too) per request over the window: robust to the machine's load. */
  firstCpuUs: number;
  warmCpuUs: number;
  errors: number;
  lagP99: number;
  load: number;
}
const results: StartResult[] = [];
try {
  // 50 messages: every list request returns a full page of 20.
  const twin = await startService({ ...database.env }, undefined, NICE);
  await seed(twin.port);
  // The twin serves the load for a while first: from then on it is the warm baseline.
  await openLoop(`http://127.0.0.1:${twin.port}`, list, RATE, 3 * WINDOW);
  try {
    for (let start = 0; start < STARTS; start++) {
      for (const rounds of ROUNDS) {
        const service = await startService({ ...database.env, ...variantEnv(rounds) }, undefined, NICE);
        try {
          if (GAP > 0) await sleep(GAP * 1000);
          const pids = [service, twin].map((s) => s.child.pid as number);
          const cpuBefore = pids.map(cpuSeconds);
          // Both for WINDOW s and one more: the requests still in flight when loadtest stops are not reported.
          const [fresh, warm] = await Promise.all(
            [service, twin].map((s) => openLoop(`http://127.0.0.1:${s.port}`, list, RATE, WINDOW + 1)),
          );
          const cpu = pids.map((pid, i) => cpuSeconds(pid) - (cpuBefore[i] as number));
          const cpuUs = (i: number, run: OpenLoopResult) =>
            ((cpu[i] as number) * 1e6) / Math.max(1, run.samples.length);
          const p99 = (run: OpenLoopResult) =>
            quantile(
              window(run.samples, 0, WINDOW * 1000).map((s) => s.latencyMs),
              0.99,
            );
          const errors = (run: OpenLoopResult) => run.connectionErrors + run.samples.filter((s) => !s.ok).length;
          const result = {
            rounds,
            readyMs: service.readyMs,
            firstP99: p99(fresh as OpenLoopResult),
            warmP99: p99(warm as OpenLoopResult),
            firstCpuUs: cpuUs(0, fresh as OpenLoopResult),
            warmCpuUs: cpuUs(1, warm as OpenLoopResult),
            errors: errors(fresh as OpenLoopResult) + errors(warm as OpenLoopResult),
            lagP99: quantile([...(fresh as OpenLoopResult).lagMs, ...(warm as OpenLoopResult).lagMs], 0.99),
            load: loadavg()[0] ?? 0,
          };
          results.push(result);
          console.error(
            `start ${start + 1}, WARMUP_ROUNDS=${rounds}: ready ${Math.round(result.readyMs)} ms, new task's first ${WINDOW} s p99 ${result.firstP99.toFixed(1)} ms, warm twin p99 ${result.warmP99.toFixed(1)} ms, ratio ${(result.firstP99 / result.warmP99).toFixed(2)}; CPU/request ${result.firstCpuUs.toFixed(0)} vs ${result.warmCpuUs.toFixed(0)} µs; errors ${result.errors}, generator lag p99 ${result.lagP99.toFixed(1)} ms, load ${result.load.toFixed(2)}`,
          );
        } finally {
          await service.stop();
        }
      }
    }
  } finally {
    await twin.stop();
  }
} finally {
  await database.drop();
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
console.log(
  `\nGET /api/messages (PostgreSQL) at ${RATE} req/s from ready${GAP ? ` + ${GAP} s` : ''}: p99 of a new task's first ${WINDOW} s / p99 of a warm twin under the same load at the same time, ${STARTS} fresh starts each\n`,
);
console.log(
  '| WARMUP_ROUNDS | start → ready ms | p99 ms: new / warm twin | p99 ratio per start | median | worst | CPU µs/request: new / twin | CPU ratio, median | errors | generator lag p99 ms | load avg |',
);
console.log('|---:|---|---|---|---:|---:|---|---:|---:|---:|---|');
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
for (const rounds of ROUNDS) {
  const rows = results.filter((r) => r.rounds === rounds);
  const list = (f: (r: StartResult) => string) => rows.map(f).join(', ');
  const ratios = rows.map((r) => r.firstP99 / r.warmP99);
  console.log(
    `| ${rounds} | ${list((r) => fmt(r.readyMs, 0))} | ${list((r) => `${fmt(r.firstP99, 0)}/${fmt(r.warmP99, 0)}`)} | ${ratios.map((r) => fmt(r, 2)).join(', ')} | ${fmt(median(ratios), 2)} | ${fmt(Math.max(...ratios), 2)} | ${list((r) => `${fmt(r.firstCpuUs, 0)}/${fmt(r.warmCpuUs, 0)}`)} | ${fmt(median(rows.map((r) => r.firstCpuUs / r.warmCpuUs)), 2)} | ${rows.reduce((a, r) => a + r.errors, 0)} | ${fmt(Math.max(...rows.map((r) => r.lagP99)))} | ${list((r) => fmt(r.load, 2))} |`,
  );
}
const configured = results.filter((r) => r.rounds === ROUNDS.at(-1));
const worst = Math.max(...configured.map((r) => r.firstP99 / r.warmP99));
console.log(
  `\ntarget: first ${WINDOW} s p99 / warm p99 ≤ 2 with WARMUP_ROUNDS=${ROUNDS.at(-1)}: worst of ${configured.length} starts ${fmt(worst, 2)} → ${worst <= 2 ? 'met' : '**not met**'}`,
);
// loadtest's keep-alive agents hold their sockets open after a run.
process.exit(0);
