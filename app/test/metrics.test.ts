import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createMetrics, createMetricsServer } from '../src/metrics.ts';

test('the metrics server exposes the contract metrics on /metrics only', async () => {
  const metrics = createMetrics({ version: '1.2.3', commit: 'cafe123' });
  metrics.setPoolStatsSource(() => ({ total: 4, idle: 3, waiting: 1 }));
  metrics.httpRequestDuration.observe({ method: 'GET', route: '/api/hello', status_code: '200' }, 0.01);
  const server = createMetricsServer(metrics.registry).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await res.text();
    for (const name of [
      'process_cpu_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_p99_seconds',
      'process_start_time_seconds',
      'http_request_duration_seconds_bucket',
      'db_query_duration_seconds',
      'db_query_errors_total',
    ]) {
      assert.match(text, new RegExp(`^(# TYPE )?${name}`, 'm'), name);
    }
    assert.match(text, /^db_pool_connections\{state="total"\} 4$/m);
    assert.match(text, /^db_pool_connections\{state="idle"\} 3$/m);
    assert.match(text, /^db_pool_connections\{state="waiting"\} 1$/m);
    assert.match(
      text,
      new RegExp(`^nodeapp_info\\{version="1.2.3",commit="cafe123",node_version="${process.version}"\\} 1$`, 'm'),
    );
    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 404);
  } finally {
    server.close();
  }
});
