// The one source of what alerts and dashboards share: thresholds, selectors and durations. src/alert-rules.ts
// builds the alert rules from it and src/dashboards draw their threshold lines from it; test/generated.test.ts
// fails when the committed rules or dashboards differ from what this module generates.
import { APP_JOB, ECS_SD_JOB } from './discovery.ts';

/** Series of the service's tasks. */
export const APP_SELECTOR = `job="${APP_JOB}"`;
export const ECS_SD_SELECTOR = `job="${ECS_SD_JOB}"`;

export const THRESHOLDS = {
  /** Share of requests answered 5xx (5 min) above which NodeappHighErrorRatio fires … */
  errorRatio: 0.05,
  /** … when the service serves at least this many requests per second (one failed request on an idle service). */
  errorRatioMinRequestsPerSecond: 0.5,
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
} as const;

/** Label of every alert and series sent out of Prometheus: which environment (external_labels). */
export const ENV_LABEL = 'env';
