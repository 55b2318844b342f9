// The sidecar's settings from its environment, each checked; a bad one throws naming the variable.

import type { DiscoverySettings } from './targets.ts';

export interface SidecarConfig {
  readonly settings: DiscoverySettings;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly cacheSeconds: number;
  /** Timeout of one ECS API call (ms) and deadline of one discovery pass, retries included (ms). */
  readonly requestTimeoutMs: number;
  readonly passTimeoutMs: number;
}

interface Defaults {
  /** Without it, ECS_CONTAINER is required. */
  readonly containerName?: string;
  /** Without it, METRICS_PORT is required. */
  readonly port?: number;
  readonly listenPort: number;
  readonly cacheSeconds: number;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number | undefined, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') {
    if (fallback === undefined) throw new Error(`${name} must be set`);
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

export function sidecarConfig(env: NodeJS.ProcessEnv, defaults: Defaults): SidecarConfig {
  return {
    settings: {
      cluster: required(env, 'ECS_CLUSTER'),
      serviceName: required(env, 'ECS_SERVICE'),
      containerName: env.ECS_CONTAINER?.trim() || defaults.containerName || required(env, 'ECS_CONTAINER'),
      port: integer(env, 'METRICS_PORT', defaults.port, 1, 65535),
    },
    // Loopback only: Prometheus runs in the same task (one network namespace); nothing else needs the sidecar.
    listenHost: env.LISTEN_HOST?.trim() || '127.0.0.1',
    listenPort: integer(env, 'LISTEN_PORT', defaults.listenPort, 0, 65535),
    cacheSeconds: integer(env, 'CACHE_SECONDS', defaults.cacheSeconds, 0, 300),
    requestTimeoutMs: integer(env, 'ECS_REQUEST_TIMEOUT_MS', 5_000, 100, 60_000),
    passTimeoutMs: integer(env, 'DISCOVERY_TIMEOUT_MS', 20_000, 100, 120_000),
  };
}
