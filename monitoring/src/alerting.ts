// The one source of what alerts and dashboards share: thresholds, selectors and durations. src/alert-rules.ts
// builds the alert rules from it and src/dashboards draw their threshold lines from it; test/generated.test.ts
// fails when the committed rules or dashboards differ from what this module generates.
import { loadServiceContract, serviceFolderFromEnv } from '@nodeapp/contract';
import { APP_JOB, ECS_SD_JOB } from './discovery.ts';

/** Series of the service's tasks. */
export const APP_SELECTOR = `job="${APP_JOB}"`;
export const ECS_SD_SELECTOR = `job="${ECS_SD_JOB}"`;

export const THRESHOLDS = {
  /** Share of requests answered 5xx (5 min) drawn red on the overview dashboard (the SLO burn-rate alerts page). */
  errorRatio: 0.05,
  /** p99 request duration (s, 5 min) above which NodeappHighLatencyP99 fires … */
  latencyP99Seconds: 1,
  latencyMinRequestsPerSecond: 0.1,
  /** Event-loop lag p99 (s) of one task above which NodeappEventLoopLag fires. */
  eventLoopLagP99Seconds: 0.2,
  /** RSS / nodeapp_memory_limit_bytes of one task above which NodeappMemoryNearLimit fires (killed at 1). */
  memoryLimitRatio: 0.9,
  /** Failed database queries per second above which NodeappDatabaseErrors fires. */
  databaseErrorsPerSecond: 0.05,
  /** Crash replacements + in-place restarts in 30 min above which NodeappFrequentRestarts fires. */
  restartsIn30m: 3,
  /** Discovery passes failed in a row from which NodeappDiscoveryFailing warns (30 s apart: 5 minutes). */
  discoveryFailedPasses: 10,
  /** Seconds since the last good discovery pass from which NodeappDiscoveryStale pages. */
  discoveryStaleSeconds: 900,
  /** User requests per second (1 h) below which an SLO burn does not page: a few failures on an idle service. */
  sloPageMinRequestsPerSecond: 0.05,
} as const;

/** Label of every alert and series sent out of Prometheus: which environment (external_labels). */
export const ENV_LABEL = 'env';

/**
 * Routes that are not user traffic and count in no traffic-based rule: the health checks and the metrics endpoint
 * (the service contract's health.readiness/liveness and metrics.path; route labels are route templates).
 */
const contract = loadServiceContract(serviceFolderFromEnv());
export const NON_TRAFFIC_ROUTES = [
  contract.health.readiness,
  contract.health.liveness,
  ...(contract.metrics ? [contract.metrics.path] : []),
];
/** Label matcher that keeps user traffic only (the paths hold no regex metacharacters but dots, escaped). */
export const TRAFFIC = `route!~"${NON_TRAFFIC_ROUTES.map((r) => r.replaceAll('.', '\\\\.')).join('|')}"`;

/** Service level objectives of one environment: shares of good events over a 30-day window. */
export interface ServiceLevelObjectives {
  /** Share of user requests answered without a 5xx. */
  readonly availability: number;
  /** Share of `latency.routes` requests answered within `latency.seconds` … */
  readonly latency: {
    readonly objective: number;
    /** … a bucket boundary of the service's request histogram (app/src/metrics.ts), or the SLI is interpolated. */
    readonly seconds: number;
    /** Route templates the latency objective covers (a regex on the route label). */
    readonly routes: string;
  };
}

/**
 * Per environment (the `env` external label, NODEAPP_ENV): the SLO alerts of an environment are generated into
 * prometheus/rules/slo/<env>.rules.yml and the Prometheus image loads its own environment's file. Budgets: 30 days
 * (https://sre.google/workbook/alerting-on-slos/).
 */
export const SLOS: Record<string, ServiceLevelObjectives> = {
  prod: { availability: 0.999, latency: { objective: 0.99, seconds: 0.25, routes: '/api/.*' } },
  staging: { availability: 0.995, latency: { objective: 0.98, seconds: 0.25, routes: '/api/.*' } },
  dev: { availability: 0.99, latency: { objective: 0.95, seconds: 0.5, routes: '/api/.*' } },
  /** compose (npm run compose): the dev objectives. */
  local: { availability: 0.99, latency: { objective: 0.95, seconds: 0.5, routes: '/api/.*' } },
};

/**
 * Multi-window, multi-burn-rate alerting (the Google SRE workbook, "Alerting on SLOs", recommendation 6, as sloth and
 * pyrra generate it): an alert needs the long window burning the budget at `factor` × the sustainable rate, and the
 * short window still burning (so it resets soon after the burn stops). Page: 2 % of a 30-day budget in 1 h, or 5 %
 * in 6 h; ticket: 10 % in 3 days (1 d/2 h at 3×, 3 d/6 h at 1×).
 */
