// The names and ports that the service, its discovery and the monitoring stack must agree on, defined once here and
// imported by infra (lib/stacks/monitoring-stack.ts) and by the Prometheus config generator.

/** The port the service serves /metrics on (infra: the app container's metrics port mapping). */
export const APP_METRICS_PORT = 9464;
/** The ECS service whose tasks are scraped, and the container in them that serves the metrics. */
export const APP_ECS_SERVICE_NAME = 'app';
export const APP_CONTAINER_NAME = 'app';
/** The Prometheus job of the service's tasks (every rule and dashboard selects `job="app"`). */
export const APP_JOB = 'app';

/**
 * The ECS service discovery sidecar (src/ecs-sd, image `ecs-sd`) listens on the task's loopback only: Prometheus,
 * in the same task (awsvpc: one network namespace), reads its targets from http://localhost:<port>/targets.
 */
export const ECS_SD_PORT = 9465;
export const ECS_SD_TARGETS_PATH = '/targets';
/** How often Prometheus asks the sidecar; the sidecar asks the ECS API at most once per ECS_SD_CACHE_SECONDS. */
export const ECS_SD_REFRESH_INTERVAL = '30s';
export const ECS_SD_CACHE_SECONDS = 5;
/** The Prometheus job that scrapes the sidecar's own metrics (desired task count, discovery failures). */
export const ECS_SD_JOB = 'ecs-sd';
