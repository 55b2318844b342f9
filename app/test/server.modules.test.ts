// What the running service loads: not Node's bundled undici (fetch, WebSocket), which an ES module import of
// node:http pulls in with its lazy WebSocket getters (src/node-http.ts): ~750 KB of source kept on the heap for
// classes the service never uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from './support/server-process.ts';

// Node's list of the built-in modules loaded so far, written to stderr when the process ends.
const reportModules = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => writeSync(2, 'MODULES ' + JSON.stringify(process.moduleLoadList) + '\\n'));",
)}`;

test('the service, started and serving, has not loaded undici', async () => {
  const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0' }, { nodeArgs: ['--import', reportModules] });
  try {
    for (const path of ['/api/hello', '/api/messages', '/health/ready', '/nowhere']) {
      await (await fetch(`http://127.0.0.1:${server.port}${path}`)).arrayBuffer();
    }
    await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).arrayBuffer();
    server.child.kill('SIGTERM');
    const { code } = await server.exited;
    assert.equal(code, 0, server.stderr());
    const line = /^MODULES (.*)$/m.exec(server.stderr());
    assert.ok(line, `no module list on stderr: ${server.stderr()}`);
    const modules = JSON.parse(line[1] ?? '[]') as string[];
    assert.ok(modules.includes('NativeModule http'), 'the list is the server process’s (it has node:http)');
    assert.deepEqual(
      modules.filter((m) => m.includes('undici')),
      [],
    );
  } finally {
    await server.stop();
  }
});
