// One source for both Prometheus configs. They differ only in how the service is discovered:
// - ecs: Cloud Map SRV record of the ECS service (one answer per running task, on the metrics port);
// - compose: the compose service name on the metrics port.
// Prometheus 2.x cannot expand environment variables in its config, so each variant is a generated file.

export type PrometheusVariant = 'ecs' | 'compose';

/** The Cloud Map name the ECS service registers (namespace nodeapp.internal, service app, SRV on the metrics port). */
export const APP_SRV_NAME = 'app.nodeapp.internal';
export const APP_METRICS_PORT = 9464;
export const SCRAPE_INTERVAL = '15s';

type ScrapeDiscovery = Record<string, unknown>;

function appDiscovery(variant: PrometheusVariant): ScrapeDiscovery {
  if (variant === 'ecs') {
    return { dns_sd_configs: [{ names: [APP_SRV_NAME], type: 'SRV', refresh_interval: '30s' }] };
  }
  return { static_configs: [{ targets: [`app:${APP_METRICS_PORT}`] }] };
}

export function prometheusConfig(variant: PrometheusVariant): Record<string, unknown> {
  return {
    global: {
      scrape_interval: SCRAPE_INTERVAL,
      scrape_timeout: '10s',
      evaluation_interval: SCRAPE_INTERVAL,
      external_labels: { monitor: 'nodeapp' },
    },
    // Relative to this file's folder; *.test.yml files next to them are promtool unit tests, not rules.
    rule_files: ['rules/*.rules.yml'],
    alerting: {
      // Alertmanager shares Prometheus's network namespace: the same ECS task (awsvpc), and in compose
      // `network_mode: service:prometheus`. So localhost is right in both variants.
      alertmanagers: [{ static_configs: [{ targets: ['localhost:9093'] }] }],
    },
    scrape_configs: [
      {
        job_name: 'app',
        metrics_path: '/metrics',
        ...appDiscovery(variant),
        relabel_configs: [
          // An ECS task answers as <task-id>.app.nodeapp.internal:9464; compose as app:9464.
          // task = the first DNS label (the ECS task id), instance = task:port (short and unique).
          {
            source_labels: ['__address__'],
            regex: '([^.:]+)[^:]*:([0-9]+)',
            target_label: 'instance',
            replacement: '$1:$2',
          },
          { source_labels: ['__address__'], regex: '([^.:]+).*', target_label: 'task', replacement: '$1' },
        ],
      },
      { job_name: 'prometheus', static_configs: [{ targets: ['localhost:9090'] }] },
      { job_name: 'alertmanager', static_configs: [{ targets: ['localhost:9093'] }] },
    ],
  };
}
