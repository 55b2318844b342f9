// The built server as a user and the container run it: data survives a restart, and the container's
// health command reports liveness.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedPgliteDataDir } from './helpers.ts';
import { appDir, startServer } from './support/server-process.ts';

test('a message left before a restart is still there after it (embedded database in DATA_DIR)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nodeapp-restart-'));
  try {
    await seedPgliteDataDir(dataDir);
    const first = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0' }, { dataDir });
    const res = await fetch(`http://127.0.0.1:${first.port}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ana', text: 'still here?' }),
    });
    assert.equal(res.status, 201);
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, 0, first.stderr());

    const second = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0' }, { dataDir });
    try {
      const page = (await (await fetch(`http://127.0.0.1:${second.port}/api/messages`)).json()) as {
        messages: { name: string; text: string }[];
      };
      assert.deepEqual(
        page.messages.map((m: { name: string; text: string }) => [m.name, m.text]),
        [['Ana', 'still here?']],
      );
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the container health command exits 0 while the server is live, 1 when nothing answers', async () => {
  const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0' });
  const check = () =>
    spawnSync(process.execPath, ['dist/healthcheck.js'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, PORT: String(server.port) },
      timeout: 10_000,
    }).status;
  try {
    assert.equal(check(), 0);
    const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
    assert.match(metrics, /^nodeapp_info\{version="dev",commit="unknown",node_version="v[\d.]+"\} 1$/m);
    server.child.kill('SIGTERM');
    await server.exited;
    assert.equal(check(), 1);
  } finally {
    await server.stop();
  }
});
