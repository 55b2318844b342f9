// The estimator on a hand-written dev-like template set (fixtures/dev-stacks.ts), checked line by line against
// figures computed by hand below — not copied from the tool. Prices: cost/prices.json (us-east-1), 730 h/month,
// Spot discount 0.70, dev usage defaults (1,000,000 requests, 5 GB CloudFront out, 1 GB container logs, 1 GB flow
// logs, 1 GB S3). Each line is rounded half-up to the cent, the total is the sum of the rounded lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultUsage } from '../src/assumptions.ts';
import { estimateEnvironment } from '../src/estimate.ts';
import { loadPriceTable } from '../src/price-table.ts';
import type { CfnResource, StackTemplate } from '../src/template.ts';
import { devStacks } from './fixtures/dev-stacks.ts';

const estimate = estimateEnvironment('dev', devStacks, loadPriceTable('us-east-1'), defaultUsage('dev'));

function line(fragment: string): number {
  const found = estimate.lines.filter((l) => l.resource.includes(fragment));
  assert.equal(found.length, 1, `exactly one line matching "${fragment}", got ${found.map((l) => l.resource)}`);
  return (found[0] as { monthly: number }).monthly;
}

describe('cost estimate of the dev fixture, computed by hand', () => {
  it('prices each billable resource to the cent', () => {
    const expected: [string, number][] = [
      // App: 1 task 07:00-20:00 Mon-Fri = 65 h of 168 h; 730 x 65/168 = 282.440 task-h.
      // ARM64 0.25 vCPU x 0.03238 + 0.5 GB x 0.00356 = 0.009875/h; Spot x 0.3 = 0.0029625; 282.440 x 0.0029625 = 0.8367
      ['Service/Service tasks on FARGATE_SPOT', 0.84],
      // Prometheus: X86_64 (no RuntimePlatform) 0.5 x 0.04048 + 1 x 0.004445 = 0.024685; Spot (cluster default
      // strategy, found through the Fn::ImportValue of the cluster) x 0.3 = 0.0074055; x 730 = 5.406
      ['Monitoring/Prometheus tasks on FARGATE_SPOT', 5.41],
      // Grafana: LaunchType FARGATE (on-demand), ARM64 0.009875 x 730 = 7.20875
      ['Monitoring/Grafana tasks on FARGATE', 7.21],
      ['NAT instance (t4g.nano)', 3.07], // 730 x 0.0042 = 3.066
      ['NatInstance EBS volumes', 0.64], // default 8 GB x 0.08
      ['NatInstance public IPv4', 3.65], // 730 x 0.005
      ['Cloud Map registered', 0.04], // 65/168 = 0.3869 instance-months x 0.10
      ['Application Load Balancer (internal)', 16.43], // 730 x 0.0225 = 16.425, half up
      // LCU: 1e6 requests / (730 x 3600 s) / 25 new connections per LCU = 0.015221 LCU (> 5 GB / 730 h = 0.00685)
      // x 730 h = 11.111 LCU-h x 0.008 = 0.0889
      ['load balancer capacity units', 0.09],
      ['CloudFront HTTPS requests', 1.0], // 1e6 / 10k = 100 x 0.01
      ['CloudFront data out', 0.43], // 5 GB x 0.085 = 0.425
      ['RDS postgres db.t4g.micro (Single-AZ)', 11.68], // 730 x 0.016
      ['RDS storage 20 GB gp3', 2.3], // 20 x 0.115
      ['KMS customer managed keys (3)', 3.0], // flow logs, database, ephemeral storage
      ['Secrets Manager secrets (3)', 1.2], // database, admin token, Grafana
      ['S3 storage (2 buckets)', 0.02], // 1 GB x 0.023
      ['Route 53 hosted zones', 0.5], // the Cloud Map private namespace's zone
      ['Container logs ingestion', 0.5], // 1 GB x 0.50
      ['Container logs storage', 0.01], // 1 GB x 7/30.4167 = 0.2301 GB-month x 0.03 = 0.0069
      ['VPC flow logs ingestion', 0.5],
      ['VPC flow logs storage', 0.01],
      ['CloudWatch alarms (3)', 0.4], // 1 + 1 + 2 metric-math metrics = 4 x 0.10
      ['CloudWatch dashboards (1)', 3.0],
      // 13 cluster metrics + 25 per service x (0.3869 + 1 + 1 service-months with tasks) = 72.673 x 0.30 = 21.802
      ['Container Insights (enabled) metrics', 21.8],
      // 2.3869 average tasks x 0.05 GB x 0.50 = 0.0597
      ['Container Insights (enabled) performance log events', 0.06],
      ['AWS Budgets without actions', 0],
    ];
    for (const [fragment, usd] of expected) assert.equal(line(fragment), usd, fragment);
    assert.equal(estimate.lines.length, expected.length, 'no unexpected lines');
    // 0.84+5.41+7.21+3.07+0.64+3.65+0.04+16.43+0.09+1.00+0.43+11.68+2.30+3.00+1.20+0.02+0.50+0.50+0.01+0.50+0.01
    // +0.40+3.00+21.80+0.06+0.00 = 83.79
    assert.equal(estimate.total, 83.79);
  });

  it('leaves no resource type unaccounted for', () => {
    assert.deepEqual(estimate.unpriced, []);
  });

  it('names the assumption it made for the NAT instance root volume', () => {
    assert.ok(estimate.notes.some((n) => n.includes('assumed 8 GB gp3')));
  });
});

