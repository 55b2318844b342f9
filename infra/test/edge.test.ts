import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { EdgeConfig } from '../config/types.ts';
import { Edge } from '../lib/constructs/edge.ts';
import { GRAFANA_PATH } from '../lib/constructs/monitoring-grafana.ts';
import { albFixture, envConfig, GUESTBOOK } from './fixtures.ts';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

const CERT = 'arn:aws:acm:us-east-1:111111111111:certificate/0f0e0d0c-aaaa-bbbb-cccc-000000000000';
const STAGING_DOMAIN = { name: 'staging.example.com', certificateArn: CERT };

/** The Edge construct alone on the ALB fixture, with an environment's edge config (as the Service stack passes it). */
function edge(config: EdgeConfig): { edge: Edge; template: Template } {
  const { stack, alb, logBucket } = albFixture();
  const built = new Edge(stack, 'Edge', {
    config,
    alb,
    albPort: 80,
    logBucket,
    staticAssetsPath: fileURLToPath(new URL('../../app/public', import.meta.url)),
    publicPaths: GUESTBOOK.publicPaths,
    retainData: false,
    namePrefix: 'Test',
    maxBodyBytes: GUESTBOOK.maxBodyBytes,
    deploymentLogs: { key: new kms.Key(stack, 'LogKey'), retentionDays: 30 },
  });
  return { edge: built, template: Template.fromStack(stack) };
}
const stagingEdge = edge({ ...envConfig('staging').edge, domain: STAGING_DOMAIN });
const templates = new Map([
  ['dev', edge(envConfig('dev').edge).template],
  ['staging', stagingEdge.template],
  ['prod', edge(envConfig('prod').edge).template],
]);
const edgeTemplate = (env: string): Template => templates.get(env) ?? assert.fail(env);
const dev = edgeTemplate('dev');
const staging = edgeTemplate('staging');
const prod = edgeTemplate('prod');

