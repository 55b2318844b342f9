// The alert rules, generated into prometheus/rules/alerts.rules.yml from the thresholds and selectors of
// src/alerting.ts. Every alert has a severity (critical: SNS to the environment's alarm topic, and to the chat topic when Slack is set;
// warning: the same, repeated less often), a summary, a description, a runbook_url (its section of docs/runbook.md;
// Alertmanager turns it into an absolute link) and a dashboard (a Grafana path; Alertmanager prefixes the public
// Grafana URL). Alerts carry `env` from Prometheus's external labels.
import { APP_SELECTOR, ECS_SD_SELECTOR, type FailureMode, THRESHOLDS as T } from './alerting.ts';
import { APP_JOB } from './discovery.ts';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  /** failure_mode: the FAILURE_MODES entry the alert covers (src/alerting.ts); only the Watchdog has none. */
  labels: { severity: 'critical' | 'warning' | 'none'; failure_mode?: FailureMode };
  annotations: { summary: string; description: string; runbook_url: string; dashboard?: string };
}

const runbook = (alert: string) => `docs/runbook.md#${alert.toLowerCase()}`;
const OVERVIEW = '/d/nodeapp-service-overview';
const RUNTIME = '/d/nodeapp-nodejs-runtime';
const DATABASE = '/d/nodeapp-database';

/** Desired count of the app service was 0 at some point in the last 5 minutes: scaled to zero, or just back. */
const SCALED_TO_ZERO = `min(min_over_time(nodeapp_ecs_service_desired_tasks{${ECS_SD_SELECTOR}}[5m])) == 0`;

/** Tasks ECS stopped because the app container exited: crashes. */
const CRASHES = `nodeapp_ecs_tasks_stopped_total{${ECS_SD_SELECTOR}, stop_code="EssentialContainerExited"}`;

/**
 * The increase of a counter over `window`, counting the first value of a series that appeared inside the window.
 * prom-client exports a labelled counter only from its first inc(), so the series appears at 1, or at 5 when five
 * tasks crashed within one discovery pass; increase() sees only differences between samples and would count that
 * first batch as 0 (https://github.com/prometheus/prometheus/issues/1673). A series that already existed a window
 * ago: its increase (rounded: extrapolation reads 3 stops as 3.1); a newer one: its value, all of it new.
 */
export function increaseFromAbsent(series: string, window: string): string {
  return `(round(increase(${series}[${window}])) and ${series} offset ${window} or ${series})`;
}

function alert(
  name: string,
  rule: Omit<AlertRule, 'alert' | 'annotations'> & { annotations: Omit<AlertRule['annotations'], 'runbook_url'> },
): AlertRule {
  return { alert: name, ...rule, annotations: { ...rule.annotations, runbook_url: runbook(name) } };
}

