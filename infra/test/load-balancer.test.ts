import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LoadBalancer } from '../lib/constructs/load-balancer.ts';
import { envConfig, fixtureStack, fixtureVpc } from './fixtures.ts';
import { resourcesOf } from './helpers.ts';

/** The LoadBalancer construct alone in a fresh Stack, with prod's edge config as its props. */
const prod = (() => {
  const config = envConfig('prod');
  const stack = fixtureStack();
  const lb = new LoadBalancer(stack, 'LoadBalancer', {
    vpc: fixtureVpc(stack),
    cloudFrontPrefixListId: config.edge.cloudFrontPrefixListId,
    accessLogRetentionDays: config.edge.accessLogRetentionDays,
    retainData: config.retainData,
  });
  // The listener has no default action of its own: AppService adds its target group. Stand-in so it synthesizes.
  lb.listener.addAction('Default', { action: elbv2.ListenerAction.fixedResponse(404) });
  return Template.fromStack(stack);
})();

function attributes(): Record<string, string> {
  const [, alb] = resourcesOf(prod, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0] ?? [];
  assert.ok(alb);
  return Object.fromEntries(
    (alb.Properties.LoadBalancerAttributes as { Key: string; Value: string }[]).map((a) => [a.Key, a.Value]),
  );
}

describe('internal ALB', () => {
  it('is internal, drops invalid header fields, idles out at 60 s and logs to S3', () => {
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    const attrs = attributes();
    assert.equal(attrs['routing.http.drop_invalid_header_fields.enabled'], 'true');
    assert.equal(attrs['idle_timeout.timeout_seconds'], '60');
    assert.equal(attrs['access_logs.s3.enabled'], 'true');
    assert.equal(attrs['access_logs.s3.prefix'], 'alb');
  });

  it('expires access logs by lifecycle and blocks public access to them', () => {
    prod.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 90 })]) },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
  });

  it('accepts only CloudFront (origin-facing prefix list) on the listener port', () => {
    const [sgId, sg] =
      resourcesOf(prod, 'AWS::EC2::SecurityGroup').find(([, r]) =>
        String(r.Properties.GroupDescription).startsWith('Internal ALB'),
      ) ?? [];
    assert.equal(sg?.Properties.SecurityGroupIngress, undefined, 'no inline ingress');
    const ingress = resourcesOf(prod, 'AWS::EC2::SecurityGroupIngress')
      .map(([, r]) => r.Properties)
      .filter((p) => p.GroupId['Fn::GetAtt']?.[0] === sgId);
    assert.deepEqual(
      ingress.map((p) => [p.SourcePrefixListId, p.FromPort, p.ToPort]),
      [['pl-3b927c52', 80, 80]],
    );
    prod.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
  });
  // The target group's health check is AppService's: tested in app-service.test.ts.
});
