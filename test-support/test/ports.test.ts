import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freePort } from '../src/index.ts';

test('freePort gives a port that can then be listened on, different each time while held', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536, String(port));
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  try {
    assert.notEqual(await freePort(), port, 'a port in use is not offered');
  } finally {
    server.close();
  }
});
