// Node.js runtime: CPU, memory (RSS, heap), event-loop lag, garbage collection, handles, per task.

import { type DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { THRESHOLDS } from '../alerting.ts';
import { APP, nodeappDashboard, timeseries } from './common.ts';

export function nodejsRuntime(): DashboardBuilder {
  return nodeappDashboard(
    'Nodeapp / Node.js runtime',
    'nodeapp-nodejs-runtime',
    'Process and V8 metrics of every task (prom-client default metrics).',
  )
    .withRow(new RowBuilder('CPU and memory'))
    .withPanel(
      timeseries({
        title: 'CPU',
        description: 'CPU time used per second by each task (1.0 = one full vCPU).',
        unit: 'percentunit',
        min: 0,
        queries: [{ expr: `rate(process_cpu_seconds_total{${APP}}[$__rate_interval])`, legend: '{{task}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Resident memory (RSS)',
        description: 'Memory of the whole process as the kernel counts it: what the task memory limit applies to.',
        unit: 'bytes',
        min: 0,
        queries: [{ expr: `process_resident_memory_bytes{${APP}}`, legend: '{{task}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'V8 heap used and total',
        description: 'JavaScript heap in use and reserved; a used line that only grows suggests a leak.',
        unit: 'bytes',
        min: 0,
        queries: [
          { expr: `nodejs_heap_size_used_bytes{${APP}}`, legend: '{{task}} used' },
          { expr: `nodejs_heap_size_total_bytes{${APP}}`, legend: '{{task}} total' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'External memory',
        description: 'Memory held by C++ objects bound to JavaScript (buffers) outside the V8 heap.',
        unit: 'bytes',
        min: 0,
        queries: [{ expr: `nodejs_external_memory_bytes{${APP}}`, legend: '{{task}}' }],
      }),
    )
    .withRow(new RowBuilder('Event loop and GC'))
    .withPanel(
      timeseries({
        title: 'Event-loop lag (p50, p99)',
        description: `How late timers fire: CPU-bound work blocks every request. Alert when p99 > ${THRESHOLDS.eventLoopLagP99Seconds * 1000} ms for 5 min.`,
        unit: 's',
        min: 0,
        queries: [
          { expr: `nodejs_eventloop_lag_p99_seconds{${APP}}`, legend: '{{task}} p99' },
          { expr: `nodejs_eventloop_lag_p50_seconds{${APP}}`, legend: '{{task}} p50' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Time in garbage collection',
        description: 'Seconds spent in GC per second, by kind (minor = scavenge, major = mark-sweep-compact).',
        unit: 'percentunit',
        min: 0,
        queries: [
          {
            expr: `sum by (task, kind) (rate(nodejs_gc_duration_seconds_sum{${APP}}[$__rate_interval]))`,
            legend: '{{task}} {{kind}}',
          },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Active handles and requests',
        description: 'Open libuv handles (sockets, timers) and in-flight requests; steady growth means a leak.',
        unit: 'none',
        min: 0,
        queries: [
          { expr: `nodejs_active_handles_total{${APP}}`, legend: '{{task}} handles' },
          { expr: `nodejs_active_requests_total{${APP}}`, legend: '{{task}} requests' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Uptime',
        description: 'Time since each process started; a drop is a restart.',
        unit: 's',
        min: 0,
        queries: [{ expr: `time() - process_start_time_seconds{${APP}}`, legend: '{{task}}' }],
      }),
    );
}
