// The built server's memory limit: below the embedded database's need it stops with one clear line (exit 1) instead
// of being killed by the kernel mid-start; with a limit it exports nodeapp_memory_limit_bytes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { appDir, startServer } from './support/server-process.ts';

test('a memory limit below the embedded database need: exit 1, one line naming the need, nothing written', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nodeapp-memory-'));
  try {
    const result = spawnSync(process.execPath, ['--liftoff-only', 'dist/server.js'], {
      cwd: appDir,
      env: {
        PATH: process.env.PATH,
        PORT: '0',
        METRICS_PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        MEMORY_LIMIT_BYTES: String(256 * 1048576),
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 1, result.stdout + result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1, result.stdout);
    const line = JSON.parse(lines[0] ?? '{}') as { level: unknown; msg: string; error: string };
    assert.ok(['fatal', '60'].includes(String(line.level)), lines[0]);
    assert.match(line.error, /needs \d+ MiB of memory to open its database, but the memory limit is 256 MiB/);
    assert.doesNotMatch(result.stdout + result.stderr, /\n\s+at /);
    assert.equal(existsSync(join(dataDir, 'pgdata')), false, 'refused before touching DATA_DIR');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('MEMORY_LIMIT_BYTES is exported as nodeapp_memory_limit_bytes', async () => {
  const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0', MEMORY_LIMIT_BYTES: String(4 * 1073741824) });
  try {
    const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    assert.match(metrics, /^nodeapp_memory_limit_bytes 4294967296$/m);
  } finally {
    await server.stop();
  }
});
