// Service overview: RED by route (rate, errors, duration), responses by status code, and saturation per task.
import { type DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { THRESHOLDS } from '../alerting.ts';
import { APP_JOB_SELECTOR } from '../discovery.ts';
import { APP, nodeappDashboard, stat, timeseries } from './common.ts';

/** The RED dashboard from the service's own request histogram (the contract's metrics.httpHistogram). */
export function serviceOverview(histogram: string): DashboardBuilder {
  return nodeappDashboard(
    'Nodeapp / Service overview',
    'nodeapp-service-overview',
    'Requests, errors and latency by route, and saturation of every task of the service.',
  )
    .withRow(new RowBuilder('Golden signals'))
    .withPanel(
      stat({
        title: 'Request rate',
        description: 'Requests per second over all routes and tasks (5 min rate).',
        unit: 'reqps',
        query: { expr: `sum(job:http_requests:rate5m{${APP_JOB_SELECTOR}})`, legend: 'requests/s' },
      }),
    )
    .withPanel(
      stat({
        title: '5xx ratio',
        description: `Share of requests answered with 5xx (5 min). Red above ${THRESHOLDS.errorRatio * 100}%; the availability SLO's burn-rate alerts page (error-budget dashboard).`,
        unit: 'percentunit',
        red: THRESHOLDS.errorRatio,
        query: { expr: `sum(job:http_request_error_ratio:rate5m{${APP_JOB_SELECTOR}})`, legend: '5xx ratio' },
      }),
    )
    .withPanel(
      stat({
        title: 'Latency p99',
        description: `99th percentile of request duration over all routes (5 min). Alert above ${THRESHOLDS.latencyP99Seconds} s.`,
        unit: 's',
        red: THRESHOLDS.latencyP99Seconds,
        query: { expr: `max(job:http_request_duration_seconds:p99_5m{${APP_JOB_SELECTOR}})`, legend: 'p99' },
      }),
    )
    .withPanel(
      stat({
        title: 'Tasks up',
        description: 'Tasks discovered through the ECS API whose metrics scrape succeeds.',
        unit: 'none',
        query: { expr: `sum(up{${APP_JOB_SELECTOR}})`, legend: 'tasks up' },
      }),
    )
    .withPanel(
      timeseries({
        title: 'Requests by route',
        description: 'Requests per second by route template and method.',
        unit: 'reqps',
        min: 0,
        queries: [
          {
            expr: `sum by (method, route) (job_route:http_requests:rate5m{${APP_JOB_SELECTOR}})`,
            legend: '{{method}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Responses by status code',
        description: 'Responses per second by HTTP status code, for the selected tasks.',
        unit: 'reqps',
        min: 0,
        queries: [
          {
            expr: `sum by (status_code) (rate(${histogram}_count{${APP}}[$__rate_interval]))`,
            legend: '{{status_code}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: '5xx ratio by route',
        description: 'Share of requests of each route answered with 5xx (5 min).',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `sum by (method, route) (job_route:http_request_error_ratio:rate5m{${APP_JOB_SELECTOR}})`,
            legend: '{{method}} {{route}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Latency by route (p50, p95, p99)',
        description: 'Request duration quantiles by route template (5 min), from the service histogram.',
        unit: 's',
        min: 0,
        queries: [
          {
            expr: `max by (method, route) (job_route:http_request_duration_seconds:p99_5m{${APP_JOB_SELECTOR}})`,
            legend: 'p99 {{method}} {{route}}',
          },
          {
            expr: `max by (method, route) (job_route:http_request_duration_seconds:p95_5m{${APP_JOB_SELECTOR}})`,
            legend: 'p95 {{method}} {{route}}',
          },
          {
            expr: `max by (method, route) (job_route:http_request_duration_seconds:p50_5m{${APP_JOB_SELECTOR}})`,
            legend: 'p50 {{method}} {{route}}',
          },
        ],
      }),
    )
    .withRow(new RowBuilder('Saturation'))
    .withPanel(
      timeseries({
        title: 'CPU per task',
        description: 'CPU time used per second by each task (1.0 = one full vCPU).',
        unit: 'percentunit',
        min: 0,
        width: 8,
        queries: [{ expr: `rate(process_cpu_seconds_total{${APP}}[$__rate_interval])`, legend: '{{task}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Memory per task vs task limit',
        description: `Resident memory of each task and its memory limit (nodeapp_memory_limit_bytes); NodeappMemoryNearLimit fires above ${THRESHOLDS.memoryLimitRatio * 100}% of it.`,
        unit: 'bytes',
        min: 0,
        width: 8,
        queries: [
          { expr: `process_resident_memory_bytes{${APP}}`, legend: '{{task}} RSS' },
          { expr: `nodeapp_memory_limit_bytes{${APP}}`, legend: '{{task}} limit' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Database pool waiting clients',
        description: 'Queries waiting for a free database connection; above 0 for long means the pool is too small.',
        unit: 'none',
        min: 0,
        width: 8,
        queries: [{ expr: `db_pool_connections{${APP}, state="waiting"}`, legend: '{{task}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Running versions',
        description: 'Tasks per version and commit of the service (from nodeapp_info); two lines during a deploy.',
        unit: 'none',
        min: 0,
        width: 24,
        queries: [
          {
            expr: `count by (version, commit, node_version) (nodeapp_info{${APP_JOB_SELECTOR}})`,
            legend: '{{version}} {{commit}} (Node {{node_version}})',
          },
        ],
      }),
    );
}
