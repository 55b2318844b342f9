// One source for both Prometheus configs. They differ only in how the service is discovered:
// - ecs: the ECS API, through the discovery sidecar in the same task (HTTP SD at http://localhost:<ECS_SD_PORT>):
//   every RUNNING task of the app service, however many (Cloud Map DNS answers at most 8 records per query);
// - compose: the compose service name on the metrics port.
// Prometheus cannot expand environment variables in its config except in external labels (2.x behind the feature flag
// expand-external-labels, https://prometheus.io/docs/prometheus/2.55/feature_flags/#expand-environment-variables-in-external-labels;
// 3.x always, https://prometheus.io/docs/prometheus/latest/migration/): `env` comes from NODEAPP_ENV that way, so one
// image serves every environment.
// The service's job, port and path come from its contract (discovery.ts).
import { ENV_LABEL } from './alerting.ts';
import {
  APP_JOB,
  APP_METRICS_PORT,
  ECS_SD_JOB,
  ECS_SD_PORT,
  ECS_SD_REFRESH_INTERVAL,
  ECS_SD_TARGETS_PATH,
  SERVICE_DISCOVERY,
} from './discovery.ts';

export type PrometheusVariant = 'ecs' | 'compose';

export const SCRAPE_INTERVAL = '15s';
/** The Prometheus flag the configs need (env in external labels). */
export const PROMETHEUS_FEATURE_FLAGS = ['--enable-feature=expand-external-labels'];

type ScrapeConfig = Record<string, unknown>;

function appJob(variant: PrometheusVariant, metricsPort: number, metricsPath: string): ScrapeConfig {
  if (variant === 'ecs') {
    return {
      job_name: APP_JOB,
      metrics_path: metricsPath,
      http_sd_configs: [
        { url: `http://localhost:${ECS_SD_PORT}${ECS_SD_TARGETS_PATH}`, refresh_interval: ECS_SD_REFRESH_INTERVAL },
      ],
      relabel_configs: [
        // The sidecar labels each target with its ECS task id (task), revision, zone and capacity provider;
        // instance = task:port (short, unique, and stable across IP reuse).
        {
          source_labels: ['task', '__address__'],
          regex: '(.+);[^:]+:([0-9]+)',
          target_label: 'instance',
          replacement: '$1:$2',
        },
      ],
    };
  }
  // compose.yaml names the service after the contract's name: one task, task = instance host = that name.
  return {
    job_name: APP_JOB,
    metrics_path: metricsPath,
    static_configs: [{ targets: [`${APP_JOB}:${metricsPort}`] }],
    relabel_configs: [{ target_label: 'task', replacement: APP_JOB }],
  };
}

function selfJobs(variant: PrometheusVariant): ScrapeConfig[] {
  const jobs: ScrapeConfig[] = [
    { job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] },
    { job_name: 'alertmanager', static_configs: [{ targets: ['localhost:9093'] }] },
  ];
  // The discovery sidecar's own metrics: the service's desired task count, discovery failures, stopped tasks.
  if (variant === 'ecs')
    jobs.push({ job_name: ECS_SD_JOB, static_configs: [{ targets: [`localhost:${ECS_SD_PORT}`] }] });
  return jobs;
}

export function prometheusConfig(variant: PrometheusVariant): Record<string, unknown> {
  return {
    global: {
      scrape_interval: SCRAPE_INTERVAL,
      scrape_timeout: '10s',
      evaluation_interval: SCRAPE_INTERVAL,
      // Which environment: on every alert and on every series sent out (remote_write, federation).
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an environment reference for Prometheus, not JavaScript
      external_labels: { [ENV_LABEL]: '${NODEAPP_ENV}' },
    },
    // Relative to this file's folder; *.test.yml files next to them are promtool unit tests, not rules.
    // slo/: the environment's SLO rules, which entrypoint.sh links next to its copy of this file (none here).
    rule_files: ['rules/*.rules.yml', 'slo/*.rules.yml'],
    alerting: {
      // Alertmanager shares Prometheus's network namespace: the same ECS task (awsvpc), and in compose
      // `network_mode: service:prometheus`. So localhost is right in both variants.
      alertmanagers: [{ static_configs: [{ targets: ['localhost:9093'] }] }],
    },
    // A service without metrics (its contract has none) gets no scrape job; its dashboards use the load balancer.
    scrape_configs: [
      ...(APP_METRICS_PORT !== undefined
        ? [appJob(variant, APP_METRICS_PORT, SERVICE_DISCOVERY.metricsPath ?? '/metrics')]
        : []),
      ...selfJobs(variant),
    ],
  };
}