export const BURN_RATE_WINDOWS = [
  { severity: 'critical', long: '1h', short: '5m', factor: 14.4 },
  { severity: 'critical', long: '6h', short: '30m', factor: 6 },
  { severity: 'warning', long: '1d', short: '2h', factor: 3 },
  { severity: 'warning', long: '3d', short: '6h', factor: 1 },
] as const;

/** Who notifies people of a failure mode: Prometheus through Alertmanager, or a CloudWatch alarm through SNS. */
export type Owner = 'prometheus' | 'cloudwatch';

/**
 * One incident notifies once: every failure mode has exactly one notifying owner (docs/decisions/0013-one-owner-per-
 * failure-mode.md). Prometheus/Alertmanager owns what the service's metrics and ECS's task events show (it groups and
 * inhibits: the Alertmanager inhibit rules keep one notification per mode); CloudWatch owns only what Prometheus
 * cannot see: Prometheus and the alerting path themselves, the database's resources, CPU, and SNS deliveries. A
 * CloudWatch alarm in a Prometheus-owned mode exists without notification actions: the ECS deployment alarms that
 * roll deployments back, and the dashboard's. Every alert rule carries its mode as the `failure_mode` label, every
 * CloudWatch alarm as the `nodeapp:failure-mode` tag; infra/test/one-owner.test.ts checks the synthesized alarms and
 * the generated rules against this table, monitoring/test/inhibition.test.ts that Alertmanager sends one notification
 * per mode.
 */
export const FAILURE_MODES = {
  'service-down': { owner: 'prometheus', summary: 'No task answers while ECS wants tasks running' },
  'task-failure': {
    owner: 'prometheus',
    summary: 'Tasks crash, hang (fail health checks and scrapes) or cannot start',
  },
  'error-responses': { owner: 'prometheus', summary: 'Requests answered 5xx (the availability SLO)' },
  'slow-responses': { owner: 'prometheus', summary: 'Requests answered slowly (the latency SLO, p99)' },
  'event-loop-blocked': { owner: 'prometheus', summary: "A task's event loop is blocked" },
  'memory-exhaustion': { owner: 'prometheus', summary: 'Tasks near their memory limit' },
  'database-errors': { owner: 'prometheus', summary: "The service's database queries fail" },
  'ecs-discovery': { owner: 'prometheus', summary: 'The ECS discovery sidecar fails or is stale' },
  'prometheus-discovery': { owner: 'prometheus', summary: 'Prometheus cannot read its targets from the sidecar' },
  'rule-evaluation': { owner: 'prometheus', summary: 'Prometheus fails to evaluate rules' },
  'prometheus-notifications': { owner: 'prometheus', summary: 'Prometheus cannot hand alerts to Alertmanager' },
  'alertmanager-notifications': { owner: 'prometheus', summary: 'Alertmanager cannot deliver to an integration' },
  'prometheus-storage': { owner: 'prometheus', summary: "Prometheus's TSDB fails" },
  'alerting-down': {
    owner: 'cloudwatch',
    summary: 'Prometheus or Alertmanager down, or their alerts cannot be published (the heartbeat stops)',
  },
  'grafana-down': { owner: 'cloudwatch', summary: 'Grafana runs no task' },
  'cpu-saturation': { owner: 'cloudwatch', summary: "The service's CPU stays high (autoscaling at its ceiling)" },
  'database-cpu': { owner: 'cloudwatch', summary: 'RDS CPU high' },
  'database-storage': { owner: 'cloudwatch', summary: 'RDS free storage low' },
  'database-memory': { owner: 'cloudwatch', summary: 'RDS freeable memory low' },
  'database-connections': { owner: 'cloudwatch', summary: 'Too many database connections' },
  'alarm-topic-delivery': { owner: 'cloudwatch', summary: 'SNS cannot deliver the alarm topic to a subscriber' },
  'chat-topic-delivery': { owner: 'cloudwatch', summary: 'SNS cannot deliver the chat topic to the chat integration' },
  'heartbeat-topic-delivery': { owner: 'cloudwatch', summary: 'SNS cannot deliver the heartbeat topic' },
} as const satisfies Record<string, { owner: Owner; summary: string }>;

export type FailureMode = keyof typeof FAILURE_MODES;

/** The label every alert rule carries its failure mode in, and the tag every CloudWatch alarm carries it in. */
export const FAILURE_MODE_LABEL = 'failure_mode';
export const FAILURE_MODE_TAG = 'nodeapp:failure-mode';

/** Whether an alert or alarm of this mode in `system` notifies people (the mode's owner's do; the others' do not). */
export function notifies(mode: FailureMode, system: Owner): boolean {
  return FAILURE_MODES[mode].owner === system;
}
