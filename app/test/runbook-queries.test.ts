// The runbook's CloudWatch Logs Insights queries (docs/runbook.md) name fields the service really logs: the built
// server runs against a PostgreSQL of the test's own, answers a success, a 4xx and, with the database killed, 5xx
// and a failing readiness check; every field each query names must be in those real lines, and each query's filter
// must match at least one of them (a `level >= 50` on label levels, or a `res.statusCode` that does not exist,
// matches nothing). Fields starting with @ are CloudWatch's own.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireOrSkip } from '@nodeapp/test-support';
import { type Cluster, clusterRequirement, postgresBinDir, startCluster } from './support/postgres-cluster.ts';
import { appDir, startServer } from './support/server-process.ts';

type Line = Record<string, unknown>;

/** Every Logs Insights query of the runbook: the code spans that start with `fields`. */
export function runbookQueries(markdown: string): string[] {
  return [...markdown.matchAll(/`(fields [^`]+)`/g)].map((m) => m[1] ?? '');
}

function valueAt(line: Line, path: string): unknown {
  let value: unknown = line;
  for (const key of path.split('.')) value = value && typeof value === 'object' ? (value as Line)[key] : undefined;
  return value;
}

/** The fields a query names (in `fields` and `filter`), without CloudWatch's own @ fields. */
export function queryFields(query: string): string[] {
  const names = new Set<string>();
  for (const part of query.split('|').map((p) => p.trim())) {
    if (part.startsWith('fields ')) for (const f of part.slice(7).split(',')) names.add(f.trim());
    if (part.startsWith('filter ')) {
      const body = part.slice(7).replace(/"[^"]*"|\/[^/]*\//g, '');
      for (const m of body.matchAll(/[A-Za-z_@][\w.@]*/g))
        if (!/^(in|and|or|not|like|ispresent)$/.test(m[0])) names.add(m[0]);
    }
  }
  return [...names].filter((n) => !n.startsWith('@'));
}

/** Does the query's filter (the forms the runbook uses) keep this line? */
export function filterKeeps(query: string, line: Line): boolean {
  const filter = query
    .split('|')
    .map((p) => p.trim())
    .find((p) => p.startsWith('filter '))
    ?.slice(7);
  if (!filter) return true;
  let m = /^([\w.]+) in \[(.*)\]$/.exec(filter);
  if (m) return (JSON.parse(`[${m[2]}]`) as unknown[]).includes(valueAt(line, m[1] ?? ''));
  m = /^ispresent\(([\w.]+)\)$/.exec(filter);
  if (m) return valueAt(line, m[1] ?? '') !== undefined;
  m = /^([\w.]+) (>=|<=|>|<|=|!=) (.+)$/.exec(filter);
  if (m) {
    const [, field = '', op, raw = ''] = m;
    const v = valueAt(line, field);
    const want = JSON.parse(raw) as unknown;
    if (v === undefined) return false;
    if (op === '=') return v === want;
    if (op === '!=') return v !== want;
    if (typeof v !== 'number' || typeof want !== 'number') return false; // Logs Insights compares numbers here
    return op === '>=' ? v >= want : op === '<=' ? v <= want : op === '>' ? v > want : v < want;
  }
  if (/^@/.test(filter)) return true; // on @message: CloudWatch's own field
  throw new Error(`the test cannot evaluate the filter "${filter}": extend filterKeeps`);
}

test('every runbook Logs Insights query names fields the service logs, and its filter matches them', async (t) => {
  if (!requireOrSkip(t, postgresBinDir() !== undefined, clusterRequirement)) return;
  let cluster: Cluster | undefined;
  let dataDir: string | undefined;
  try {
    cluster = await startCluster();
    // A data folder of the test's own: startServer then adds no database settings of the shared test server (its
    // TLS CA, under .ci/with-test-postgres.sh), which this plain cluster would refuse; as the outage test does.
    dataDir = mkdtempSync(join(tmpdir(), 'nodeapp-runbook-'));
    const server = await startServer(
      {
        DATABASE_URL: cluster.url,
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'info',
      },
      { dataDir },
    );
    try {
      const base = `http://127.0.0.1:${server.port}`;
      const ok = await fetch(`${base}/api/hello`);
      assert.equal(ok.status, 200);
      const notFound = await fetch(`${base}/api/no-such-route`);
      assert.equal(notFound.status, 404);
      const bad = await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(bad.status, 400);
      cluster.stop('immediate');
      // A write must reach the database (a read may be answered from the service's cache).
      const down = await fetch(`${base}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'runbook', text: 'written while the database is down' }),
      });
      assert.equal(down.status, 503);
      // Readiness shares one database check at most a second old (src/routes/health.ts): ask until it fails.
      let ready = await fetch(`${base}/health/ready`);
      for (let i = 0; ready.status !== 503 && i < 50; i++) {
        await ready.arrayBuffer();
        await new Promise((resolve) => setTimeout(resolve, 200));
        ready = await fetch(`${base}/health/ready`);
      }
      assert.equal(ready.status, 503);
      await Promise.all([ok, notFound, bad, down, ready].map((r) => r.arrayBuffer()));
      // The service writes its lines in blocks within LOG_FLUSH_MS: wait for the readiness failure's line.
      const deadline = Date.now() + 10_000;
      while (!server.logs.some((l) => l.msg === 'readiness check failed') && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await server.stop();
    }
    const lines = server.logs;
    const queries = runbookQueries(readFileSync(new URL('../docs/runbook.md', `file://${appDir}`), 'utf8'));
    assert.ok(queries.length >= 4, `found ${queries.length} queries`);
    for (const query of queries) {
      for (const field of queryFields(query)) {
        assert.ok(
          lines.some((l) => valueAt(l, field) !== undefined),
          `${field} (in: ${query}) is in no line the service wrote`,
        );
      }
      assert.ok(
        lines.some((l) => filterKeeps(query, l)),
        `the filter of "${query}" keeps none of the lines`,
      );
    }
  } finally {
    cluster?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
});
