import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTestApp } from '../helpers.ts';

test('live and ready answer 200 while the database answers', async () => {
  const t = await buildTestApp();
  try {
    const live = await t.app.inject({ method: 'GET', url: '/health/live' });
    assert.equal(live.statusCode, 200);
    assert.deepEqual(live.json(), { status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
  } finally {
    await t.close();
  }
});

test('ready answers 503 once shutdown has begun, while live stays 200', async () => {
  const t = await buildTestApp();
  try {
    t.lifecycle.shuttingDown = true;
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'shutting down' });
    assert.equal((await t.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
  } finally {
    await t.close();
  }
});

test('ready answers 503 when the database is unreachable', async () => {
  const t = await buildTestApp();
  try {
    await t.db.close();
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 503);
    assert.deepEqual(ready.json(), { status: 'database unreachable' });
  } finally {
    await t.app.close();
  }
});
