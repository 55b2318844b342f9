import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { CpuArchitecture } from '../../config/types.ts';
import type { MonitoringConfig } from '../monitoring-config.ts';
import { acknowledge } from '../nag.ts';
import { hardenedOptions, mountDataPaths } from './monitoring-hardening.ts';

export const GRAFANA_PORT = 3000;
export const GRAFANA_PATH = '/grafana';
/** ALB listener rule priority of /grafana (the app is the listener's default action). */
export const GRAFANA_RULE_PRIORITY = 10;

export interface MonitoringGrafanaProps {
  readonly config: MonitoringConfig;
  readonly cluster: ecs.ICluster;
  readonly vpc: ec2.IVpc;
  readonly architecture: CpuArchitecture;
  /** The Grafana image, pinned by digest (lib/images.ts pinnedImage). */
  readonly image: ecs.ContainerImage;
  /** http://prometheus.<namespace>:9090 */
  readonly prometheusUrl: string;
  /** http://prometheus.<namespace>:9093 (Alertmanager runs in the Prometheus task) */
  readonly alertmanagerUrl: string;
  /** The public https URL (CloudFront); Grafana is served at <publicUrl>/grafana/. */
  readonly publicUrl: string;
  /** The public host name (custom domain or *.cloudfront.net): the origin browsers send with Grafana's POSTs. */
  readonly publicDomain: string;
  readonly listener: elbv2.IApplicationListener;
  readonly distribution: cloudfront.Distribution;
  readonly albOrigin: cloudfront.IOrigin;
  readonly logGroup: logs.ILogGroup;
  readonly key: kms.IKey;
  readonly namePrefix: string;
}

/**
 * Grafana as a stateless service: datasources and dashboards are provisioned from the image, the admin
 * password is generated in Secrets Manager, anonymous access and sign-up are off. Reachable only as
 * CloudFront /grafana* → internal ALB (path rule) → the tasks.
 */
export class MonitoringGrafana extends Construct {
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  readonly adminPassword: secretsmanager.Secret;
  readonly targetGroup: elbv2.ApplicationTargetGroup;

  constructor(scope: Construct, id: string, props: MonitoringGrafanaProps) {
    super(scope, id);
    const { config } = props;
    const { region } = Stack.of(this);

    this.adminPassword = new secretsmanager.Secret(this, 'AdminPassword', {
      description: `${props.namePrefix} Grafana admin password (user admin)`,
      encryptionKey: props.key,
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
    });
    acknowledge(
      this.adminPassword,
      'AwsSolutions-SMG4',
      'Read by Grafana only at start: rotate with put-secret-value and a redeploy of the grafana service; a rotation Lambda could not restart it.',
    );

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      family: `${props.namePrefix}-grafana`,
      cpu: config.grafana.cpu,
      memoryLimitMiB: config.grafana.memoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.of(props.architecture),
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
    });
    // The CloudWatch datasource (ALB/ECS metrics) reads with the task role. These APIs have no resource-level
    // permissions (AWS documents "*" for them).
    taskDefinition.taskRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'cloudwatch:DescribeAlarms',
          'cloudwatch:DescribeAlarmsForMetric',
          'cloudwatch:GetMetricData',
          'cloudwatch:ListMetrics',
          'ec2:DescribeRegions',
          'tag:GetResources',
        ],
        resources: ['*'],
      }),
    );
    // uid 472 (the base image's grafana user) owns /var/lib/grafana, the image's only VOLUME: SQLite and sessions.
    const hardening = { user: '472:0', dataPaths: [{ volume: 'grafana-data', path: '/var/lib/grafana' }] };
    const container = taskDefinition.addContainer('grafana', {
      image: props.image,
      essential: true,
      portMappings: [{ name: 'grafana', containerPort: GRAFANA_PORT }],
      environment: {
        GF_SERVER_ROOT_URL: `${props.publicUrl}${GRAFANA_PATH}/`,
        GF_SERVER_SERVE_FROM_SUB_PATH: 'true',
        GF_AUTH_ANONYMOUS_ENABLED: 'false',
        GF_USERS_ALLOW_SIGN_UP: 'false',
        GF_SECURITY_COOKIE_SECURE: 'true',
        // CloudFront replaces Host with the ALB's name (origin request policy ALL_VIEWER_EXCEPT_HOST_HEADER), so
        // Grafana's CSRF check, which compares Origin with Host, answers 403 "origin not allowed" to every POST
        // after login (e.g. /api/ds/query) unless the public host is trusted. Live's websocket checks Origin too.
        // https://grafana.com/docs/grafana/latest/setup-grafana/configure-grafana/#csrf_trusted_origins
        // https://grafana.com/docs/grafana/latest/setup-grafana/set-up-grafana-live/#allowed_origins
        GF_SECURITY_CSRF_TRUSTED_ORIGINS: props.publicDomain,
        GF_LIVE_ALLOWED_ORIGINS: `https://${props.publicDomain}`,
        GF_SECURITY_ADMIN_USER: 'admin',
        PROMETHEUS_URL: props.prometheusUrl,
        ALERTMANAGER_URL: props.alertmanagerUrl,
        AWS_REGION: region,
      },
      secrets: { GF_SECURITY_ADMIN_PASSWORD: ecs.Secret.fromSecretsManager(this.adminPassword) },
      healthCheck: {
        command: ['CMD', 'wget', '-q', '--spider', `http://127.0.0.1:${GRAFANA_PORT}${GRAFANA_PATH}/api/health`],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      logging: ecs.LogDrivers.awsLogs({
        logGroup: props.logGroup,
        streamPrefix: 'grafana',
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(8),
      }),
      ...hardenedOptions(this, 'Grafana', hardening),
    });
    mountDataPaths(taskDefinition, container, hardening);
    acknowledge(
      taskDefinition,
      'AwsSolutions-ECS2',
      'Plain, non-secret Grafana settings (URLs, switches); the admin password is an ECS secret from Secrets Manager.',
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.namePrefix} Grafana: port ${GRAFANA_PORT} from the ALB only`,
      // Reads Prometheus and the CloudWatch API, pulls its image.
      allowAllOutbound: true,
    });

    this.service = new ecs.FargateService(this, 'Service', {
      serviceName: 'grafana',
      cluster: props.cluster,
      taskDefinition,
      desiredCount: 1,
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(90),
      capacityProviderStrategies: [
        { capacityProvider: props.config.spot ? 'FARGATE_SPOT' : 'FARGATE', weight: 1, base: 1 },
      ],
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
      enableECSManagedTags: true,
    });

    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', {
      vpc: props.vpc,
      port: GRAFANA_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay: Duration.seconds(15),
      healthCheck: { path: `${GRAFANA_PATH}/api/health`, healthyHttpCodes: '200', interval: Duration.seconds(15) },
      targets: [
        this.service.loadBalancerTarget({ containerName: container.containerName, containerPort: GRAFANA_PORT }),
      ],
    });
    new elbv2.ApplicationListenerRule(this, 'ListenerRule', {
      listener: props.listener,
      priority: GRAFANA_RULE_PRIORITY,
      conditions: [elbv2.ListenerCondition.pathPatterns([GRAFANA_PATH, `${GRAFANA_PATH}/*`])],
      action: elbv2.ListenerAction.forward([this.targetGroup]),
    });

    // ALB → Grafana: the target group registration adds the ingress/egress pair, in this stack.

    // CloudFront: /grafana* to the ALB, never cached, every method (Grafana's API), viewer headers and cookies.
    props.distribution.addBehavior(`${GRAFANA_PATH}*`, props.albOrigin, {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
      cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
      originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
      responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
      compress: true,
    });
  }
}
