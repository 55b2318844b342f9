// What one million more API requests cost an environment: the lines of the bill that grow with requests, priced
// from prices.json and the per-request assumptions (assumptions.ts, PER_REQUEST). Which lines apply is read from the
// environment's estimate (the synthesized templates): an environment without a WAF pays no WAF requests, one with a
// NAT instance no NAT gateway bytes. The task size and the capacity mix come from the environment's config.
import type { EnvironmentConfig } from '@nodeapp/infra/config/types';
import { PER_REQUEST, type PerRequest } from './assumptions.ts';
import type { Estimate } from './estimate.ts';
import type { PriceTable } from './price-table.ts';

const MILLION = 1_000_000;
const GB = 1e9;

export interface PerMillionLine {
  /** compute, load balancer, edge, waf, logs, egress */
  name: string;
  usd: number;
  /** How the figure was made, in words and numbers. */
  detail: string;
}

export interface PerMillion {
  env: string;
  lines: PerMillionLine[];
  total: number;
  /** The line that costs most. */
  dominant: string;
  /** The monthly estimate without the lines that grow with requests (LCUs, CloudFront, WAF requests). */
  fixedMonthly: number;
}

/** Price keys of the monthly estimate's lines that grow with requests (the rest is the fixed cost). */
export const REQUEST_DRIVEN_PRICE_KEYS = [
  'alb.lcu-hour',
  'cloudfront.https-requests.per-10k',
  'cloudfront.gb-out.north-america',
  'waf.million-requests',
];

/** The task that serves the marginal requests: size, price per hour on each capacity, CPU target, Spot share. */
export function marginalTask(
  env: EnvironmentConfig,
  prices: PriceTable,
): { vcpu: number; memoryGb: number; hourly: number; spotShare: number; targetCpu: number; arch: string } {
  const s = env.service;
  const arch = s.cpuArchitecture === 'ARM64' ? 'arm64' : 'x86_64';
  const vcpu = s.cpu / 1024;
  const memoryGb = s.memoryMiB / 1024;
  const onDemand =
    vcpu * prices.usd(`fargate.linux.${arch}.vcpu-hour`) + memoryGb * prices.usd(`fargate.linux.${arch}.gb-hour`);
  // Tasks beyond the strategy's FARGATE base are placed by weight (ECS capacity provider strategy): that share runs
  // on Spot, at the Spot discount. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html
  const weights = s.fargateWeight + s.fargateSpotWeight;
  const spotShare = weights === 0 ? 0 : s.fargateSpotWeight / weights;
  const hourly = onDemand * (1 - spotShare * prices.spotDiscount);
  return { vcpu, memoryGb, hourly, spotShare, targetCpu: s.targetCpuPercent / 100, arch };
}

/**
 * `requestsPerTarget`: the request-count autoscaling target (per task per minute) the service deploys with: its
 * contract's autoscaling.requestsPerTarget, else the environment's targetRequestsPerTarget.
 */
