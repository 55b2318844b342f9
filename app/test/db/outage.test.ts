// A database outage under a stream of writes: a real PostgreSQL is killed (immediate shutdown, as in a crash)
// while clients post messages, then restarted. While it is down the API answers 503 with Retry-After and the
// usual error body, readiness is 503, and no request waits longer than the connect/statement timeouts; when it
// returns the same process serves again, and every write it acknowledged (201) is in the database.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireOrSkip } from '@nodeapp/test-support';
import pg from 'pg';
import { READY_CACHE_MS } from '../../src/routes/health.ts';
import { type Cluster, clusterRequirement, postgresBinDir, startCluster } from '../support/postgres-cluster.ts';
import { startServer } from '../support/server-process.ts';

const CONNECT_TIMEOUT_MS = 1000;
const STATEMENT_TIMEOUT_MS = 1000;
// The pool's client-side query limit is the statement timeout + 1 s (src/db/postgres.ts).
const LONGEST_WAIT_MS = CONNECT_TIMEOUT_MS + STATEMENT_TIMEOUT_MS + 1000;

/** Waits for a condition; a generous deadline turns a service that never gets there into a failure, not a hang. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  retryAfter: string | undefined;
  phase: string;
}

function call(port: number, method: string, path: string, agent: Agent, payload?: unknown): Promise<Answer> {
  const body = payload === undefined ? undefined : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        agent,
        headers: body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text) as Record<string, unknown>,
            retryAfter: res.headers['retry-after'] as string | undefined,
            phase: '',
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('PostgreSQL killed under writes: 503 + Retry-After while down, recovery without restart, no acknowledged write lost', async (t) => {
  if (!requireOrSkip(t, postgresBinDir() !== undefined, clusterRequirement)) return;
  let cluster: Cluster | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'nodeapp-outage-'));
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    cluster = await startCluster();
    const db = cluster;
    const server = await startServer(
      {
        DATABASE_URL: db.url,
        DATABASE_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
        DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
        DATABASE_POOL_MAX: '4',
        RATE_LIMIT_MAX: '1000000',
        SHUTDOWN_DRAIN_SECONDS: '0',
      },
      { dataDir },
    );
    try {
      let phase = 'up';
      let writing = true;
      const answers: Answer[] = [];
      const failures: string[] = [];
      let n = 0;
      const writers = Array.from({ length: 4 }, async () => {
        while (writing) {
          const text = `message ${n++}`;
          try {
            const answer = await call(server.port, 'POST', '/api/messages', agent, { name: 'writer', text });
            answers.push({ ...answer, phase });
          } catch (error) {
            failures.push((error as Error).message);
          }
          if (phase === 'down') await sleep(20); // the 503s come at once: do not spin
        }
      });
      const acknowledged = () => answers.filter((a) => a.status === 201).length;

      await until(() => acknowledged() >= 20, '20 acknowledged writes');
      db.stop('immediate');
      phase = 'down';
      const okBeforeKill = acknowledged();
      await until(
        () => answers.filter((a) => a.phase === 'down').length >= 20,
        '20 answers while the database is down',
      );
      await sleep(READY_CACHE_MS); // ready answers from a check at most a second old
      const readyWhileDown = await call(server.port, 'GET', '/health/ready', new Agent());
      const listWhileDown = await call(server.port, 'GET', '/api/messages', new Agent());

      db.start();
      phase = 'back';
      await until(
        () => answers.filter((a) => a.phase === 'back' && a.status === 201).length >= 20,
        '20 acknowledged writes after the restart (recovery without a restart of the service)',
      );
      writing = false;
      await Promise.all(writers);
      await sleep(READY_CACHE_MS);
      const readyAfter = await call(server.port, 'GET', '/health/ready', new Agent());
      const recovered = server.child.exitCode === null;
      // A clean stop, so every buffered log line is written (a SIGKILL could lose the last few).
      server.child.kill('SIGTERM');
      assert.equal((await server.exited).code, 0, server.stderr());

      assert.deepEqual(failures, [], 'every request was answered');
      const statuses = new Set(answers.map((a) => a.status));
      assert.deepEqual([...statuses].sort(), [201, 503], 'only 201 and 503, never 500');
      for (const answer of [...answers.filter((a) => a.status === 503), listWhileDown]) {
        assert.equal(answer.status, 503);
        assert.ok(Number(answer.retryAfter) > 0, `Retry-After: ${answer.retryAfter}`);
        assert.deepEqual(Object.keys(answer.body).sort(), ['error', 'message', 'requestId', 'statusCode']);
        assert.equal(answer.body.error, 'Service Unavailable');
        assert.doesNotMatch(String(answer.body.message), /ECONNREFUSED|terminat|127\.0\.0\.1/i, 'no internals');
      }
      assert.equal(readyWhileDown.status, 503);
      assert.equal(readyAfter.status, 200);
      assert.ok(okBeforeKill > 0);
      assert.ok(recovered, 'the same process recovered');

      // No request waited longer than the timeouts: the service's own measurement, from its log lines.
      const durations = server.logs
        .filter((l) => l.msg === 'request completed' && l.route === '/api/messages')
        .map((l) => l.durationMs as number);
      assert.ok(durations.length >= answers.length, 'one log line per request');
      const longest = Math.max(...durations);
      assert.ok(longest <= LONGEST_WAIT_MS, `a request took ${longest} ms (limit ${LONGEST_WAIT_MS} ms)`);

      // Every acknowledged write is in the database after the crash and restart.
      const ids = answers.filter((a) => a.status === 201).map((a) => a.body.id as number);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const stored = new Set((await client.query<{ id: number }>('SELECT id FROM messages')).rows.map((r) => r.id));
        const lost = ids.filter((id) => !stored.has(id));
        assert.deepEqual(lost, [], `${lost.length} of ${ids.length} acknowledged writes lost`);
      } finally {
        await client.end();
      }
    } finally {
      await server.stop();
    }
  } finally {
    agent.destroy();
    cluster?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
