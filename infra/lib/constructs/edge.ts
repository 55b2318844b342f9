import { existsSync } from 'node:fs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { EdgeConfig } from '../../config/types.ts';
import { acknowledge } from '../nag.ts';
import { encryptedLogGroup } from './encrypted-log-group.ts';

export interface EdgeProps {
  readonly config: EdgeConfig;
  readonly alb: elbv2.IApplicationLoadBalancer;
  readonly albPort: number;
  readonly logBucket: s3.IBucket;
  /** Folder whose files CloudFront serves from S3 for every path not in `publicPaths` (the contract's staticSite).
   * @default - no static site: every path goes to the service */
  readonly staticAssetsPath?: string;
  /** CloudFront path patterns sent to the service when there is a static site (the contract's publicPaths). */
  readonly publicPaths: readonly string[];
  readonly retainData: boolean;
  readonly namePrefix: string;
  /** The service's request body limit (the contract's maxBodyBytes): the WAF blocks larger bodies on its paths. */
  readonly maxBodyBytes: number;
  /**
   * The log group of the static-site deployment's function (BucketDeployment's custom resource): encrypted with
   * `key` (its policy must let CloudWatch Logs use it: allowCloudWatchLogs), kept `retentionDays` (a CloudWatch
   * retention value). Without it CDK would create that log group unencrypted (@aws-cdk/aws-lambda:useCdkManagedLogGroup).
   */
  readonly deploymentLogs: { readonly key: kms.IKey; readonly retentionDays: number };
}

/** Where Grafana is served (monitoring-grafana.ts GRAFANA_PATH; test/edge.test.ts keeps the two equal). */
export const GRAFANA_PATH_PREFIX = '/grafana';

/**
 * CloudFront is the only public entry point: HTTPS only (HTTP redirects), TLS 1.2+ with a custom domain,
 * security headers, the static site (when there is one) from a private S3 bucket (Origin Access Control) and the
 * service's public paths (every path without a static site) from the internal ALB through a VPC origin, never
 * cached. WAF web ACL.
 */
