// Usage assumptions: what the templates cannot say (traffic, log volume, stored bytes). Defaults per environment,
// overridable with CLI flags or COST_* environment variables.

export interface Usage {
  /** HTTPS requests per month reaching CloudFront (and, conservatively, all forwarded to the ALB). */
  requests: number;
  /** GB per month CloudFront serves to the internet. */
  cdnEgressGb: number;
  /** GB per month of container logs (split over the log groups the task definitions write to). */
  containerLogGb: number;
  /** GB per month of VPC flow logs. */
  flowLogGb: number;
  /** GB per month leaving private subnets towards AWS APIs/internet (image pulls, log delivery) via NAT/endpoints. */
  privateEgressGb: number;
  /** GB stored in the environment's S3 buckets (static site, access logs). */
  s3Gb: number;
  /** GB of images kept in the shared ECR repository. */
  ecrGb: number;
  /** Releases deployed per month: a canary or blue/green deploy runs a second full set of tasks while it lasts. */
  deploysPerMonth: number;
}

export const USAGE_FIELDS: Record<keyof Usage, { flag: string; env: string; what: string }> = {
  requests: { flag: 'requests', env: 'COST_REQUESTS', what: 'requests/month' },
  cdnEgressGb: { flag: 'egress-gb', env: 'COST_EGRESS_GB', what: 'GB/month served by CloudFront' },
  containerLogGb: { flag: 'log-gb', env: 'COST_LOG_GB', what: 'GB/month container logs' },
  flowLogGb: { flag: 'flow-log-gb', env: 'COST_FLOW_LOG_GB', what: 'GB/month VPC flow logs' },
  privateEgressGb: { flag: 'private-egress-gb', env: 'COST_PRIVATE_EGRESS_GB', what: 'GB/month via NAT/endpoints' },
  s3Gb: { flag: 's3-gb', env: 'COST_S3_GB', what: 'GB stored in S3' },
  ecrGb: { flag: 'ecr-gb', env: 'COST_ECR_GB', what: 'GB of images in ECR (shared)' },
  deploysPerMonth: { flag: 'deploys', env: 'COST_DEPLOYS', what: 'deploys/month' },
};

const DEFAULTS: Record<string, Usage> = {
  dev: {
    requests: 1_000_000,
    cdnEgressGb: 5,
    containerLogGb: 1,
    flowLogGb: 1,
    privateEgressGb: 2,
    s3Gb: 1,
    ecrGb: 2,
    deploysPerMonth: 40,
  },
  staging: {
    requests: 2_000_000,
    cdnEgressGb: 10,
    containerLogGb: 2,
    flowLogGb: 2,
    privateEgressGb: 5,
    s3Gb: 2,
    ecrGb: 2,
    deploysPerMonth: 40,
  },
  prod: {
    requests: 30_000_000,
    cdnEgressGb: 300,
    containerLogGb: 20,
    flowLogGb: 10,
    privateEgressGb: 30,
    s3Gb: 10,
    ecrGb: 2,
    deploysPerMonth: 20,
  },
};

export function defaultUsage(env: string): Usage {
  return { ...(DEFAULTS[env] ?? (DEFAULTS.dev as Usage)) };
}

/** Parses a non-negative number ("2e6", "1_000_000", "5"); the error names the flag or variable. */
export function parseAmount(name: string, raw: string): number {
  const n = Number(raw.replaceAll('_', ''));
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new Error(`${name} must be a non-negative number (got "${raw}")`);
  }
  return n;
}

/** Overrides from COST_* environment variables, then from flags (flags win). */
export function usageOverrides(
  flags: Record<string, string | undefined>,
  env: NodeJS.ProcessEnv = process.env,
): Partial<Usage> {
  const out: Partial<Usage> = {};
  for (const [field, spec] of Object.entries(USAGE_FIELDS) as [keyof Usage, (typeof USAGE_FIELDS)[keyof Usage]][]) {
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined) out[field] = parseAmount(spec.env, fromEnv);
    const fromFlag = flags[spec.flag];
    if (fromFlag !== undefined) out[field] = parseAmount(`--${spec.flag}`, fromFlag);
  }
  return out;
}

/**
 * What one API request takes, for the cost per million requests (per-million.ts). Assumptions, labelled as such:
 * - cpuMicros: the service's CPU time per request, from `npm run bench` (BENCHMARKS.md): GET /api/messages on
 *   PostgreSQL took 155–258 µs of CPU per request across eight runs on the development machine (no CPU limit); the
 *   API mix (80 % list, 20 % create) is assumed to cost the same, and so is every task size (CPU time per request
 *   does not depend on the share of a CPU the task gets; its latency does).
 * - requestBytes / responseBytes: what passes the load balancer per request (headers included) and what CloudFront
 *   sends back: a page of guestbook messages as JSON.
 * - logBytes: the one info line the service logs per request (a pino JSON line with the request id, method, route,
 *   status and duration: about 240 bytes), rounded up.
 */
export interface PerRequest {
  cpuMicros: number;
  requestBytes: number;
  responseBytes: number;
  logBytes: number;
}

export const PER_REQUEST: PerRequest = {
  cpuMicros: 220,
  requestBytes: 600,
  responseBytes: 2_000,
  logBytes: 300,
};
