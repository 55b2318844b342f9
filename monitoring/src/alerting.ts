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
