// Database: query rate, duration and errors by operation, and the connection pool, per task.

import { type DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { THRESHOLDS } from '../alerting.ts';
import { APP, nodeappDashboard, timeseries } from './common.ts';

export function database(): DashboardBuilder {
  return nodeappDashboard(
    'Nodeapp / Database',
    'nodeapp-database',
    'Queries the service sends to PostgreSQL (RDS in AWS): rate, duration, errors, and its connection pool.',
  )
    .withRow(new RowBuilder('Queries'))
    .withPanel(
      timeseries({
        title: 'Query rate by operation',
        description: 'Database queries per second by operation.',
        unit: 'ops',
        min: 0,
        queries: [
          {
            expr: `sum by (operation) (rate(db_query_duration_seconds_count{${APP}}[$__rate_interval]))`,
            legend: '{{operation}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Query duration by operation (p50, p99)',
        description:
          'Query duration quantiles from the service histogram, measured in the service (includes the network).',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: `histogram_quantile(0.99, sum by (operation, le) (rate(db_query_duration_seconds_bucket{${APP}}[$__rate_interval])))`,
            legend: 'p99 {{operation}}',
          },
          {
            expr: `histogram_quantile(0.50, sum by (operation, le) (rate(db_query_duration_seconds_bucket{${APP}}[$__rate_interval])))`,
            legend: 'p50 {{operation}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Query errors by operation',
        description: `Failed queries per second by operation (0 when none failed). Alert above ${THRESHOLDS.databaseErrorsPerSecond}/s for 5 min.`,
        unit: 'ops',
        min: 0,
        queries: [
          {
            expr: `sum by (operation) (rate(db_query_errors_total{${APP}}[$__rate_interval])) or sum by (operation) (rate(db_query_duration_seconds_count{${APP}}[$__rate_interval])) * 0`,
            legend: '{{operation}}',
          },
        ],
      }),
    )
    .withRow(new RowBuilder('Connection pool'))
    .withPanel(
      timeseries({
        title: 'Pool connections by state',
        description: 'Connections of each task: total open, idle, and clients waiting for one.',
        unit: 'none',
        min: 0,
        queries: [{ expr: `db_pool_connections{${APP}}`, legend: '{{task}} {{state}}' }],
      }),
    );
}
