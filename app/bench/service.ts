// The servers the benchmarks start (npm run bench, bench/warm-start.ts, bench/capacity.ts): the service as the
// image runs it, the plain comparison servers, and a PostgreSQL database of their own for a run.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '@nodeapp/test-support';
import pg from 'pg';
import { imageRuntime } from './image.ts';

export const appDir = fileURLToPath(new URL('../', import.meta.url));
// The image's environment and node flags (bench/image.ts), so the service runs exactly as in the container. Every
// server gets the image's environment (MALLOC_ARENA_MAX, NODE_OPTIONS if set: like for like); the network and data
// settings are the bench's own. The CMD's node flags (V8 takes --liftoff-only only there) go to the service.
const IMAGE = imageRuntime(readFileSync(join(appDir, 'Dockerfile'), 'utf8'));
const { HOST: _h, PORT: _p, METRICS_HOST: _mh, METRICS_PORT: _mp, DATA_DIR: _d, ...imageEnv } = IMAGE.env;
export const IMAGE_ENV: Record<string, string> = imageEnv;
export const NODE_FLAGS = IMAGE.nodeFlags;

/** VmRSS (current) and VmHWM (peak) of a process, in MB. */
export function rss(pid: number): { current: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { current: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

export async function waitReady(url: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {}
    await sleep(5);
  }
}

export interface Server {
  child: ChildProcess;
  port: number;
  readyMs: number;
  stop(): Promise<void>;
}

// The servers still running when the benchmark exits (an error, Ctrl-C) go with it.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/**
 * The service as the image runs it. `nice`: a scheduling priority for it (root only; ignored when refused), so that a
 * benchmark on a shared machine can give its servers the CPU before the rest of the machine's work.
 */
/** Sets a process's scheduling priority when allowed (root); a benchmark runs on without it otherwise. */
export function renice(pid: number | undefined, nice: number): void {
  try {
    setPriority(pid ?? 0, nice);
  } catch {}
}

export async function startService(
  env: Record<string, string>,
  flags: string[] = NODE_FLAGS,
  nice?: number,
): Promise<Server> {
  const port = await freePort();
  const devNull = openSync('/dev/null', 'w');
  const startedAt = performance.now();
  const child = spawn(process.execPath, [...flags, 'dist/server.js'], {
    cwd: appDir,
    env: {
      PATH: process.env.PATH,
      ...IMAGE_ENV,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      RATE_LIMIT_MAX: '1000000',
      RATE_LIMIT_READ_MAX: '1000000',
      ...env,
    },
    stdio: ['ignore', devNull, 'inherit'],
  });
  running.add(child);
  if (nice !== undefined) renice(child.pid, nice);
  await waitReady(`http://127.0.0.1:${port}/health/ready`, child);
  const readyMs = performance.now() - startedAt;
  return { child, port, readyMs, stop: () => stop(child) };
}

/** bench/bare-server.js or bench/floor-server.js: plain JS servers with the one hello route; stdout (the
 * floor's log) to /dev/null. */
export async function startPlain(script: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  const startedAt = performance.now();
  const child = spawn(process.execPath, [script], {
    cwd: appDir,
    env: { PATH: process.env.PATH, ...IMAGE_ENV, ...env, PORT: String(port) },
    stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'],
  });
  running.add(child);
  await waitReady(`http://127.0.0.1:${port}/api/hello`, child);
  return { child, port, readyMs: performance.now() - startedAt, stop: () => stop(child) };
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    running.delete(child);
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Server CPU time (user + system) in seconds, from /proc: robust to other load on the machine. */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

export async function seed(port: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`http://127.0.0.1:${port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench ${i}`, text: `A benchmark message number ${i}, of a typical length.` }),
    });
    if (res.status !== 201) throw new Error(`seeding failed: ${res.status}`);
  }
}

export async function postgresEnv(): Promise<{ env: Record<string, string>; drop: () => Promise<void> } | undefined> {
  const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!base) return undefined;
  const caFile = process.env.BENCH_DATABASE_CA_FILE ?? process.env.TEST_DATABASE_CA_FILE;
  const ssl = caFile ? { ca: readFileSync(caFile, 'utf8') } : false;
  const name = `nodeapp_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: base, ssl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString(), ...(caFile ? { DATABASE_SSL: 'verify-full', DATABASE_CA_FILE: caFile } : {}) },
    async drop() {
      const c = new pg.Client({ connectionString: base, ssl });
      await c.connect();
      try {
        // The killed service leaves its sessions behind: end them. Not `WITH (FORCE)`: PostgreSQL 15 refuses
        // it while autovacuum is in the database (see test/helpers.ts); a plain DROP waits for the sessions.
        await c.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        await c.query(`DROP DATABASE IF EXISTS ${name}`);
      } finally {
        await c.end();
      }
    },
  };
}
