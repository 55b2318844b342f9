import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { READY_CACHE_MS, sharedCheck } from '../../src/routes/health.ts';
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

test('ready pings the database at most once per second, however many callers (concurrent checks share one)', async () => {
  const t = await buildTestApp();
  try {
    let pings = 0;
    const query = t.db.query.bind(t.db);
    t.db.query = ((sql: string, ...rest: unknown[]) => {
      if (sql === 'SELECT 1') pings++;
      return (query as (...a: unknown[]) => unknown)(sql, ...rest);
    }) as typeof t.db.query;
    const burst = () =>
      Promise.all(Array.from({ length: 50 }, () => t.app.inject({ method: 'GET', url: '/health/ready' })));
    const first = await burst();
    assert.deepEqual(new Set(first.map((r) => r.statusCode)), new Set([200]));
    assert.equal(pings, 1, '50 concurrent callers, one ping');
    await burst();
    assert.equal(pings, 1, 'within the second: the cached result');
    await sleep(READY_CACHE_MS + 50);
    await burst();
    assert.equal(pings, 2, 'a second later: one new ping');
  } finally {
    await t.close();
  }
});

test('sharedCheck: a check in flight is shared, its failure too, and a new one starts only when it is old enough', async () => {
  let clock = 0;
  let calls = 0;
  let fail = false;
  const check = sharedCheck(
    async () => {
      calls++;
      await sleep(10);
      if (fail) throw new Error('down');
    },
    1000,
    () => clock,
  );
  await Promise.all([check(), check(), check()]);
  assert.equal(calls, 1);
  clock = 999;
  await check();
  assert.equal(calls, 1);
  clock = 1000;
  fail = true;
  const shared = [check(), check()];
  clock = 5000; // still in flight: shared, not restarted
  shared.push(check());
  for (const result of await Promise.allSettled(shared)) assert.equal(result.status, 'rejected');
  assert.equal(calls, 2);
  clock = 1500;
  await assert.rejects(check(), /down/, 'the failure is cached too');
  assert.equal(calls, 2);
  clock = 6000;
  fail = false;
  await check();
  assert.equal(calls, 3);
});
