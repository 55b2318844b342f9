// The SLO rules of one environment, generated into prometheus/rules/slo/<env>.rules.yml from SLOS and
// BURN_RATE_WINDOWS (src/alerting.ts): per SLO, the error ratio over every window the burn-rate pairs use (recording
// rules `slo:sli_error:ratio_rate<window>`, labelled slo=…), then one paging and one ticket alert. Rates that have no
// traffic have no series: a service scaled to zero burns no budget and alerts nothing.

import type { AlertRule } from './alert-rules.ts';
import {
  APP_SELECTOR,
  BURN_RATE_WINDOWS,
  type FailureMode,
  type ServiceLevelObjectives,
  SLOS,
  THRESHOLDS as T,
  TRAFFIC,
} from './alerting.ts';
import { SERVICE_DISCOVERY } from './discovery.ts';

/** The service's request histogram (its contract's metrics.httpHistogram); without one, generate.ts writes no SLO rule. */
const HISTOGRAM = SERVICE_DISCOVERY.httpHistogram ?? '';
const WINDOWS = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.long, w.short]))];
const ERROR_BUDGET = '/d/nodeapp-error-budget';

interface Sli {
  readonly slo: string;
  /** The FAILURE_MODES entry its alerts cover (src/alerting.ts). */
  readonly failureMode: FailureMode;
  readonly objective: number;
  readonly description: string;
  /** The share of bad events over a window. */
  readonly errorRatio: (window: string) => string;
  /** Requests per second the SLI counts (the minimum-traffic guard of the paging alert). */
  readonly requests: (window: string) => string;
}

/**
 * The bucket of a latency threshold. Prometheus 3 writes whole-number bucket bounds as floats (le="1.0" where 2.x
 * kept the exposed "1": https://prometheus.io/docs/prometheus/latest/migration/), so a whole number matches both.
 */
export function leMatcher(seconds: number): string {
  return Number.isInteger(seconds) ? `le=~"${seconds}(\\\\.0)?"` : `le="${seconds}"`;
}

export function slis(objectives: ServiceLevelObjectives): Sli[] {
  const all = `${APP_SELECTOR}, ${TRAFFIC}`;
  const total = (selector: string, w: string) => `sum by (job) (rate(${HISTOGRAM}_count{${selector}}[${w}]))`;
  const api = `${all}, route=~"${objectives.latency.routes}"`;
  const le = leMatcher(objectives.latency.seconds);
  return [
    {
      slo: 'availability',
      failureMode: 'error-responses',
      objective: objectives.availability,
      description: `${objectives.availability * 100}% of requests answered without a 5xx`,
      // `or … * 0`: a ratio of 0 while there is traffic but no 5xx yet (the dashboard's budget stays drawn).
      errorRatio: (w) => `(${total(`${all}, status_code=~"5.."`, w)} or ${total(all, w)} * 0) / ${total(all, w)}`,
      requests: (w) => total(all, w),
    },
    {
      slo: 'latency',
      failureMode: 'slow-responses',
      objective: objectives.latency.objective,
      description: `${objectives.latency.objective * 100}% of ${objectives.latency.routes} requests within ${objectives.latency.seconds * 1000} ms`,
      errorRatio: (w) => `1 - sum by (job) (rate(${HISTOGRAM}_bucket{${api}, ${le}}[${w}])) / ${total(api, w)}`,
      requests: (w) => total(api, w),
    },
  ];
}

const record = (window: string) => `slo:sli_error:ratio_rate${window}`;

export function sloRuleGroups(env: string) {
  const objectives = SLOS[env];
  if (!objectives) throw new Error(`no SLOs for environment ${env}`);
  return {
    groups: slis(objectives).map((sli) => {
      const budget = 1 - sli.objective;
      const ratio = (w: string) => `${record(w)}{slo="${sli.slo}"}`;
      const burning = (severity: string) =>
        BURN_RATE_WINDOWS.filter((w) => w.severity === severity)
          .map(
            (w) =>
              `(${ratio(w.long)} > ${+(w.factor * budget).toFixed(6)} and ${ratio(w.short)} > ${+(w.factor * budget).toFixed(6)})`,
          )
          .join(' or ');
      const alerts: AlertRule[] = [
        {
          alert: 'NodeappErrorBudgetBurn',
          // The minimum-traffic guard: a few failed requests on an idle service must not page anyone.
          expr: `(${burning('critical')}) and on (job) ${sli.requests('1h')} > ${T.sloPageMinRequestsPerSecond}`,
          labels: { severity: 'critical' },
          annotations: {
            summary: `Nodeapp burns its ${sli.slo} error budget fast (page)`,
            description: `SLO ${sli.description}: at this rate the 30-day error budget lasts less than 5 days (1 h and 6 h windows). Error ratio over the long window: {{ $value | humanizePercentage }}.`,
            runbook_url: 'docs/runbook.md#nodeapperrorbudgetburn',
            dashboard: ERROR_BUDGET,
          },
        },
        {
          alert: 'NodeappErrorBudgetBurnSlow',
          expr: burning('warning'),
          labels: { severity: 'warning' },
          annotations: {
            summary: `Nodeapp burns its ${sli.slo} error budget slowly (ticket)`,
            description: `SLO ${sli.description}: at this rate the 30-day error budget is gone before the month ends (1 d and 3 d windows). Error ratio over the long window: {{ $value | humanizePercentage }}.`,
            runbook_url: 'docs/runbook.md#nodeapperrorbudgetburnslow',
            dashboard: ERROR_BUDGET,
          },
        },
      ];
      return {
        name: `nodeapp-slo-${sli.slo}`,
        rules: [
          { record: 'slo:objective:ratio', expr: String(sli.objective), labels: { slo: sli.slo } },
          ...WINDOWS.map((w) => ({ record: record(w), expr: sli.errorRatio(w), labels: { slo: sli.slo } })),
          ...alerts.map((a) => ({ ...a, labels: { ...a.labels, failure_mode: sli.failureMode, slo: sli.slo } })),
        ],
      };
    }),
  };
}
