import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { buildTestApp, resourcesOf, template } from './helpers.ts';

const CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/0f0e0d0c-aaaa-bbbb-cccc-000000000000';
const stacks = buildTestApp({
  overrides: {
    staging: (c) => ({ ...c, edge: { ...c.edge, domain: { name: 'staging.example.com', certificateArn: CERT } } }),
  },
});
const dev = template(stacks, 'dev', 'service');
const staging = template(stacks, 'staging', 'service');
const prod = template(stacks, 'prod', 'service');

function distribution(t: typeof dev) {
  return resourcesOf(t, 'AWS::CloudFront::Distribution')[0]?.[1].Properties.DistributionConfig;
}

describe('edge (CloudFront)', () => {
  it('redirects HTTP to HTTPS on every behaviour and applies the security headers policy', () => {
    const config = distribution(prod);
    const behaviours = [config.DefaultCacheBehavior, ...config.CacheBehaviors];
    for (const b of behaviours) {
      assert.equal(b.ViewerProtocolPolicy, 'redirect-to-https');
      assert.ok(b.ResponseHeadersPolicyId, 'security headers on every behaviour');
    }
    prod.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: Match.objectLike({ Override: true }),
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      },
    });
  });

  it('sends /api/*, /docs* and /health/* uncached to the internal ALB through a VPC origin', () => {
    const config = distribution(prod);
    const paths = (config.CacheBehaviors as { PathPattern: string }[]).map((b) => b.PathPattern);
    assert.deepEqual(paths.sort(), ['/api/*', '/docs*', '/health/*']);
    const vpcOrigin = (config.Origins as { Id: string; VpcOriginConfig?: unknown }[]).find((o) => o.VpcOriginConfig);
    assert.ok(vpcOrigin, 'a VPC origin');
    for (const b of config.CacheBehaviors as { TargetOriginId: string; CachePolicyId: string }[]) {
      assert.equal(b.TargetOriginId, vpcOrigin.Id);
      assert.equal(b.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'Managed-CachingDisabled');
    }
    prod.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({ OriginProtocolPolicy: 'http-only', HTTPPort: 80 }),
    });
  });

  it('serves static files from a private, TLS-only, encrypted, versioned bucket through OAC', () => {
    prod.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const [bucketId, bucket] =
      resourcesOf(prod, 'AWS::S3::Bucket').find(([id]) => id.startsWith('EdgeStaticFiles')) ?? [];
    assert.ok(bucket);
    assert.equal(bucket.Properties.VersioningConfiguration.Status, 'Enabled');
    assert.ok(bucket.Properties.BucketEncryption);
    assert.equal(bucket.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy, true);
    const policy = resourcesOf(prod, 'AWS::S3::BucketPolicy').find(
      ([, p]) => p.Properties.Bucket.Ref === bucketId,
    )?.[1];
    assert.ok(policy);
    const denyInsecure = (policy.Properties.PolicyDocument.Statement as { Effect: string; Condition?: object }[]).find(
      (s) => s.Effect === 'Deny',
    );
    assert.deepEqual(denyInsecure?.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
  });

  it('deploys app/public with a BucketDeployment that invalidates CloudFront', () => {
    prod.hasResourceProperties('Custom::CDKBucketDeployment', {
      DistributionPaths: ['/*'],
      DistributionId: Match.anyValue(),
    });
  });

  it('has a WAF web ACL (common rule set + rate limit) only where config enables it (prod)', () => {
    prod.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
        }),
        Match.objectLike({
          Statement: { RateBasedStatement: Match.objectLike({ Limit: 2000, AggregateKeyType: 'IP' }) },
        }),
      ]),
    });
    assert.ok(distribution(prod).WebACLId);
    dev.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('uses the configured domain and certificate with TLS 1.2+ when edge.domain is set', () => {
    const config = distribution(staging);
    assert.deepEqual(config.Aliases, ['staging.example.com']);
    assert.equal(config.ViewerCertificate.AcmCertificateArn, CERT);
    assert.equal(config.ViewerCertificate.MinimumProtocolVersion, 'TLSv1.2_2021');
    assert.equal(distribution(dev).Aliases, undefined);
    staging.hasOutput('PublicUrl', { Value: 'https://staging.example.com' });
  });
});
