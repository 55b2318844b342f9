// Unit tests of the PromQL helpers the integration test relies on to find every metric a query reads.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandGrafanaVariables, metricNames } from './support/promql.ts';

test('metricNames finds metrics and recorded series, not functions, keywords or labels', () => {
  assert.deepEqual(
    metricNames(
      'sum by (operation) (rate(db_query_errors_total{job="app", task=~"$task"}[5m])) or sum by (operation) (rate(db_query_duration_seconds_count{job="app"}[5m])) * 0',
    ),
    ['db_query_duration_seconds_count', 'db_query_errors_total'],
  );
  assert.deepEqual(
    metricNames(
      'max by (job) (process_resident_memory_bytes{job="app"}) / on (job) group_left () job:task_memory_limit_bytes > 0.9',
    ),
    ['job:task_memory_limit_bytes', 'process_resident_memory_bytes'],
  );
  assert.deepEqual(metricNames('sum by (job) (up{job="app"}) == 0 or absent(up{job="app"})'), ['up']);
  assert.deepEqual(metricNames('time() - process_start_time_seconds'), ['process_start_time_seconds']);
  assert.deepEqual(metricNames('increase(x_total[30m]) and x_total offset 30m'), ['x_total']);
});

test('expandGrafanaVariables replaces the dashboard variables with their defaults', () => {
  assert.equal(expandGrafanaVariables('rate(x{task=~"$task"}[$__rate_interval])'), 'rate(x{task=~".*"}[1m])');
});
