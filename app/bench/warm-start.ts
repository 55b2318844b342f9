// `npm run bench:warm-start -w app`: how a new task copes with its first seconds. Each start launches the built
// service (as the image runs it: bench/service.ts) on a PostgreSQL database of its own, and from the moment
// /health/ready answers 200 sends GET /api/messages at a fixed rate (open loop: bench/open-loop.ts). The figure is
// the p99 of the requests sent in the first WINDOW seconds over the p99 of the same load once warm (the requests
// sent WARM_AFTER..WARM_AFTER+WINDOW seconds in), per start: both from the same process in the same minute, so
// the rest of this machine's load weighs on both. The ablation runs the same starts with each WARMUP_ROUNDS
// value (0: no warm-up; 1: the pool's connections, their prepared statements and every route's first call; more:
// the JIT), interleaved start by start. PostgreSQL as for `npm run bench`: BENCH_DATABASE_URL or
// TEST_DATABASE_URL (+ TEST_DATABASE_CA_FILE for TLS).
//   node bench/warm-start.ts [--rate 200] [--starts 3] [--rounds 0,1,50] [--window 10] [--warm-after 20] [--gap 0]
// --gap: seconds between ready and the first request (the load balancer's health checks take 2 x 10 s before a
// new target gets traffic: infra/lib/constructs/app-service.ts).
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type MixEntry, openLoop, quantile, window } from './open-loop.ts';
import { postgresEnv, seed, startService } from './service.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    starts: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '0,1,50' },
    window: { type: 'string', default: '10' },
    'warm-after': { type: 'string', default: '20' },
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
const WARM_AFTER = positive('warm-after', values['warm-after']);
const GAP = positive('gap', values.gap, true);
const ROUNDS = values.rounds.split(',').map((r) => positive('rounds', r, true));
if (WARM_AFTER < WINDOW) {
  console.error('--warm-after: must be at least --window (the warm window follows the first one)');
  process.exit(1);
}

const database = await postgresEnv();
if (!database) {
  console.error('warm-start: needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL');
  process.exit(1);
}
const list: MixEntry[] = [{ method: 'GET', path: '/api/messages', weight: 1, status: 200 }];

interface StartResult {
  rounds: number;
  readyMs: number;
  firstP99: number;
  warmP99: number;
  errors: number;
  lagP99: number;
  load: number;
}
const results: StartResult[] = [];
try {
  // 50 messages: every list request returns a full page of 20.
  const seeder = await startService({ ...database.env, WARMUP_ROUNDS: '0' });
  await seed(seeder.port);
  await seeder.stop();
  for (let start = 0; start < STARTS; start++) {
    for (const rounds of ROUNDS) {
      const service = await startService({ ...database.env, WARMUP_ROUNDS: String(rounds) });
      try {
        if (GAP > 0) await sleep(GAP * 1000);
        const run = await openLoop(`http://127.0.0.1:${service.port}`, list, RATE, WARM_AFTER + WINDOW + 1);
        const first = window(run.samples, 0, WINDOW * 1000);
        const warm = window(run.samples, WARM_AFTER * 1000, (WARM_AFTER + WINDOW) * 1000);
        const result = {
          rounds,
          readyMs: service.readyMs,
          firstP99: quantile(
            first.map((s) => s.latencyMs),
            0.99,
          ),
          warmP99: quantile(
            warm.map((s) => s.latencyMs),
            0.99,
          ),
          errors: run.connectionErrors + run.samples.filter((s) => !s.ok).length,
          lagP99: quantile(run.lagMs, 0.99),
          load: loadavg()[0] ?? 0,
        };
        results.push(result);
        console.error(
          `start ${start + 1}, WARMUP_ROUNDS=${rounds}: ready ${Math.round(result.readyMs)} ms, first ${WINDOW} s p99 ${result.firstP99.toFixed(1)} ms, warm p99 ${result.warmP99.toFixed(1)} ms, ratio ${(result.firstP99 / result.warmP99).toFixed(2)}, errors ${result.errors}, generator lag p99 ${result.lagP99.toFixed(1)} ms, load ${result.load.toFixed(2)}`,
        );
      } finally {
        await service.stop();
      }
    }
  }
} finally {
  await database.drop();
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);
console.log(
  `\nGET /api/messages (PostgreSQL) at ${RATE} req/s from ready${GAP ? ` + ${GAP} s` : ''}: p99 of the first ${WINDOW} s / p99 of ${WARM_AFTER}-${WARM_AFTER + WINDOW} s, ${STARTS} fresh starts each\n`,
);
console.log(
  '| WARMUP_ROUNDS | start → ready ms | first p99 ms | warm p99 ms | ratio per start | worst ratio | errors | generator lag p99 ms | load avg |',
);
console.log('|---:|---|---|---|---|---:|---:|---:|---|');
for (const rounds of ROUNDS) {
  const rows = results.filter((r) => r.rounds === rounds);
  const list = (f: (r: StartResult) => number, digits = 1) => rows.map((r) => fmt(f(r), digits)).join(', ');
  const ratios = rows.map((r) => r.firstP99 / r.warmP99);
  console.log(
    `| ${rounds} | ${list((r) => r.readyMs, 0)} | ${list((r) => r.firstP99)} | ${list((r) => r.warmP99)} | ${ratios.map((r) => fmt(r, 2)).join(', ')} | ${fmt(Math.max(...ratios), 2)} | ${rows.reduce((a, r) => a + r.errors, 0)} | ${fmt(Math.max(...rows.map((r) => r.lagP99)))} | ${list((r) => r.load, 2)} |`,
  );
}
const configured = results.filter((r) => r.rounds === ROUNDS.at(-1));
const worst = Math.max(...configured.map((r) => r.firstP99 / r.warmP99));
console.log(
  `\ntarget: first ${WINDOW} s p99 / warm p99 ≤ 2 with WARMUP_ROUNDS=${ROUNDS.at(-1)}: worst of ${configured.length} starts ${fmt(worst, 2)} → ${worst <= 2 ? 'met' : '**not met**'}`,
);
// loadtest's keep-alive agents hold their sockets open after a run.
process.exit(0);
