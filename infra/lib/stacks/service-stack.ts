import { join } from 'node:path';
import { REPO_ROOT, type ServiceContract } from '@nodeapp/contract';
import { prometheusFailureModes } from '@nodeapp/monitoring/ownership';
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { githubDeployRoleName, names } from '../../config/names.ts';
import type { EnvironmentConfig, SharedConfig } from '../../config/types.ts';
import { Alarms, addDatabaseAlarms } from '../constructs/alarms.ts';
import { AppService } from '../constructs/app-service.ts';
import { AppTaskDefinition } from '../constructs/app-task-definition.ts';
import { CostBudget } from '../constructs/budget.ts';
import { ChatNotifications } from '../constructs/chat-notifications.ts';
import { Cluster } from '../constructs/cluster.ts';
import { DATABASE_NAME, DATABASE_PORT, type Database } from '../constructs/database.ts';
import { Ec2Capacity } from '../constructs/ec2-capacity.ts';
import { Edge } from '../constructs/edge.ts';
import { LISTENER_PORT, LoadBalancer } from '../constructs/load-balancer.ts';
import { ReleaseRole } from '../constructs/release-role.ts';
import { hookRequests } from '../constructs/smoke-hook.ts';
import { pinnedImage } from '../images.ts';
import { acknowledgeBucketDeployment, acknowledgeCdkProvider } from '../nag.ts';

export interface ServiceStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  readonly shared: SharedConfig;
  readonly vpc: ec2.IVpc;
  readonly namespace: servicediscovery.INamespace;
  /**
   * The services this stack runs, each from its contract (`<folder>/service.json`). One today: the list is the shape
   * several services would take, not a promise that several work.
   */
  readonly services: readonly ServiceContract[];
  /** The service image's manifest-list digest (`-c appImageDigest=sha256:…`, lib/images.ts). */
  readonly appImageDigest: string;
  /** The release's version label (`-c imageTag=<git-sha>`): APP_VERSION / GIT_COMMIT, never what is pulled. */
  readonly version: string;
  /** Folder of the static site CloudFront serves.
   * @default - the contract's staticSite (none: every path goes to the service) */
  readonly staticAssetsPath?: string;
  /** The RDS database (data stack) when config database is 'rds' and the contract asks for one. */
  readonly database?: Database;
  /**
   * The tasks migrate the database on start: only for an environment's first deploy, when there is no service yet
   * to run the migrate task from. @default false (the deploy's migrate task migrates before the rollout)
   */
  readonly migrateOnStart?: boolean;
}

/**
 * How the task reaches its data: RDS through discrete variables (ECS cannot assemble a URL from secret
 * fields) with TLS verified against the RDS CA bundle in the image; or the embedded database on the task's
 * ephemeral /tmp, which does not survive a task replacement.
 */
function databaseSettings(
  service: ServiceContract,
  database: Database | undefined,
  migrateOnStart: boolean,
): {
  environment?: Record<string, string>;
  secrets?: Record<string, ecs.Secret>;
} {
  if (!service.database) return {};
  // The contract's database without RDS (config database 'none'): the task's ephemeral storage
  // (contract/service.schema.json, `database`).
  if (!database) return { environment: { DATA_DIR: '/tmp/data' } };
  return {
    environment: {
      DATABASE_HOST: database.instance.dbInstanceEndpointAddress,
      DATABASE_PORT: String(DATABASE_PORT),
      DATABASE_NAME: DATABASE_NAME,
      DATABASE_SSL: 'verify-full',
      // The shared database is migrated once per deploy, by the release's migrate task before the service update
      // (scripts/deploy-migrate.ts); tasks never migrate on start. The embedded database (no RDS) is per task: it does.
      MIGRATE_ON_START: String(migrateOnStart),
    },
    secrets: {
      DATABASE_USER: ecs.Secret.fromSecretsManager(database.secret, 'username'),
      DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(database.secret, 'password'),
    },
  };
}