export class Edge extends Construct {
  readonly distribution: cloudfront.Distribution;
  /** The ALB as a CloudFront origin: add behaviours with it (e.g. `/grafana*`) to route more paths to the ALB. */
  readonly albOrigin: cloudfront.IOrigin;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** Absent without a static site. */
  readonly staticBucket?: s3.Bucket;
  readonly webAcl: wafv2.CfnWebACL;
  /** https://<domain or *.cloudfront.net> */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);
    const { config } = props;
    const staticSite = props.staticAssetsPath !== undefined && props.publicPaths.length > 0;
    if (props.staticAssetsPath !== undefined && !existsSync(props.staticAssetsPath)) {
      throw new Error(`Edge: static assets folder not found: ${props.staticAssetsPath} (the contract's staticSite)`);
    }

    if (staticSite) {
      this.staticBucket = new s3.Bucket(this, 'StaticFiles', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        serverAccessLogsBucket: props.logBucket,
        serverAccessLogsPrefix: 's3-static/',
        lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
        // The content is a build output, redeployed from the repository on every deploy.
        removalPolicy: RemovalPolicy.DESTROY,
        // Versioned and deleted with the stack: emptied first (every version) by CDK's auto-delete custom resource,
        // else the delete fails with BucketNotEmpty (https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html).
        autoDeleteObjects: true,
      });
    }

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Nodeapp security headers',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          preload: false,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: {
          referrerPolicy: cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
          override: true,
        },
        // The service sets its own CSP (helmet); this one covers the static files and keeps the service's.
        contentSecurityPolicy: {
          contentSecurityPolicy:
            "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'self'",
          override: false,
        },
      },
    });

    this.albOrigin = origins.VpcOrigin.withApplicationLoadBalancer(props.alb, {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      httpPort: props.albPort,
      readTimeout: Duration.seconds(30),
      keepaliveTimeout: Duration.seconds(5),
    });

    this.webAcl = this.createWebAcl(props.namePrefix, config.waf, props.maxBodyBytes);

    const dynamicBehavior: cloudfront.BehaviorOptions = {
      origin: this.albOrigin,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: this.responseHeadersPolicy,
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.namePrefix} public entry point`,
      defaultRootObject: this.staticBucket ? 'index.html' : undefined,
      priceClass: config.priceClass as cloudfront.PriceClass,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // Only settable with a custom certificate; the default *.cloudfront.net certificate's policy is fixed.
      minimumProtocolVersion: config.domain ? cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 : undefined,
      domainNames: config.domain ? [config.domain.name] : undefined,
      certificate: config.domain
        ? acm.Certificate.fromCertificateArn(this, 'Certificate', config.domain.certificateArn)
        : undefined,
      webAclId: this.webAcl.attrArn,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(this.staticBucket
        ? {
            defaultBehavior: {
              origin: origins.S3BucketOrigin.withOriginAccessControl(this.staticBucket),
              viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
              cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
              responseHeadersPolicy: this.responseHeadersPolicy,
              compress: true,
            },
            additionalBehaviors: Object.fromEntries(props.publicPaths.map((path) => [path, dynamicBehavior])),
          }
        : { defaultBehavior: dynamicBehavior }),
    });
    this.url = `https://${config.domain?.name ?? this.distribution.distributionDomainName}`;

    acknowledge(this.distribution, 'AwsSolutions-CFR1', 'A public site for any country: no geo restriction is wanted.');
    if (!config.domain) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'Without a custom domain CloudFront serves its default *.cloudfront.net certificate, whose TLS policy cannot be set; with config edge.domain the policy is TLSv1.2_2021.',
      );
    }

    if (this.staticBucket && props.staticAssetsPath) {
      new s3deploy.BucketDeployment(this, 'DeployStaticFiles', {
        logGroup: encryptedLogGroup(this, 'DeployStaticFilesLogs', {
          key: props.deploymentLogs.key,
          retentionDays: props.deploymentLogs.retentionDays,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        sources: [s3deploy.Source.asset(props.staticAssetsPath)],
        destinationBucket: this.staticBucket,
        distribution: this.distribution,
        distributionPaths: ['/*'],
        prune: true,
        memoryLimit: 256,
      });
    }
  }

  /**
   * Rules, in order:
   * 0. GrafanaAllowList (only with edge.waf.grafanaAllowedCidrs): /grafana* from elsewhere is blocked.
   * 1. GrafanaLoginRateLimit: per-IP limit on /grafana/login, Grafana's one-password login (password guessing).
   * 2. RateLimitPerIp: per-IP limit on everything.
   * 3. AWSManagedRulesCommonRuleSet with SizeRestrictions_BODY counted instead of blocking: that rule blocks bodies
   *    over 8 KB (https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html),
   *    half of what the service accepts, and would block Grafana's larger API bodies (dashboard saves).
   * 4. ServiceBodySizeLimit: bodies over the service's own limit are blocked outside /grafana*. CloudFront ACLs
   *    inspect the first 16 KB of a body; a larger body is "oversize" and, with oversizeHandling MATCH, matches
   *    (https://docs.aws.amazon.com/waf/latest/developerguide/waf-oversize-request-components.html).
   */
  private createWebAcl(namePrefix: string, waf: EdgeConfig['waf'], maxBodyBytes: number): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const uriStartsWith = (path: string): wafv2.CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'STARTS_WITH',
        searchString: path,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    });
    const grafana = uriStartsWith(GRAFANA_PATH_PREFIX);
    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    if (waf.grafanaAllowedCidrs.length > 0) {
      const allowed = new wafv2.CfnIPSet(this, 'GrafanaAllowedCidrs', {
        name: `${namePrefix}-grafana-allowed`,
        scope: 'CLOUDFRONT',
        ipAddressVersion: 'IPV4',
        addresses: [...waf.grafanaAllowedCidrs],
      });
      rules.push({
        name: 'GrafanaAllowList',
        priority: 0,
        action: { block: {} },
        statement: {
          andStatement: {
            statements: [
              grafana,
              { notStatement: { statement: { ipSetReferenceStatement: { arn: allowed.attrArn } } } },
            ],
          },
        },
        visibilityConfig: visibility('grafana-allow-list'),
      });
    }
    rules.push(
      {
        name: 'GrafanaLoginRateLimit',
        priority: 1,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: waf.grafanaLoginRateLimitPer5Minutes,
            aggregateKeyType: 'IP',
            evaluationWindowSec: 300,
            scopeDownStatement: uriStartsWith(`${GRAFANA_PATH_PREFIX}/login`),
          },
        },
        visibilityConfig: visibility('grafana-login-rate-limit'),
      },
      {
        name: 'RateLimitPerIp',
        priority: 2,
        action: { block: {} },
        statement: {
          rateBasedStatement: { limit: waf.rateLimitPer5Minutes, aggregateKeyType: 'IP', evaluationWindowSec: 300 },
        },
        visibilityConfig: visibility('rate-limit'),
      },
      {
        name: 'AWSManagedRulesCommonRuleSet',
        priority: 3,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: 'AWS',
            name: 'AWSManagedRulesCommonRuleSet',
            ruleActionOverrides: [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }],
          },
        },
        visibilityConfig: visibility('common-rule-set'),
      },
      {
        name: 'ServiceBodySizeLimit',
        priority: 4,
        action: { block: {} },
        statement: {
          andStatement: {
            statements: [
              { notStatement: { statement: grafana } },
              {
                sizeConstraintStatement: {
                  fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
                  comparisonOperator: 'GT',
                  size: maxBodyBytes,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            ],
          },
        },
        visibilityConfig: visibility('service-body-size'),
      },
    );
    return new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `${namePrefix}-edge`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`${namePrefix}-edge`),
      rules,
    });
  }
}
