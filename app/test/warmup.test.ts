// Warm-up before the port opens (src/warmup.ts, server.ts): every route's hot path runs, nothing is written, the
// pool's connections are open, and the warm-up's requests are not left in the metrics.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { requireOrSkip } from '@nodeapp/test-support';
import { createMessage, listMessages } from '../src/db/messages.ts';
import { migrate } from '../src/db/migrations.ts';
import { createMetrics } from '../src/metrics.ts';
import { WARM_UP_REQUESTS, warmUp } from '../src/warmup.ts';
import { buildTestApp, engines, postgresAvailable, postgresRequirement, seedPgliteDataDir } from './helpers.ts';
import { startServer } from './support/server-process.ts';

describe('warmUp', () => {
  test('sends every round, gets no server error, writes nothing and logs no request', async () => {
    const { app, db, logs, close } = await buildTestApp();
    try {
      await createMessage(db, 'Ana', 'before the warm-up');
      const result = await warmUp(app, { rounds: 3, concurrency: 4 });
      assert.equal(result.requests, 3 * (4 + WARM_UP_REQUESTS.length - 1));
      assert.equal(result.failures, 0);
      assert.deepEqual(
        (await listMessages(db, 100)).messages.map((m) => m.text),
        ['before the warm-up'],
      );
      assert.deepEqual(
        logs.filter((l) => l.msg === 'request completed'),
        [],
      );
      await app.inject({ method: 'GET', url: '/api/hello' });
      assert.equal(logs.filter((l) => l.msg === 'request completed').length, 1, 'the log level is restored');
    } finally {
      await close();
    }
  });

  test('each warm-up request is answered by its route, the POST refused by validation', async () => {
    const { app, close } = await buildTestApp();
    try {
      const statuses = [];
      for (const request of WARM_UP_REQUESTS) statuses.push((await app.inject(request)).statusCode);
      assert.deepEqual(statuses, [200, 200, 200, 200, 200, 400]);
    } finally {
      await close();
    }
  });

  const postgres = engines.find((e) => e.name === 'postgres');
  test('opens at least as many pool connections as it sends list reads at once (PostgreSQL)', async (t) => {
    if (!postgres || !requireOrSkip(t, postgresAvailable(), postgresRequirement)) return;
    const metrics = createMetrics({ version: 'test', commit: 'abc123' });
    const { db, cleanup } = await postgres.open(metrics);
    try {
      await migrate(db);
      const { app, close } = await buildTestApp({ db });
      try {
        await warmUp(app, { rounds: 1, concurrency: 4 });
        const pool = await metrics.registry.getSingleMetric('db_pool_connections')?.get();
        const total = pool?.values.find((v) => v.labels.state === 'total')?.value;
        // The two other reads of the round (the second list page, the readiness ping) may take two more.
        assert.ok(total !== undefined && total >= 4 && total <= 6, `pool connections: ${total}`);
      } finally {
        await close();
      }
    } finally {
      await cleanup();
    }
  });
});

describe('the service warms up before it listens', () => {
  test('on PostgreSQL: the ready line reports the warm-up, and the HTTP histogram starts empty', async (t) => {
    if (!requireOrSkip(t, postgresAvailable(), postgresRequirement)) return;
    const server = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0', WARMUP_ROUNDS: '2' });
    try {
      const ready = server.logs.find((l) => l.msg === 'ready') as { warmUp?: { requests: number; failures: number } };
      assert.ok(ready.warmUp && ready.warmUp.requests > 0, 'the ready line has the warm-up');
      assert.equal(ready.warmUp.failures, 0);
      const metrics = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text();
      assert.doesNotMatch(metrics, /^http_request_duration_seconds_count\{/m);
    } finally {
      await server.stop();
    }
  });

  test('WARMUP_ROUNDS=0 turns it off; the embedded database starts without it', async () => {
    const off = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0', WARMUP_ROUNDS: '0' });
    await off.stop();
    const dataDir = mkdtempSync(join(tmpdir(), 'nodeapp-warmup-'));
    try {
      await seedPgliteDataDir(dataDir);
      const embedded = await startServer({ SHUTDOWN_DRAIN_SECONDS: '0' }, { dataDir });
      await embedded.stop();
      const requests = (server: typeof off) =>
        (server.logs.find((l) => l.msg === 'ready') as { warmUp?: { requests: number } }).warmUp?.requests;
      assert.deepEqual([requests(off), requests(embedded)], [0, 0]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