/** `Nodeapp-<env>-Service`: cluster, internal ALB, the ECS service, the CloudFront edge, alarms and dashboard. */
export class ServiceStack extends Stack {
  readonly config: EnvironmentConfig;
  readonly cluster: ecs.Cluster;
  readonly loadBalancer: LoadBalancer;
  readonly edge: Edge;
  readonly task: AppTaskDefinition;
  readonly appService: AppService;
  readonly alarms: Alarms;
  /** Present when config capacity is 'ec2'. */
  readonly ec2Capacity?: Ec2Capacity;
  /** The alarm topic (KMS-encrypted SNS): other stacks' alarms notify here. */
  readonly alarmTopic: sns.Topic;
  /** With a Slack channel configured (config alarms.slack): the topic Alertmanager writes chat-format alerts to. */
  readonly chatTopic?: sns.Topic;
  /** https URL of the CloudFront distribution (or the custom domain). */
  readonly publicUrl: string;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, shared } = props;
    this.config = config;
    const n = names(config.name);
    const namePrefix = n.prefix;
    const clusterName = n.cluster;
    const [service, ...more] = props.services;
    if (!service || more.length > 0) {
      throw new Error(`ServiceStack: exactly one service per environment for now (got ${props.services.length})`);
    }
    const serviceName = service.name;

    const cluster = new Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName,
      containerInsights: config.service.containerInsights,
      ecsExec: config.service.ecsExec,
      logRetentionDays: config.service.logRetentionDays,
      retainData: config.retainData,
    });
    this.cluster = cluster.cluster;
    if (config.capacity === 'ec2') {
      this.ec2Capacity = new Ec2Capacity(this, 'Ec2Capacity', {
        config: config.ec2,
        cpuArchitecture: config.service.cpuArchitecture,
        cluster: this.cluster,
        vpc: props.vpc,
      });
    }

    this.loadBalancer = new LoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      cloudFrontPrefixListId: config.edge.cloudFrontPrefixListId,
      accessLogRetentionDays: config.edge.accessLogRetentionDays,
      retainData: config.retainData,
    });

    this.task = new AppTaskDefinition(this, 'Task', {
      config: config.service,
      service,
      // By digest from the shared account's repository (built from config, not imported from the registry
      // stack: the two deploy independently). Nothing is built during `cdk deploy` (config/images.ts).
      image: pinnedImage(this, 'AppImage', shared, 'app', props.appImageDigest),
      version: props.version,
      ...databaseSettings(service, props.database, props.migrateOnStart ?? false),
      retainData: config.retainData,
      namePrefix,
      logGroupName: n.appLogGroup,
      site24x7: config.site24x7,
      launchType: config.capacity,
    });

    this.edge = new Edge(this, 'Edge', {
      config: config.edge,
      alb: this.loadBalancer.alb,
      albPort: LISTENER_PORT,
      logBucket: this.loadBalancer.logBucket,
      staticAssetsPath: props.staticAssetsPath ?? (service.staticSite && join(REPO_ROOT, service.staticSite)),
      publicPaths: service.publicPaths,
      retainData: config.retainData,
      namePrefix,
      maxBodyBytes: service.maxBodyBytes,
      // The service's log key (its policy already lets CloudWatch Logs use it): no key of its own.
      deploymentLogs: { key: this.task.key, retentionDays: config.service.logRetentionDays },
    });
    if (this.edge.staticBucket) {
      acknowledgeBucketDeployment(this, this.edge.staticBucket, shared.cdkBootstrapQualifier);
    }
    acknowledgeCdkProvider(this, 'Custom::S3AutoDeleteObjectsCustomResourceProvider', 'Bucket emptying on destroy');
    this.publicUrl = this.edge.url;

    this.appService = new AppService(this, 'App', {
      config: config.service,
      service,
      cluster: this.cluster,
      vpc: props.vpc,
      task: this.task,
      listener: this.loadBalancer.listener,
      namespace: props.namespace,
      execLogGroup: cluster.execLogGroup,
      ec2CapacityProvider: this.ec2Capacity?.capacityProvider,
      deployment: config.deployment,
      smokeRequests: hookRequests(service.smokeTests),
      hookLogRetentionDays: config.service.logRetentionDays,
      hookLogRemovalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.alarms = new Alarms(this, 'Alarms', {
      config: config.alarms,
      namePrefix,
      retainData: config.retainData,
      prometheusModes: prometheusFailureModes(service),
    });
    this.alarmTopic = this.alarms.topic;
    if (config.alarms.slack) {
      const chat = new ChatNotifications(this, 'Chat', {
        slack: config.alarms.slack,
        topics: [this.alarmTopic],
        key: this.alarms.key,
        namePrefix,
      });
      this.chatTopic = chat.chatTopic;
      this.alarms.addNotificationsFailedAlarm(
        'ChatTopicNotificationsFailed',
        'chat-topic-notifications-failed',
        'chat-topic-delivery',
        chat.chatTopic,
      );
    }
    this.alarms.addServiceAlarms({
      service: this.appService.service,
      clusterName,
      serviceName,
      readinessPath: service.health.readiness,
      loadBalancer: this.loadBalancer.alb,
      targetGroup: this.appService.targetGroup,
      alternateTargetGroup: this.appService.alternateTargetGroup,
      containerInsights: config.service.containerInsights !== 'disabled',
    });
    if (props.database) {
      // Created here, not in the data stack, so the data stack never depends on the service stack.
      new ec2.CfnSecurityGroupIngress(this, 'DatabaseFromTasks', {
        groupId: props.database.securityGroup.securityGroupId,
        sourceSecurityGroupId: this.appService.securityGroup.securityGroupId,
        ipProtocol: 'tcp',
        fromPort: DATABASE_PORT,
        toPort: DATABASE_PORT,
        description: 'PostgreSQL from the service tasks',
      });
      addDatabaseAlarms(this.alarms, props.database.instance, config.rds);
    }
    // Literal names, not the alarms' Ref tokens: a token makes aws-ecs print "Deployment alarm … may cause a
    // circular dependency" on every synth (it cannot tell whether the Ref loops back to the service; here it does
    // not: the alarms read target-group metrics only). The explicit dependency keeps the alarms created before the
    // service that names them.
    this.appService.service.enableDeploymentAlarms(this.alarms.deploymentAlarmNames, {
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    });
    for (const alarm of this.alarms.deploymentAlarms) this.appService.service.node.addDependency(alarm);

    // The deploy job's migrate task and rollout watcher, for the environments a GitHub deploy job targets.
    const githubEnvironment = Object.entries(shared.github.deployEnvironments).find(([, e]) => e === config.name)?.[0];
    if (githubEnvironment) {
      new ReleaseRole(this, 'Release', {
        roleName: n.releaseRole,
        deployRoleArn: `arn:aws:iam::${shared.account}:role/${githubDeployRoleName(githubEnvironment)}`,
        clusterName,
        serviceName,
        taskFamily: this.task.taskDefinition.family,
        passRoles: [this.task.taskRole, this.task.executionRole],
        logGroup: this.task.logGroup,
      });
    }

    // FinOps guard rail: monthly budget + optional anomaly monitor on this environment's CostCenter tag.
    new CostBudget(this, 'Budget', {
      environment: config.name,
      ...config.budget,
      costCenter: config.tags.costCenter,
      emails: config.alarms.emails,
    });

    const region = this.region;
    const console = `https://${region}.console.aws.amazon.com`;
    new CfnOutput(this, 'PublicUrl', { value: this.publicUrl, description: 'The service, through CloudFront' });
    new CfnOutput(this, 'EcsServiceConsoleUrl', {
      value: `${console}/ecs/v2/clusters/${clusterName}/services/${serviceName}/health?region=${region}`,
    });
    // A retained group has a generated name (lib/constructs/encrypted-log-group.ts): letters, digits and dashes,
    // nothing to escape; a fixed name's slashes are escaped as the console's URLs write them.
    const logGroupPath = config.retainData
      ? this.task.logGroup.logGroupName
      : encodeURIComponent(n.appLogGroup).replaceAll('%', '$25');
    new CfnOutput(this, 'LogGroupConsoleUrl', {
      value: `${console}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${logGroupPath}`,
    });
    new CfnOutput(this, 'DashboardConsoleUrl', {
      value: `${console}/cloudwatch/home?region=${region}#dashboards/dashboard/${namePrefix}`,
    });
  }
}
