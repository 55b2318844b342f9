// The names and ports that the service, its discovery and the monitoring stack must agree on. The service's own
// facts come from its contract (`<folder>/service.json`: `name` is the ECS service, the container and the Prometheus
// job; `metrics` the port and path scraped), through `discoveryOf`, the one mapping infra
// (lib/constructs/monitoring-prometheus.ts) and the generators here share. The discovery sidecar's wiring lives in
// ecs-sd/wiring.ts (the sidecar image has no contract) and is re-exported here.
import { loadServiceContract, type ServiceContract, serviceFolderFromEnv } from '@nodeapp/contract';

/** What Prometheus and its discovery need to know about a service, all from its contract. */
export interface ServiceDiscovery {
  /** The Prometheus job of the service's tasks (every rule and dashboard selects `job="<name>"`). */
  readonly job: string;
  /** The ECS service whose tasks are scraped, and the container in them that serves the metrics. */
  readonly ecsServiceName: string;
  readonly containerName: string;
  /** Absent when the service exports no Prometheus metrics (the dashboards then use the ALB's CloudWatch metrics). */
  readonly metricsPort?: number;
  readonly metricsPath?: string;
  /** The service's request-duration histogram (seconds), when it exports one: the request rules and panels. */
  readonly httpHistogram?: string;
  /** Whether it exports prom-client's Node.js runtime metrics: the runtime dashboard and its alerts. */
  readonly nodeRuntime: boolean;
}

export function discoveryOf(service: ServiceContract): ServiceDiscovery {
  return {
    job: service.name,
    ecsServiceName: service.name,
    containerName: service.name,
    metricsPort: service.metrics?.port,
    metricsPath: service.metrics?.path,
    httpHistogram: service.metrics?.httpHistogram,
    nodeRuntime: service.metrics?.nodeRuntime ?? false,
  };
}

/** The service the monitoring files are generated for: NODEAPP_SERVICE's folder, else app/. */
export const SERVICE: ServiceContract = loadServiceContract(serviceFolderFromEnv());
export const SERVICE_DISCOVERY: ServiceDiscovery = discoveryOf(SERVICE);
export const APP_JOB = SERVICE_DISCOVERY.job;
export const APP_ECS_SERVICE_NAME = SERVICE_DISCOVERY.ecsServiceName;
export const APP_CONTAINER_NAME = SERVICE_DISCOVERY.containerName;
/** The port the service serves its metrics on (the contract's metrics.port; absent without metrics). */
export const APP_METRICS_PORT: number | undefined = SERVICE_DISCOVERY.metricsPort;
/** The selector of the service's own series: `job="<name>"`. */
export const APP_JOB_SELECTOR = `job="${APP_JOB}"`;

export {
  ECS_SD_CACHE_SECONDS,
  ECS_SD_JOB,
  ECS_SD_PORT,
  ECS_SD_REFRESH_INTERVAL,
  ECS_SD_TARGETS_PATH,
} from './ecs-sd/wiring.ts';
