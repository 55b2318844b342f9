// The ECS service discovery sidecar's wiring, shared with the Prometheus config and infra through ../discovery.ts
// (which re-exports it). A leaf module: the sidecar image carries only src/ecs-sd/, not the service contract.

/**
 * The sidecar (src/ecs-sd, image `ecs-sd`) listens on the task's loopback only: Prometheus, in the same task (awsvpc:
 * one network namespace), reads its targets from http://localhost:<port>/targets.
 */
export const ECS_SD_PORT = 9465;
export const ECS_SD_TARGETS_PATH = '/targets';
/** How often Prometheus asks the sidecar; the sidecar asks the ECS API at most once per ECS_SD_CACHE_SECONDS. */
export const ECS_SD_REFRESH_INTERVAL = '30s';
export const ECS_SD_CACHE_SECONDS = 5;
/** The Prometheus job that scrapes the sidecar's own metrics (desired task count, discovery failures). */
export const ECS_SD_JOB = 'ecs-sd';