export function perMillion(
  estimate: Estimate,
  env: EnvironmentConfig,
  prices: PriceTable,
  assume: PerRequest = PER_REQUEST,
  requestsPerTarget: number = env.service.targetRequestsPerTarget,
): PerMillion {
  const has = (key: string) => estimate.lines.some((l) => l.priceKey === key);
  const lines: PerMillionLine[] = [];
  const n = (x: number, digits = 3) => x.toLocaleString('en-US', { maximumFractionDigits: digits });

  // Compute: the tasks that serve the requests, billed for their whole size per second. Autoscaling holds each task
  // at or below both targets (target tracking scales out when either policy asks, in only when all agree:
  // https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-target-tracking.html), so
  // the task-seconds per million requests are the larger of: the CPU seconds at the CPU target, and the seconds a
  // task takes to serve a million at the request-count target (ALBRequestCountPerTarget, requests per minute).
  const task = marginalTask(env, prices);
  if (env.capacity === 'fargate') {
    const cpuSeconds = (assume.cpuMicros * MILLION) / 1e6;
    const byCpu = cpuSeconds / (task.vcpu * task.targetCpu);
    const byRequests = (MILLION * 60) / requestsPerTarget;
    const taskHours = Math.max(byCpu, byRequests) / 3600;
    const binding =
      byRequests >= byCpu
        ? `the request target (${requestsPerTarget}/min per task) binds: 1M / ${n(requestsPerTarget / 60)} req/s`
        : `${assume.cpuMicros} µs CPU × 1M on ${task.vcpu} vCPU at ${task.targetCpu * 100} %`;
    lines.push({
      name: 'compute (Fargate)',
      usd: taskHours * task.hourly,
      detail:
        `${binding} = ${n(taskHours, 4)} task-h × $${n(task.hourly, 5)}/h ` +
        `(${task.vcpu} vCPU, ${task.memoryGb} GB, ${task.arch}, ${Math.round(task.spotShare * 100)} % Spot)`,
    });
  } else {
    lines.push({ name: 'compute (EC2)', usd: 0, detail: 'EC2 capacity: the instances are a fixed monthly cost' });
  }

  const bytesThroughAlb = (assume.requestBytes + assume.responseBytes) * MILLION;
  if (has('alb.lcu-hour')) {
    // The monthly estimate's rule, per request: an LCU serves 25 new connections/s or 1 GB/h, billed on the larger
    // dimension; conservatively every request a new connection. https://aws.amazon.com/elasticloadbalancing/pricing/
    const byConnections = MILLION / 25 / 3600;
    const byBytes = bytesThroughAlb / GB;
    const lcuHours = Math.max(byConnections, byBytes);
    lines.push({
      name: 'load balancer (LCUs)',
      usd: lcuHours * prices.usd('alb.lcu-hour'),
      detail: `max(1M new connections / 25/s, ${n(byBytes)} GB / 1 GB) = ${n(lcuHours)} LCU-h × $${prices.usd('alb.lcu-hour')}`,
    });
  }
  if (has('cloudfront.https-requests.per-10k')) {
    const requests = (MILLION / 10_000) * prices.usd('cloudfront.https-requests.per-10k');
    const gbOut = (assume.responseBytes * MILLION) / GB;
    lines.push({
      name: 'CloudFront requests',
      usd: requests,
      detail: `100 × 10k HTTPS requests × $${prices.usd('cloudfront.https-requests.per-10k')}`,
    });
    lines.push({
      name: 'CloudFront data out',
      usd: gbOut * prices.usd('cloudfront.gb-out.north-america'),
      detail: `${n(gbOut)} GB (${assume.responseBytes} B per response) × $${prices.usd('cloudfront.gb-out.north-america')}`,
    });
  }
  if (has('waf.million-requests')) {
    lines.push({
      name: 'WAF requests',
      usd: prices.usd('waf.million-requests'),
      detail: `1M inspected × $${prices.usd('waf.million-requests')}`,
    });
  }
  // One access log line per request, shipped to CloudWatch Logs from the private subnets (through the NAT gateway or
  // an interface endpoint when the environment has one; a NAT instance has no per-GB charge).
  const logGb = (assume.logBytes * MILLION) / GB;
  lines.push({
    name: 'logs (CloudWatch ingestion)',
    usd: logGb * prices.usd('cloudwatch.logs.ingest-gb'),
    detail: `${n(logGb)} GB (${assume.logBytes} B per request line) × $${prices.usd('cloudwatch.logs.ingest-gb')}`,
  });
  const egressKey = ['vpc-endpoint.interface.gb', 'nat-gateway.gb'].find(has);
  lines.push({
    name: 'NAT / endpoint data',
    usd: egressKey ? logGb * prices.usd(egressKey) : 0,
    detail: egressKey
      ? `${n(logGb)} GB of log lines × $${prices.usd(egressKey)} (${egressKey})`
      : 'no per-GB charge (NAT instance)',
  });

  const total = lines.reduce((sum, l) => sum + l.usd, 0);
  const dominant = [...lines].sort((a, b) => b.usd - a.usd)[0]?.name ?? '';
  const requestDriven = estimate.lines
    .filter((l) => REQUEST_DRIVEN_PRICE_KEYS.includes(l.priceKey))
    .reduce((sum, l) => sum + l.monthly, 0);
  return {
    env: estimate.env,
    lines,
    total,
    dominant,
    fixedMonthly: Math.round((estimate.total - requestDriven) * 100) / 100,
  };
}
