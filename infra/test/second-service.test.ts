// The same stacks deploy another service from its contract: examples/hello-express (Express 5, port 8080, /healthz,
// no database, no metrics, no static site). Its task definition and target group carry its own port and health path;
// no RDS, database secret, static bucket or metrics rule is created for it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServiceContract } from '@nodeapp/contract';
import { GUESTBOOK } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

const hello = loadServiceContract('examples/hello-express');
const stacks = buildTestApp({ env: 'prod', context: { service: 'examples/hello-express' } });
const service = template(stacks, 'prod', 'service');
const monitoring = template(stacks, 'prod', 'monitoring');

describe('a second service (examples/hello-express), selected with -c service=<folder>', () => {
  it('is the contract buildApp read from the context', () => {
    assert.deepEqual(
      stacks.services.map((s) => s.name),
      ['hello-express'],
    );
    assert.notEqual(hello.port, GUESTBOOK.port, 'the example must differ from the guestbook to prove anything');
    assert.notEqual(hello.health.readiness, GUESTBOOK.health.readiness);
  });

  it('runs its container on its own port with its own name, stop timeout and no metrics port', () => {
    const [[, td] = []] = resourcesOf(service, 'AWS::ECS::TaskDefinition');
    const [container] = (td?.Properties.ContainerDefinitions ?? []) as CfnProperties[];
    assert.equal(container?.Name, 'hello-express');
    assert.deepEqual(
      container?.PortMappings.map((p: CfnProperties) => p.ContainerPort),
      [hello.port],
    );
    assert.equal(container?.StopTimeout, hello.stopTimeoutSeconds);
    assert.equal(container?.HealthCheck, undefined, 'no health command in its contract: the load balancer checks it');
    const env = Object.fromEntries(container?.Environment.map((e: CfnProperties) => [e.Name, e.Value]));
    assert.equal(env.PORT, String(hello.port));
    assert.equal(env.METRICS_PORT, undefined);
    assert.equal(container?.Secrets, undefined, 'no secret in its contract, no database');
    assert.equal(td?.Properties.Family, 'Nodeapp-prod-hello-express');
  });

  it('health-checks its readiness path on its port and drains for its drainSeconds', () => {
    const [[, tg] = []] = resourcesOf(service, 'AWS::ElasticLoadBalancingV2::TargetGroup');
    assert.equal(tg?.Properties.Port, hello.port);
    assert.equal(tg?.Properties.HealthCheckPath, hello.health.readiness);
    assert.deepEqual(
      tg?.Properties.TargetGroupAttributes.find((a: CfnProperties) => a.Key === 'deregistration_delay.timeout_seconds'),
      { Key: 'deregistration_delay.timeout_seconds', Value: String(hello.drainSeconds) },
    );
    service.hasResourceProperties('AWS::ECS::Service', {
      ServiceName: 'hello-express',
      LoadBalancers: [{ ContainerName: 'hello-express', ContainerPort: hello.port }],
    });
  });

  it('gets no database, no generated secret, no static site bucket and no Cloud Map metrics record', () => {
    assert.equal(stacks.environments.get('prod')?.data, undefined, 'no Data stack without database in the contract');
    assert.deepEqual(resourcesOf(service, 'AWS::SecretsManager::Secret'), []);
    assert.deepEqual(resourcesOf(service, 'AWS::ServiceDiscovery::Service'), []);
    const buckets = resourcesOf(service, 'AWS::S3::Bucket');
    assert.equal(buckets.length, 1, 'only the access-log bucket');
    assert.deepEqual(
      resourcesOf(monitoring, 'AWS::EC2::SecurityGroupIngress').filter(([id]) => id.startsWith('AppMetrics')),
      [],
    );
  });

  it('sends every path to the service at the edge (no static site), /grafana* still to Grafana', () => {
    const [[, distribution] = []] = resourcesOf(service, 'AWS::CloudFront::Distribution');
    const config = distribution?.Properties.DistributionConfig;
    assert.equal(config?.DefaultRootObject, undefined);
    assert.match(JSON.stringify(config?.DefaultCacheBehavior.TargetOriginId), /EdgeDistributionOrigin1/);
    assert.deepEqual(
      config?.CacheBehaviors.map((b: CfnProperties) => b.PathPattern),
      ['/grafana*'],
    );
  });

  it('names its readiness path in the unhealthy-hosts alarm', () => {
    const descriptions = Object.values(service.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmDescription as string,
    );
    // Followed by who alerts instead (it notifies nobody: Prometheus owns the task-failure mode).
    assert.ok(
      descriptions.some((d) =>
        d.startsWith(`Targets failing the ${hello.health.readiness} check (rolls deployments back)`),
      ),
      descriptions.join('\n'),
    );
  });
});
