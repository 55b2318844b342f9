// `npm start` runs the TypeScript sources directly (Node 22.18+ strips the types): no compile step, so a start
// on an already-built checkout costs only the process start and the database open.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedPgliteDataDir } from './helpers.ts';
import { appDir } from './support/server-process.ts';

test('npm start compiles nothing: dist/ is left as it was, and the service answers', async () => {
  const built = join(appDir, 'dist', 'server.js');
  const before = existsSync(built) ? statSync(built).mtimeMs : undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'nodeapp-start-'));
  await seedPgliteDataDir(dataDir);
  // Its own process group, so that npm and the node it starts are stopped together.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: appDir,
    detached: true,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      METRICS_PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SHUTDOWN_DRAIN_SECONDS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    const ready = await new Promise<{ port: number }>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (chunk) => {
        buffer += chunk;
        for (const line of buffer.split('\n')) if (line.includes('"msg":"ready"')) resolve(JSON.parse(line));
      });
      exited.then((code) => reject(new Error(`npm start exited (${code}): ${stderr}`)));
    });
    assert.equal((await fetch(`http://127.0.0.1:${ready.port}/health/ready`)).status, 200);
    assert.equal(existsSync(built) ? statSync(built).mtimeMs : undefined, before, 'npm start rewrote dist/server.js');
  } finally {
    if (child.exitCode === null) process.kill(-(child.pid as number), 'SIGKILL');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
});