export function serviceAlerts(): AlertRule[] {
  return [
    alert('NodeappServiceDown', {
      // No task answers, or discovery finds none, unless the service is scaled to zero on purpose (dev's nightly
      // schedule; ECS desired count from the discovery sidecar) or came back from zero in the last 5 minutes.
      expr: `(sum by (job) (up{${APP_SELECTOR}}) == 0 or absent(up{${APP_SELECTOR}})) unless on () (${SCALED_TO_ZERO})`,
      for: '1m',
      labels: { severity: 'critical', failure_mode: 'service-down' },
      annotations: {
        summary: 'Nodeapp is down (no task answers)',
        description:
          'No task of job {{ $labels.job }} has answered a metrics scrape for 1 minute, or service discovery finds no task, while ECS wants tasks running.',
        dashboard: OVERVIEW,
      },
    }),
    alert('NodeappTargetDown', {
      expr: `up{${APP_SELECTOR}} == 0`,
      for: '2m',
      labels: { severity: 'warning', failure_mode: 'task-failure' },
      annotations: {
        summary: 'A Nodeapp task does not answer scrapes',
        description: 'Task {{ $labels.task }} ({{ $labels.instance }}) has failed its metrics scrape for 2 minutes.',
        dashboard: OVERVIEW,
      },
    }),
    alert('NodeappHighLatencyP99', {
      expr: `job:http_request_duration_seconds:p99_5m{${APP_SELECTOR}} > ${T.latencyP99Seconds} and on (job) job:http_requests:rate5m{${APP_SELECTOR}} > ${T.latencyMinRequestsPerSecond}`,
      for: '10m',
      labels: { severity: 'warning', failure_mode: 'slow-responses' },
      annotations: {
        summary: `Nodeapp p99 latency is above ${T.latencyP99Seconds} s`,
        description:
          'The 99th percentile of request duration of job {{ $labels.job }} is {{ $value | humanizeDuration }}.',
        dashboard: OVERVIEW,
      },
    }),
    alert('NodeappEventLoopLag', {
      expr: `max by (job, instance, task) (nodejs_eventloop_lag_p99_seconds{${APP_SELECTOR}}) > ${T.eventLoopLagP99Seconds}`,
      for: '5m',
      labels: { severity: 'warning', failure_mode: 'event-loop-blocked' },
      annotations: {
        summary: `Nodeapp event loop is blocked (p99 lag above ${T.eventLoopLagP99Seconds * 1000} ms)`,
        description: 'Event-loop lag p99 on task {{ $labels.task }} is {{ $value | humanizeDuration }}.',
        dashboard: RUNTIME,
      },
    }),
    alert('NodeappMemoryNearLimit', {
      // The service exports its own memory limit (nodeapp_memory_limit_bytes: the cgroup limit or MEMORY_LIMIT_BYTES),
      // so the rule needs no per-environment value. A task without the gauge (no limit) never fires.
      expr: `max by (job, instance, task) (process_resident_memory_bytes{${APP_SELECTOR}}) / on (job, instance, task) max by (job, instance, task) (nodeapp_memory_limit_bytes{${APP_SELECTOR}}) > ${T.memoryLimitRatio}`,
      for: '10m',
      labels: { severity: 'warning', failure_mode: 'memory-exhaustion' },
      annotations: {
        summary: `Nodeapp memory is above ${T.memoryLimitRatio * 100}% of the task limit`,
        description:
          'Task {{ $labels.task }} uses {{ $value | humanizePercentage }} of its memory limit; it is killed at 100%.',
        dashboard: RUNTIME,
      },
    }),
    alert('NodeappDatabaseErrors', {
      expr: `sum by (job) (rate(db_query_errors_total{${APP_SELECTOR}}[5m])) > ${T.databaseErrorsPerSecond}`,
      for: '5m',
      labels: { severity: 'critical', failure_mode: 'database-errors' },
      annotations: {
        summary: 'Nodeapp database queries fail',
        description: 'Job {{ $labels.job }} sees {{ $value | humanize }} failed database queries per second.',
        dashboard: DATABASE,
      },
    }),
    alert('NodeappTasksBelowDesired', {
      // ECS runs fewer tasks than it wants (the discovery sidecar's copy of the service's counts): tasks that cannot
      // be placed, cannot pull their image or fail before they serve. The job is the service's, as the crashes'.
      expr: `label_replace(max(nodeapp_ecs_service_desired_tasks{${ECS_SD_SELECTOR}}) - max(nodeapp_ecs_service_running_tasks{${ECS_SD_SELECTOR}}) > 0, "job", "${APP_JOB}", "", "")`,
      for: '5m',
      labels: { severity: 'warning', failure_mode: 'task-failure' },
      annotations: {
        summary: 'Nodeapp runs fewer tasks than desired',
        description:
          'ECS has run {{ $value }} task(s) of job {{ $labels.job }} fewer than desired for 5 minutes (placement, image or start-up failures).',
        dashboard: OVERVIEW,
      },
    }),
    alert('NodeappFrequentRestarts', {
      // Crashes only: tasks ECS stopped because the app exited (stop code EssentialContainerExited, counted by the
      // discovery sidecar) plus in-place process restarts. Scale-in, deploys, Spot interruptions and targets coming
      // and going in discovery end series too, but they are not crashes and do not count. ECS's own view of the same
      // failure (the CloudWatch tasks-below-desired and unhealthy-hosts alarms) notifies nobody: this failure mode is
      // Prometheus's, and Alertmanager lets this alert inhibit NodeappTasksBelowDesired and NodeappTargetDown.
      // The crashes count even when no task lives long enough to be scraped (no process series at all).
      expr: `sum by (job) (changes(process_start_time_seconds{${APP_SELECTOR}}[30m]) or label_replace(${increaseFromAbsent(CRASHES, '30m')}, "job", "${APP_JOB}", "", "")) > ${T.restartsIn30m}`,
      labels: { severity: 'warning', failure_mode: 'task-failure' },
      annotations: {
        summary: 'Nodeapp restarts often',
        description: 'Job {{ $labels.job }} had {{ $value | humanize }} crashes or process restarts in 30 minutes.',
        dashboard: RUNTIME,
      },
    }),
  ];
}