// prod's Data stack shape: RDS manages the master password (ManageMasterUserPassword), so the template holds no
// AWS::SecretsManager::Secret for it, only the RotationSchedule that sets its period; the secret is still billed.
describe('cost estimate with an RDS-managed master password', () => {
  const managed = devStacks.map((stack): StackTemplate => {
    if (!stack.name.endsWith('-Data')) return stack;
    const resources: Record<string, CfnResource> = { ...stack.template.Resources };
    delete resources.DatabaseSecret55555555;
    const db = resources.Database77777777;
    assert.ok(db);
    resources.Database77777777 = { ...db, Properties: { ...db.Properties, ManageMasterUserPassword: true } };
    resources.DatabaseRotation = {
      Type: 'AWS::SecretsManager::RotationSchedule',
      Properties: { SecretId: { 'Fn::GetAtt': ['Database77777777', 'MasterUserSecret.SecretArn'] } },
    };
    return { ...stack, template: { Resources: resources } };
  });
  const withManaged = estimateEnvironment('dev', managed, loadPriceTable('us-east-1'), defaultUsage('dev'));

  it('counts the secret RDS creates with the template-declared ones, at the same price', () => {
    const secrets = withManaged.lines.filter((l) => l.resource.startsWith('Secrets Manager secrets'));
    assert.deepEqual(
      secrets.map((l) => [l.resource, l.quantity, l.monthly]),
      [['Secrets Manager secrets (2 + 1 RDS-managed)', 3, 1.2]], // admin token, Grafana + the database's
    );
    assert.equal(withManaged.total, estimate.total);
    assert.deepEqual(withManaged.unpriced, []);
  });
});

// A canary deploy runs a second full set of the app's tasks from scale-up until the bake time ends.
describe('cost estimate of a canary service', () => {
  const canary: StackTemplate[] = structuredClone(devStacks);
  const service = canary
    .flatMap((s) => Object.values(s.template.Resources ?? {}))
    .find(
      (r): r is CfnResource => r.Type === 'AWS::ECS::Service' && 'CapacityProviderStrategy' in (r.Properties ?? {}),
    );
  assert.ok(service?.Properties);
  service.Properties.DeploymentConfiguration = {
    Strategy: 'CANARY',
    CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 10 },
    BakeTimeInMinutes: 15,
  };
  const withDeploys = estimateEnvironment('dev', canary, loadPriceTable('us-east-1'), defaultUsage('dev'));

  it('prices the second release for every deploy: scale-up (5 min) + canary bake + bake, at the service task price', () => {
    const found = withDeploys.lines.filter((l) => l.resource.includes('second release during deploys'));
    assert.equal(found.length, 1);
    // 65/168 = 0.38690 average tasks (all Spot) x 40 deploys x (5 + 10 + 15) min / 60 = 7.738 task-h
    // x 0.009875 x (1 - 1 x 0.70) = 0.0029625 = 0.0229
    assert.equal(found[0]?.resource.includes('(40 deploys x 30 min)'), true, found[0]?.resource);
    assert.equal(Math.round((found[0]?.quantity ?? 0) * 1000) / 1000, 7.738);
    assert.equal(found[0]?.monthly, 0.02);
    assert.equal(
      estimate.lines.some((l) => l.resource.includes('second release')),
      false,
      'rolling: none',
    );
  });
});
