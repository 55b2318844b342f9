import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';

export interface LoadBalancerProps {
  readonly vpc: ec2.IVpc;
  /** The CloudFront origin-facing managed prefix list: the only source allowed in. */
  readonly cloudFrontPrefixListId: string;
  readonly accessLogRetentionDays: number;
  readonly retainData: boolean;
}

/** The listener port CloudFront's VPC origin connects to (inside the VPC; viewers use HTTPS to CloudFront). */
export const LISTENER_PORT = 80;

/**
 * The internal ALB behind CloudFront (VPC origin): ingress only from CloudFront's origin-facing prefix list,
 * invalid header fields dropped, idle timeout 60 s (below the service's 65 s keep-alive), access logs to S3.
 * The app service sets the listener's default action; others (Grafana) add path rules with a priority.
 */
export class LoadBalancer extends Construct {
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly securityGroup: ec2.SecurityGroup;
  /** Receives ALB access logs (prefix `alb/`) and CloudFront standard logs (prefix `cloudfront/`). */
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      // ALB access logs support only SSE-S3; CloudFront standard logs need ACLs (bucket-owner-preferred).
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(props.accessLogRetentionDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // A versioned bucket that is not empty cannot be deleted (BucketNotEmpty stops `cdk destroy`):
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html. Where it is not retained, CDK's
      // auto-delete custom resource removes every object version first; the ALB and CloudFront, which write here,
      // depend on the bucket and are deleted before it.
      autoDeleteObjects: !props.retainData,
    });
    acknowledge(
      this.logBucket,
      'AwsSolutions-S1',
      'This is the access-log bucket itself; logging it into itself would loop and another bucket adds nothing.',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Internal ALB: HTTP only from CloudFront (VPC origin)',
      allowAllOutbound: false,
    });
    this.securityGroup.addIngressRule(
      ec2.Peer.prefixList(props.cloudFrontPrefixListId),
      ec2.Port.tcp(LISTENER_PORT),
      'CloudFront origin-facing addresses (VPC origin)',
    );

    this.alb = new elbv2.ApplicationLoadBalancer(this, 'Alb', {
      vpc: props.vpc,
      internetFacing: false,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroup: this.securityGroup,
      idleTimeout: Duration.seconds(60),
      dropInvalidHeaderFields: true,
      deletionProtection: props.retainData,
    });
    this.alb.logAccessLogs(this.logBucket, 'alb');

    this.listener = this.alb.addListener('Http', {
      port: LISTENER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
    });
  }
}