// Whole app, built once and only for the wiring test: the Monitoring stack adds /grafana* to this distribution,
// and the Service stack gives the Edge and the task one body limit and outputs the Edge's URL.
let whole: ReturnType<typeof buildTestApp> | undefined;
const wholeApp = () => {
  whole ??= buildTestApp({
    overrides: { staging: (c) => ({ ...c, edge: { ...c.edge, domain: STAGING_DOMAIN } }) },
  });
  return whole;
};

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
    // /grafana* is added by the Monitoring stack (same distribution, same ALB origin): the whole-app test below.
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

  function webAcl(t: Template): CfnProperties {
    return resourcesOf(t, 'AWS::WAFv2::WebACL')[0]?.[1].Properties ?? {};
  }
  function rule(t: Template, name: string): CfnProperties | undefined {
    return (webAcl(t).Rules as CfnProperties[]).find((r) => r.Name === name);
  }

  for (const env of ['dev', 'staging', 'prod']) {
    it(`${env}: a WAF web ACL guards the distribution, with Grafana's login rate-limited`, () => {
      const t = edgeTemplate(env);
      assert.equal(webAcl(t).Scope, 'CLOUDFRONT');
      assert.ok(distribution(t).WebACLId, 'attached to the distribution');
      const login = rule(t, 'GrafanaLoginRateLimit')?.Statement.RateBasedStatement;
      assert.equal(login?.AggregateKeyType, 'IP');
      assert.ok(login?.Limit <= 100, 'login attempts per IP per 5 minutes');
      assert.equal(login?.ScopeDownStatement.ByteMatchStatement.SearchString, `${GRAFANA_PATH}/login`);
      assert.equal(login?.ScopeDownStatement.ByteMatchStatement.PositionalConstraint, 'STARTS_WITH');
      assert.ok(rule(t, 'RateLimitPerIp'));
    });

    it(`${env}: the WAF blocks bodies above the service's limit, not the common rule set's 8 KB, and not Grafana's`, () => {
      const t = edgeTemplate(env);
      const common = rule(t, 'AWSManagedRulesCommonRuleSet')?.Statement.ManagedRuleGroupStatement;
      assert.deepEqual(common?.RuleActionOverrides, [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }]);
      // The service's limit (the contract's maxBodyBytes); that the task is told the same is the whole-app test below.
      const limit = GUESTBOOK.maxBodyBytes;
      assert.equal(limit, 16384);
      const size = rule(t, 'ServiceBodySizeLimit') ?? {};
      assert.deepEqual(size.Action, { Block: {} });
      const [notGrafana, bodySize] = size.Statement.AndStatement.Statements as CfnProperties[];
      assert.equal(notGrafana?.NotStatement.Statement.ByteMatchStatement.SearchString, GRAFANA_PATH);
      assert.deepEqual(bodySize?.SizeConstraintStatement.FieldToMatch, { Body: { OversizeHandling: 'MATCH' } });
      assert.equal(bodySize?.SizeConstraintStatement.ComparisonOperator, 'GT');
      assert.equal(bodySize?.SizeConstraintStatement.Size, limit);
    });
  }

  it('blocks /grafana* from outside edge.waf.grafanaAllowedCidrs when they are set (Edge alone, fixtures)', () => {
    const base = envConfig('dev').edge;
    const { template: t } = edge({ ...base, waf: { ...base.waf, grafanaAllowedCidrs: ['203.0.113.0/24'] } });
    t.hasResourceProperties('AWS::WAFv2::IPSet', { Addresses: ['203.0.113.0/24'], Scope: 'CLOUDFRONT' });
    const allowList = rule(t, 'GrafanaAllowList') ?? {};
    const [path, notAllowed] = allowList.Statement.AndStatement.Statements as CfnProperties[];
    assert.equal(path?.ByteMatchStatement.SearchString, GRAFANA_PATH);
    assert.ok(notAllowed?.NotStatement.Statement.IPSetReferenceStatement);
    assert.equal(rule(dev, 'GrafanaAllowList'), undefined, 'no allow-list configured: none');
  });

  it('uses the configured domain and certificate with TLS 1.2+ when edge.domain is set', () => {
    const config = distribution(staging);
    assert.deepEqual(config.Aliases, ['staging.example.com']);
    assert.equal(config.ViewerCertificate.AcmCertificateArn, CERT);
    assert.equal(config.ViewerCertificate.MinimumProtocolVersion, 'TLSv1.2_2021');
    assert.equal(distribution(dev).Aliases, undefined);
    assert.equal(stagingEdge.edge.url, 'https://staging.example.com');
  });

  // Whole app: what other stacks add to or take from the Edge, in every environment.
  it("whole app: every behaviour (with /grafana*) is HTTPS-only with security headers, uncached to the VPC origin; the WAF limit is the task's BODY_LIMIT_BYTES; PublicUrl is the Edge URL", () => {
    const stacks = wholeApp();
    for (const env of ['dev', 'staging', 'prod']) {
      const t = template(stacks, env, 'service');
      const config = distribution(t);
      for (const b of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
        assert.equal(b.ViewerProtocolPolicy, 'redirect-to-https', env);
        assert.ok(b.ResponseHeadersPolicyId, `${env}: security headers on every behaviour`);
      }
      const paths = (config.CacheBehaviors as { PathPattern: string }[]).map((b) => b.PathPattern);
      assert.deepEqual(paths.sort(), ['/api/*', '/docs*', '/grafana*', '/health/*'], env);
      const vpcOrigin = (config.Origins as { Id: string; VpcOriginConfig?: unknown }[]).find((o) => o.VpcOriginConfig);
      assert.ok(vpcOrigin, `${env}: a VPC origin`);
      for (const b of config.CacheBehaviors as { TargetOriginId: string; CachePolicyId: string }[]) {
        assert.equal(b.TargetOriginId, vpcOrigin.Id, env);
        assert.equal(b.CachePolicyId, '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', 'Managed-CachingDisabled');
      }
      const td = resourcesOf(t, 'AWS::ECS::TaskDefinition')[0]?.[1].Properties ?? {};
      const app = (td.ContainerDefinitions as CfnProperties[]).find((c) => c.Name === 'app') ?? {};
      const environment = (app.Environment ?? []) as { Name: string; Value: string }[];
      const limit = Number(environment.find((v) => v.Name === 'BODY_LIMIT_BYTES')?.Value);
      assert.equal(limit, 16384, env);
      const size = rule(t, 'ServiceBodySizeLimit') ?? {};
      const [, bodySize] = size.Statement.AndStatement.Statements as CfnProperties[];
      assert.equal(bodySize?.SizeConstraintStatement.Size, limit, env);
    }
    template(stacks, 'staging', 'service').hasOutput('PublicUrl', { Value: 'https://staging.example.com' });
  });
});

describe('static-site deployment logs', () => {
  it('the deployment function logs to a KMS-encrypted log group of its own (the only log group of the edge)', () => {
    const groups = resourcesOf(dev, 'AWS::Logs::LogGroup');
    assert.equal(groups.length, 1);
    const [id, group] = groups[0] ?? assert.fail('no log group');
    assert.ok(group.Properties.KmsKeyId, id);
    dev.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LogKey'), 'Arn'] },
      RetentionInDays: 30,
    });
    dev.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: id } } });
  });
});
