// Log lines are buffered (src/logger.ts), never lost when the process ends: the process is ended each way it can
// end on its own - SIGTERM, process.exit, an uncaught exception, a fatal start-up error - and every line written
// before that is in its output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedPgliteDataDir } from './helpers.ts';
import { appDir, type ServerProcess, startServer } from './support/server-process.ts';

const preload = join(appDir, 'test', 'support', 'die-on-message.ts');

async function requestIds(server: ServerProcess, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/hello?name=n${i}`);
    await res.arrayBuffer();
    ids.push(res.headers.get('x-request-id') as string);
  }
  return ids;
}

function missingLines(server: ServerProcess, ids: string[]): string[] {
  const logged = new Set(server.logs.filter((l) => l.msg === 'request completed').map((l) => l.reqId));
  return ids.filter((id) => !logged.has(id));
}

const endings: [string, (server: ServerProcess) => void, number, string | undefined][] = [
  ['SIGTERM', (s) => s.child.kill('SIGTERM'), 0, 'stopped'],
  ['process.exit', (s) => s.child.send('exit'), 3, undefined],
  ['an uncaught exception', (s) => s.child.send('throw'), 1, 'unexpected error, shutting down'],
];

for (const [how, end, expectedCode, lastMessage] of endings) {
  test(`every log line written before ${how} is in the output`, async () => {
    const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0' }, { nodeArgs: ['--import', preload], ipc: true });
    try {
      const ids = await requestIds(server, 40);
      end(server);
      const { code } = await server.exited;
      assert.equal(code, expectedCode, server.stderr());
      assert.deepEqual(missingLines(server, ids), [], `lines lost on ${how}`);
      if (lastMessage)
        assert.ok(
          server.logs.some((l) => l.msg === lastMessage),
          `"${lastMessage}" logged`,
        );
    } finally {
      await server.stop();
    }
  });
}

test('a fatal start-up error: the lines before it and the fatal line itself are in the output', async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const { port } = taken.address() as { port: number };
  const dataDir = mkdtempSync(join(tmpdir(), 'nodeapp-fatal-'));
  try {
    await seedPgliteDataDir(dataDir);
    const child = spawn(process.execPath, ['dist/server.js'], {
      cwd: appDir,
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), METRICS_PORT: '0', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(code, 1);
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['database ready', 'cannot listen'],
    );
    assert.equal(lines[1]?.level, 'fatal');
  } finally {
    taken.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
