// The cost per million API requests: each line hand-computed from prices.json and the per-request assumptions,
// present only when the environment's estimate has the resource, and CloudFront's request price the largest line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '@nodeapp/infra/config/environments';
import type { EnvironmentConfig } from '@nodeapp/infra/config/types';
import type { PerRequest } from '../src/assumptions.ts';
import type { Estimate } from '../src/estimate.ts';
import type { LineItem } from '../src/model.ts';
import { marginalTask, perMillion } from '../src/per-million.ts';
import { loadPriceTable } from '../src/price-table.ts';

const prices = loadPriceTable('us-east-1');
const prod = loadConfig({}).environments.find((e) => e.name === 'prod') as EnvironmentConfig;
const assume: PerRequest = { cpuMicros: 300, requestBytes: 500, responseBytes: 1_500, logBytes: 250 };

function line(priceKey: string, monthly: number): LineItem {
  return { group: 'x', resource: priceKey, quantity: 1, unit: 'u', unitPrice: monthly, monthly, priceKey, from: [] };
}
function estimate(lines: LineItem[]): Estimate {
  const total = lines.reduce((s, l) => s + l.monthly, 0);
  return {
    env: 'prod',
    region: 'us-east-1',
    stacks: [],
    lines,
    total,
    usage: {} as Estimate['usage'],
    spotDiscount: prices.spotDiscount,
    pricesAsOf: '',
    unpriced: [],
    notes: [],
  };
}
const everything = estimate([
  line('fargate.linux.arm64.vcpu-hour', 100),
  line('alb.lcu-hour', 7),
  line('cloudfront.https-requests.per-10k', 30),
  line('cloudfront.gb-out.north-america', 25.5),
  line('waf.million-requests', 18),
  line('nat-gateway.gb', 1.35),
]);
const usdOf = (r: ReturnType<typeof perMillion>, name: string) => r.lines.find((l) => l.name === name)?.usd;

describe('cost per million API requests', () => {
  it('prices compute as task-hours at the binding autoscaling target, on the Spot share of the tasks beyond the base', () => {
    const s = {
      ...prod.service,
      cpu: 512,
      memoryMiB: 1024,
      cpuArchitecture: 'X86_64' as const,
      fargateWeight: 1,
      fargateSpotWeight: 3,
      targetCpuPercent: 50,
    };
    const task = marginalTask({ ...prod, service: s }, prices);
    const onDemand =
      0.5 * prices.usd('fargate.linux.x86_64.vcpu-hour') + 1 * prices.usd('fargate.linux.x86_64.gb-hour');
    assert.equal(task.spotShare, 0.75);
    assert.ok(Math.abs(task.hourly - onDemand * (1 - 0.75 * prices.spotDiscount)) < 1e-12);
    // A request target no task reaches: the CPU binds. 300 µs × 1M = 300 CPU-s; on 0.5 vCPU at 50 % = 1200 task-s.
    const byCpu = perMillion(everything, { ...prod, service: s }, prices, assume, 1e9);
    assert.ok(Math.abs((usdOf(byCpu, 'compute (Fargate)') ?? 0) - (1200 / 3600) * task.hourly) < 1e-12);
    // 600 requests per minute per task = 10 req/s: a million takes 100,000 task-seconds, far more than the CPU needs.
    const byRequests = perMillion(everything, { ...prod, service: s }, prices, assume, 600);
    assert.ok(Math.abs((usdOf(byRequests, 'compute (Fargate)') ?? 0) - (100_000 / 3600) * task.hourly) < 1e-12);
    assert.match(byRequests.lines[0]?.detail ?? '', /the request target \(600\/min per task\) binds/);
  });

  it('adds the load balancer, CloudFront, WAF, log and NAT lines the estimate has, and names the largest', () => {
    const r = perMillion(everything, prod, prices, assume);
    assert.equal(usdOf(r, 'CloudFront requests'), 100 * prices.usd('cloudfront.https-requests.per-10k'));
    assert.equal(usdOf(r, 'CloudFront data out'), 1.5 * prices.usd('cloudfront.gb-out.north-america'));
    assert.equal(usdOf(r, 'WAF requests'), prices.usd('waf.million-requests'));
    assert.equal(usdOf(r, 'load balancer (LCUs)'), (1e6 / 25 / 3600) * prices.usd('alb.lcu-hour')); // connections bind
    assert.equal(usdOf(r, 'logs (CloudWatch ingestion)'), 0.25 * prices.usd('cloudwatch.logs.ingest-gb'));
    assert.equal(usdOf(r, 'NAT / endpoint data'), 0.25 * prices.usd('nat-gateway.gb'));
    assert.ok(Math.abs(r.total - r.lines.reduce((s, l) => s + l.usd, 0)) < 1e-12);
    assert.equal(r.dominant, 'CloudFront requests');
    // The fixed cost leaves out the request-driven lines of the monthly estimate.
    assert.equal(r.fixedMonthly, 101.35);
  });

  it('leaves out what the environment does not have', () => {
    const r = perMillion(estimate([line('fargate.linux.arm64.vcpu-hour', 10)]), prod, prices, assume);
    assert.deepEqual(
      r.lines.map((l) => l.name),
      ['compute (Fargate)', 'logs (CloudWatch ingestion)', 'NAT / endpoint data'],
    );
    assert.equal(usdOf(r, 'NAT / endpoint data'), 0, 'a NAT instance charges no bytes');
    assert.equal(perMillion(everything, { ...prod, capacity: 'ec2' }, prices, assume).lines[0]?.usd, 0);
  });
});
