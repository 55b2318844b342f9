// The HTTP side of the ECS service discovery sidecar:
//   GET /targets  Prometheus HTTP SD JSON (the running tasks of the service), refreshed from the ECS API on demand
//                 at most once per cacheSeconds; on an ECS error 503, and Prometheus keeps the targets it had
//                 (https://prometheus.io/docs/prometheus/latest/http_sd/: "Prometheus keeps the current targets").
//   GET /metrics  its own metrics: the service's desired and running task counts, targets, refresh failures.
//   GET /-/ready  200 once one discovery pass succeeded.
import { createServer, type Server } from 'node:http';
import type { ECSClient } from '@aws-sdk/client-ecs';
import { Counter, Gauge, Registry } from 'prom-client';
import { type Discovery, type DiscoverySettings, discover } from './targets.ts';
import { ECS_SD_TARGETS_PATH } from './wiring.ts';

export interface SidecarOptions {
  readonly client: ECSClient;
  readonly settings: DiscoverySettings;
  readonly cacheSeconds: number;
  /**
   * Deadline of one discovery pass, retries included: a hung ECS API fails the pass (503, Prometheus keeps its
   * targets, the failure and the staleness are counted) instead of freezing discovery.
   * @default 20 s (under Prometheus's 30 s HTTP SD refresh interval)
   */
  readonly passTimeoutMs?: number;
  readonly log?: (message: string) => void;
}

/** Why a pass failed: ECS throttled it (tolerated for a while), it ran out of time, or anything else. */
export function failureReason(error: unknown): 'throttling' | 'timeout' | 'error' {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: { throttling?: boolean } };
  // The SDK's own classification (@smithy/service-error-classification THROTTLING_ERROR_CODES).
  if (
    e?.$retryable?.throttling ||
    e?.$metadata?.httpStatusCode === 429 ||
    /Throttl|RequestLimitExceeded|TooManyRequests/.test(e?.name ?? '')
  )
    return 'throttling';
  if (/Abort|Timeout/.test(e?.name ?? '')) return 'timeout';
  return 'error';
}

export function sidecarMetrics(registry: Registry) {
  return {
    // Labelled, so that nothing is exported before ECS answered: an unlabelled prom-client gauge reads 0 until set,
    // which NodeappServiceDown would take for "scaled to zero on purpose".
    desired: new Gauge({
      name: 'nodeapp_ecs_service_desired_tasks',
      help: 'Desired task count of the scraped ECS service (0: scaled to zero on purpose)',
      labelNames: ['service'],
      registers: [registry],
    }),
    running: new Gauge({
      name: 'nodeapp_ecs_service_running_tasks',
      help: 'Running task count the ECS service reports',
      labelNames: ['service'],
      registers: [registry],
    }),
    targets: new Gauge({
      name: 'nodeapp_ecs_sd_targets',
      help: 'Targets in the last successful discovery pass',
      registers: [registry],
    }),
    failures: new Counter({
      name: 'nodeapp_ecs_sd_refresh_failures_total',
      help: 'Discovery passes that failed, by reason: throttling (ECS throttled), timeout (the pass deadline), error',
      labelNames: ['reason'],
      registers: [registry],
    }),
    consecutiveFailures: new Gauge({
      name: 'nodeapp_ecs_sd_consecutive_failures',
      help: 'Discovery passes failed in a row since the last successful one',
      registers: [registry],
    }),
    stopped: new Counter({
      name: 'nodeapp_ecs_tasks_stopped_total',
      help: 'Tasks of the service ECS stopped since the sidecar started, by ECS stop code (EssentialContainerExited: the app exited)',
      labelNames: ['stop_code'],
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'nodeapp_ecs_sd_last_success_timestamp_seconds',
      help: 'Unix time of the last successful discovery pass (0 before the first)',
      registers: [registry],
    }),
  };
}

export function createSidecar(options: SidecarOptions): Server {
  const registry = new Registry();
  const metrics = sidecarMetrics(registry);
  // Exported from the start: the alerts read every reason, and the crash counter, from 0 (a counter that appears at
  // its first value hides that value from increase()).
  for (const reason of ['throttling', 'timeout', 'error']) metrics.failures.inc({ reason }, 0);
  metrics.stopped.inc({ stop_code: 'EssentialContainerExited' }, 0);
  metrics.consecutiveFailures.set(0);
  let last: { at: number; discovery: Discovery } | undefined;
  let inFlight: Promise<Discovery> | undefined;
  // Stopped tasks already counted. The first pass only records them: tasks stopped before the sidecar started (ECS
  // lists them for about an hour) must not look like a burst of stops after every Prometheus restart.
  let knownStopped: Set<string> | undefined;
  const countStopped = (discovery: Discovery) => {
    const current = new Set(discovery.stopped.map((t) => t.taskArn));
    if (knownStopped) {
      for (const task of discovery.stopped) {
        if (!knownStopped.has(task.taskArn)) metrics.stopped.inc({ stop_code: task.stopCode });
      }
    }
    knownStopped = current;
  };

  const refresh = async (): Promise<Discovery> => {
    if (last && Date.now() - last.at < options.cacheSeconds * 1000) return last.discovery;
    // One ECS pass at a time: concurrent requests share it.
    inFlight ??= discover(options.client, options.settings, AbortSignal.timeout(options.passTimeoutMs ?? 20_000))
      .then((discovery) => {
        metrics.consecutiveFailures.set(0);
        last = { at: Date.now(), discovery };
        metrics.targets.set(discovery.groups.length);
        countStopped(discovery);
        // A missing service (deleted, or the wrong name) counts as desired 0 only if ECS said so: leave unset.
        const service = { service: options.settings.serviceName };
        if (discovery.desiredCount !== undefined) metrics.desired.set(service, discovery.desiredCount);
        if (discovery.runningCount !== undefined) metrics.running.set(service, discovery.runningCount);
        metrics.lastSuccess.set(Math.floor(Date.now() / 1000));
        return discovery;
      })
      .catch((error: unknown) => {
        metrics.failures.inc({ reason: failureReason(error) });
        metrics.consecutiveFailures.inc();
        throw error;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };

  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405, { allow: 'GET' }).end('only GET\n');
      return;
    }
    if (path === ECS_SD_TARGETS_PATH) {
      refresh().then(
        (discovery) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(discovery.groups));
        },
        (error: unknown) => {
          const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          options.log?.(`discovery failed: ${message}`);
          res.writeHead(503, { 'content-type': 'text/plain' }).end(`ECS discovery failed: ${message}\n`);
        },
      );
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
      return;
    }
    if (path === '/-/ready') {
      refresh().then(
        () => res.writeHead(200).end('ready\n'),
        () => res.writeHead(503).end('no successful discovery yet\n'),
      );
      return;
    }
    if (path === '/-/healthy') {
      res.writeHead(200).end('ok\n');
      return;
    }
    res.writeHead(404).end('not found\n');
  });
}
