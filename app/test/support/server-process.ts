// Runs the built server (dist/server.js) as a child process, as the container does.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServerDatabase, postgresAvailable, seedPgliteDataDir, testDatabaseEnv } from '../helpers.ts';

export const appDir = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  logs: Record<string, unknown>[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/**
 * Starts dist/server.js on free ports with a fresh database: on the test PostgreSQL server when there
 * is one (as in production), else embedded in a temp DATA_DIR.
 */
export async function startServer(
  env: Record<string, string> = {},
  options: { dataDir?: string; nodeArgs?: string[]; ipc?: boolean } = {},
): Promise<ServerProcess> {
  const entry = join(appDir, 'dist', 'server.js');
  if (!existsSync(entry)) throw new Error('dist/server.js is missing: run `npm run build -w app` first');
  // A caller-provided DATA_DIR is the caller's to seed and remove.
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'nodeapp-server-'));
  let databaseEnv: Record<string, string> = { DATA_DIR: dataDir };
  let dropDatabase = async () => {};
  if (!ownDataDir) {
    // embedded, in the given folder
  } else if (postgresAvailable()) {
    const server = await createServerDatabase();
    databaseEnv = testDatabaseEnv(server.url);
    dropDatabase = server.drop;
  } else {
    await seedPgliteDataDir(dataDir);
  }
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: appDir,
    env: { PATH: process.env.PATH, PORT: '0', METRICS_PORT: '0', HOST: '127.0.0.1', ...databaseEnv, ...env },
    stdio: options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
      resolve({ code, signal });
    }),
  );
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
        buffer = buffer.slice(newline + 1);
        logs.push(line);
        if (line.msg === 'ready') resolve(line);
        newline = buffer.indexOf('\n');
      }
    });
    // The service logs its start-up failure as a JSON line on stdout: show the last one with stderr.
    exited.then(({ code }) =>
      reject(new Error(`server exited early (${code}): ${stderr}${JSON.stringify(logs.at(-1) ?? buffer)}`)),
    );
  });
  const line = await ready;
  return {
    child,
    port: line.port as number,
    metricsPort: line.metricsPort as number,
    logs,
    stderr: () => stderr,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await dropDatabase();
    },
  };
}