export function monitoringAlerts(): AlertRule[] {
  return [
    alert('Watchdog', {
      // Always firing: Alertmanager sends it to the heartbeat receiver every minute; the heartbeat service alerts
      // when it stops arriving (Prometheus, Alertmanager or the notification path is down).
      expr: 'vector(1)',
      labels: { severity: 'none' },
      annotations: {
        summary: 'The alerting pipeline works (always firing)',
        description: 'Prometheus evaluates rules and Alertmanager delivers; the heartbeat receiver expects this.',
      },
    }),
    alert('NodeappDiscoveryFailing', {
      // Passes fail in a row (ECS throttles, times out or refuses): tolerated for a few passes, then a warning.
      // Prometheus keeps the targets it had meanwhile; NodeappDiscoveryStale pages when that lasts.
      expr: `max by (job) (nodeapp_ecs_sd_consecutive_failures{${ECS_SD_SELECTOR}}) >= ${T.discoveryFailedPasses}`,
      for: '1m',
      labels: { severity: 'warning', failure_mode: 'ecs-discovery' },
      annotations: {
        summary: 'ECS service discovery fails repeatedly',
        description:
          '{{ $value }} discovery passes in a row failed (job {{ $labels.job }}): ECS throttles, times out or refuses the calls.',
      },
    }),
    alert('NodeappDiscoveryStale', {
      // Seconds since the last good pass (0 before the first one: stale from the start), or the sidecar unreachable:
      // the targets Prometheus scrapes are frozen, new tasks are not scraped.
      expr: `time() - max by (job) (nodeapp_ecs_sd_last_success_timestamp_seconds{${ECS_SD_SELECTOR}}) > ${T.discoveryStaleSeconds} or max by (job) (up{${ECS_SD_SELECTOR}}) == 0`,
      for: '5m',
      labels: { severity: 'critical', failure_mode: 'ecs-discovery' },
      annotations: {
        summary: 'ECS service discovery is stale: new tasks are not scraped',
        description: `No discovery pass of job {{ $labels.job }} has succeeded for ${T.discoveryStaleSeconds / 60} minutes, or the sidecar is unreachable.`,
      },
    }),
    alert('NodeappAlertNotificationsFailing', {
      // Alertmanager cannot deliver to one integration (SNS, the heartbeat webhook): alerts may be going nowhere.
      expr: 'sum by (job, integration) (rate(alertmanager_notifications_failed_total{job="alertmanager"}[10m])) > 0',
      for: '10m',
      labels: { severity: 'warning', failure_mode: 'alertmanager-notifications' },
      annotations: {
        summary: 'Alertmanager cannot deliver notifications',
        description: 'Notifications through {{ $labels.integration }} have been failing for 10 minutes.',
      },
    }),
  ];
}

/** Prometheus watching itself: the failures that would leave alerts unevaluated, unsent or unscraped. */
export function prometheusAlerts(): AlertRule[] {
  const PROMETHEUS = 'job="prometheus"';
  return [
    alert('NodeappPrometheusRuleFailures', {
      expr: `sum by (job, rule_group) (increase(prometheus_rule_evaluation_failures_total{${PROMETHEUS}}[5m])) > 0`,
      for: '5m',
      labels: { severity: 'critical', failure_mode: 'rule-evaluation' },
      annotations: {
        summary: 'Prometheus fails to evaluate rules: alerts may not fire',
        description: 'Rule group {{ $labels.rule_group }} failed {{ $value | humanize }} evaluations in 5 minutes.',
      },
    }),
    alert('NodeappPrometheusNotificationsFailing', {
      // Alerts that Prometheus could not hand to Alertmanager (errors) or threw away (queue full, none known).
      expr: `sum by (job) (increase(prometheus_notifications_errors_total{${PROMETHEUS}}[5m]) or increase(prometheus_notifications_dropped_total{${PROMETHEUS}}[5m])) > 0`,
      for: '10m',
      labels: { severity: 'warning', failure_mode: 'prometheus-notifications' },
      annotations: {
        summary: 'Prometheus cannot hand alerts to Alertmanager',
        description:
          '{{ $value | humanize }} alerts failed or were dropped on the way to Alertmanager in 5 minutes; the heartbeat alarm covers the case where none arrive.',
      },
    }),
    alert('NodeappPrometheusTsdbFailing', {
      expr: `sum by (job) (increase(prometheus_tsdb_compactions_failed_total{${PROMETHEUS}}[1h]) or increase(prometheus_tsdb_head_truncations_failed_total{${PROMETHEUS}}[1h]) or increase(prometheus_tsdb_reloads_failures_total{${PROMETHEUS}}[1h]) or increase(prometheus_tsdb_wal_corruptions_total{${PROMETHEUS}}[1h])) > 0`,
      labels: { severity: 'warning', failure_mode: 'prometheus-storage' },
      annotations: {
        summary: 'Prometheus storage (TSDB) fails',
        description: '{{ $value | humanize }} compaction, truncation, reload or WAL failures in the last hour.',
      },
    }),
    alert('NodeappPrometheusDiscoveryErrors', {
      // Prometheus's own side of discovery: the HTTP SD requests to the sidecar fail (it answers 503 on ECS errors,
      // or does not answer): the targets are frozen.
      expr: `sum by (job) (increase(prometheus_sd_http_failures_total{${PROMETHEUS}}[10m])) > 0`,
      for: '10m',
      labels: { severity: 'warning', failure_mode: 'prometheus-discovery' },
      annotations: {
        summary: 'Prometheus cannot refresh its targets from the discovery sidecar',
        description: '{{ $value | humanize }} HTTP service discovery requests failed in 10 minutes.',
      },
    }),
  ];
}

export function alertRuleGroups() {
  return {
    groups: [
      { name: 'nodeapp-alerts', rules: serviceAlerts() },
      { name: 'nodeapp-monitoring', rules: monitoringAlerts() },
      { name: 'nodeapp-prometheus', rules: prometheusAlerts() },
    ],
  };
}
