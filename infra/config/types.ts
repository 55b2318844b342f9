// The typed shape of every environment difference. Stacks and constructs read these values only;
// they never branch on an environment's name. Add new concerns (e.g. `monitoring`, `budget`) as new
// optional or required top-level fields here, give them values in environments.ts and checks in validate.ts.
import type { MonitoringConfig } from '../lib/monitoring-config.ts';

/** How private subnets reach the internet (ECR, CloudWatch Logs, Secrets Manager, ...). */
export type EgressStrategy = 'nat-per-az' | 'single-nat' | 'nat-instance';
export type CpuArchitecture = 'X86_64' | 'ARM64';
export type ContainerInsightsMode = 'disabled' | 'enabled' | 'enhanced';
export type DatabaseMode = 'rds' | 'none';
export type CapacityMode = 'fargate' | 'ec2';

export interface NetworkConfig {
  /** IPv4 CIDR of the VPC, e.g. 10.10.0.0/16. */
  readonly cidr: string;
  /** Availability zones to use, pinned (no lookup at synth). 2 or 3. */
  readonly availabilityZones: readonly string[];
  readonly egress: EgressStrategy;
  readonly flowLogRetentionDays: number;
}

export interface ScheduledScaleToZero {
  /** Time zone of the cron expressions, e.g. Europe/Lisbon. */
  readonly timeZone: string;
  /** EventBridge-style cron fields for scaling down to 0, e.g. `cron(0 20 ? * MON-FRI *)`. */
  readonly stopCron: string;
  /** Cron for scaling back up to `minCount`. */
  readonly startCron: string;
}

export interface ServiceConfig {
  /** Fargate task CPU units (256 = 0.25 vCPU). */
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly cpuArchitecture: CpuArchitecture;
  /**
   * Autoscaling floor. The service's task count is left to autoscaling (no DesiredCount in the template):
   * ECS starts 1 task on create and registering the scalable target raises it to minCount.
   */
  readonly minCount: number;
  readonly maxCount: number;
  /** Capacity provider strategy: `fargateBase` tasks on FARGATE, the rest split by weight. */
  readonly fargateBase: number;
  readonly fargateWeight: number;
  readonly fargateSpotWeight: number;
  readonly targetCpuPercent: number;
  readonly targetMemoryPercent: number;
  readonly targetRequestsPerTarget: number;
  readonly scaleInCooldownSeconds: number;
  readonly scaleOutCooldownSeconds: number;
  readonly healthCheckGracePeriodSeconds: number;
  /** Scale to zero outside working hours (cost saving); omit to run around the clock. */
  readonly scaleToZero?: ScheduledScaleToZero;
  /** Adds the SYS_PTRACE capability (the only one Fargate allows) for debugging. */
  readonly debug: boolean;
  /** ECS Exec (`aws ecs execute-command`) with KMS-encrypted, logged sessions. */
  readonly ecsExec: boolean;
  /** Value of TRUST_PROXY: hops in front of the service (CloudFront + ALB = 2). */
  readonly trustProxy: string;
  readonly shutdownDrainSeconds: number;
  readonly logLevel: string;
  readonly logRetentionDays: number;
  readonly containerInsights: ContainerInsightsMode;
}

export interface EdgeConfig {
  /** Custom domain served by CloudFront; omit to use the *.cloudfront.net name. */
  readonly domain?: {
    readonly name: string;
    /** ACM certificate ARN in us-east-1 covering `name` (CloudFront only reads certificates there). */
    readonly certificateArn: string;
  };
  /**
   * AWS WAF web ACL on the distribution, in every environment (it also guards Grafana's login at /grafana):
   * AWS managed common rule set (its 8 KB body rule counted, the service's own body limit enforced instead), a
   * per-IP rate limit, a tighter per-IP limit on Grafana's login, and an optional allow-list for /grafana*.
   * CLOUDFRONT-scoped ACLs live in us-east-1.
   */
  readonly waf: {
    readonly rateLimitPer5Minutes: number;
    /** Per-IP requests to /grafana/login per 5 minutes (password guessing); WAF's minimum is 10. */
    readonly grafanaLoginRateLimitPer5Minutes: number;
    /** IPv4 CIDRs allowed to reach /grafana*; empty: anyone (behind Grafana's login and the rate limits). */
    readonly grafanaAllowedCidrs: readonly string[];
  };
  /**
   * ID of the managed prefix list `com.amazonaws.global.cloudfront.origin-facing` in this region: the ALB accepts
   * traffic only from it. Derived from the region (config/region.ts) so synth needs no lookup.
   */
  readonly cloudFrontPrefixListId: string;
  readonly priceClass: 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';
  /** Days to keep ALB and CloudFront access logs. */
  readonly accessLogRetentionDays: number;
}

/** A Slack channel authorized in AWS Chatbot: workspace (team) ID like T012ABCDEF, channel ID like C012ABCDEF. */
export interface SlackChannel {
  readonly workspaceId: string;
  readonly channelId: string;
}

export interface AlarmConfig {
  /**
   * E-mail addresses subscribed to the alarm topic and the budget (each must confirm the subscription): the setting
   * NODEAPP_ALARM_EMAILS_<ENV> (config/settings.ts). A deploy refuses an environment without any.
   */
  readonly emails: readonly string[];
  /**
   * A Slack channel for the alarms and alerts, through AWS Chatbot (Amazon Q Developer in chat applications): the
   * workspace must first be authorized once in the Chatbot console (docs/monitoring.md), which shows its ID.
   * @default - no Slack (e-mail only)
   */
  readonly slack?: SlackChannel;
  readonly cpuHighPercent: number;
  readonly memoryHighPercent: number;
  readonly p99LatencySeconds: number;
  /** ALB 5xx responses as a percentage of requests. */
  readonly alb5xxRatePercent: number;
  readonly target5xxCount: number;
}

/** FinOps guard rail (docs/finops.md): an AWS Budget on the environment's CostCenter tag. */
export interface BudgetConfig {
  /** Monthly cost budget in USD; e-mails go to alarms.emails at 80 % forecast and 100 % actual. */
  readonly monthlyUsd: number;
  /** Cost Anomaly Detection on the CostCenter tag, e-mailing anomalies of at least this impact (USD). */
  readonly anomalyThresholdUsd?: number;
}

export interface RdsConfig {
  /** e.g. t4g.micro, m7g.large (the `db.` prefix is added). */
  readonly instanceType: string;
  readonly allocatedStorageGiB: number;
  /** Storage autoscaling ceiling. */
  readonly maxAllocatedStorageGiB: number;
  readonly backupRetentionDays: number;
  readonly multiAz: boolean;
  /** Deletion protection (a stack delete stops at the instance until it is turned off). Requires finalSnapshot. */
  readonly protect: boolean;
  /**
   * Removal policy SNAPSHOT: deleting the instance (stack destroy, replacement) leaves a final snapshot, and the
   * storage KMS key is retained so the snapshot stays restorable. Off only where the data never matters.
   */
  readonly finalSnapshot: boolean;
  readonly performanceInsights: boolean;
  /** Enhanced Monitoring interval in seconds; 0 turns it off. */
  readonly enhancedMonitoringSeconds: 0 | 1 | 5 | 10 | 15 | 30 | 60;
  /** RDS manages the master password and rotates it every N days; omit for a generated secret without rotation. */
  readonly rotationDays?: number;
  /** Alarm when connections exceed this many. */
  readonly connectionsAlarm: number;
}

export interface Ec2CapacityConfig {
  /** e.g. t4g.small; must match service.cpuArchitecture (g = ARM64). */
  readonly instanceType: string;
  readonly minInstances: number;
  readonly maxInstances: number;
  readonly rootVolumeGiB: number;
}

export interface Site24x7Config {
  readonly enabled: boolean;
  /** Secrets Manager secret (name) holding the Site24x7 device key as plain text. */
  readonly keySecretName: string;
  /** Site24x7's public agent image, pinned to a tag. */
  readonly image: string;
  readonly cpu: number;
  /** Soft memory reservation of the agent container (Site24x7's own chart requests 100 MiB). */
  readonly memoryReservationMiB: number;
  /** Hard memory limit of the agent container: ECS stops the agent, never the app, above it. */
  readonly memoryMiB: number;
}

/**
 * How a new release of the app service replaces the running one (ECS `deploymentConfiguration.strategy`:
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-types.html).
 * - `rolling`: tasks replaced in place (100 %/200 %), circuit breaker and deployment alarms roll back.
 * - `canary`: the new release starts at full size beside the old one, takes `canaryPercent` of production traffic
 *   for `canaryBakeMinutes`, then all of it; both keep running `bakeMinutes` more before the old one stops
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment.html).
 * - `blue-green`: all traffic moves at once, then both run `bakeMinutes`
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html).
 * Canary and blue/green run the smoke hook on the test listener before any production traffic moves, and any
 * deployment alarm in ALARM during the shift or the bake rolls back. They run twice the tasks while a deploy lasts.
 */
export type DeploymentConfig =
  | { readonly strategy: 'rolling' }
  | {
      readonly strategy: 'canary';
      /** Share of production traffic the new release gets first: 0.1–100 in steps of 0.1. */
      readonly canaryPercent: number;
      /** Minutes at that share before the rest shifts (0–1440). */
      readonly canaryBakeMinutes: number;
      /** Minutes both releases keep running after all traffic shifted: the window an alarm still rolls back (0–1440). */
      readonly bakeMinutes: number;
    }
  | { readonly strategy: 'blue-green'; readonly bakeMinutes: number };

export interface EnvironmentConfig {
  /** Short name used in stack names, resource names and the Environment tag. */
  readonly name: string;
  /** 12-digit AWS account (setting NODEAPP_ACCOUNT_<ENV>). The placeholder 111111111111 synthesizes but cannot be deployed. */
  readonly account: string;
  /**
   * The account model (config/account-model.ts): true when the environment must have an account of its own, apart
   * from the shared account and from every other such environment (staging, prod); false when it may share the
   * shared account (dev: the one-account trial).
   */
  readonly ownAccount: boolean;
  readonly region: string;
  readonly network: NetworkConfig;
  readonly service: ServiceConfig;
  /** How a release replaces the running one: rolling, canary or blue/green, with their times. */
  readonly deployment: DeploymentConfig;
  readonly edge: EdgeConfig;
  readonly alarms: AlarmConfig;
  readonly database: DatabaseMode;
  /** Used when database is 'rds'. */
  readonly rds: RdsConfig;
  readonly capacity: CapacityMode;
  /** Used when capacity is 'ec2'. */
  readonly ec2: Ec2CapacityConfig;
  readonly site24x7: Site24x7Config;
  /** RETAIN keeps data-bearing resources (logs, buckets, keys) when a stack is deleted. */
  readonly retainData: boolean;
  readonly tags: { readonly owner: string; readonly costCenter: string };
  readonly budget: BudgetConfig;
  /** Prometheus, Alertmanager and Grafana of the Monitoring stack (shape and checks: lib/monitoring-config.ts). */
  readonly monitoring: MonitoringConfig;
}

export interface SharedConfig {
  readonly account: string;
  readonly region: string;
  /**
   * Releases kept in each ECR repository (config/images.ts): the rollback depth, in releases. A release is one
   * tagged manifest list (`:<git sha>`) and its untagged per-architecture images (lib/constructs/registry.ts).
   */
  readonly keepReleases: number;
  readonly github: {
    /** `owner/repo` whose workflow may assume the roles: env NODEAPP_GITHUB_REPOSITORY (placeholder when unset). */
    readonly repository: string;
    /** The config environment each GitHub deployment environment's role deploys: `{ staging: 'staging', production: 'prod' }`. */
    readonly deployEnvironments: { readonly staging: string; readonly production: string };
    /**
     * ARN of the account's existing GitHub OIDC provider (IAM allows one per URL per account: creating a second
     * fails with EntityAlreadyExists); omit to create it. env NODEAPP_GITHUB_OIDC_PROVIDER_ARN.
     */
    readonly existingOidcProviderArn?: string;
    /**
     * GitHub's numeric IDs of the repository's owner and of the repository (`gh api repos/OWNER/REPO --jq
     * '.owner.id, .id'`), for a repository whose OIDC subjects use GitHub's immutable format
     * (`repo:OWNER@OWNER-ID/REPO@REPO-ID:…`, the default for repositories created after 2026-07-15). Both or neither:
     * env NODEAPP_GITHUB_OWNER_ID, NODEAPP_GITHUB_REPOSITORY_ID.
     * @default - the name-only subject `repo:OWNER/REPO:…`
     */
    readonly immutableIds?: { readonly owner: string; readonly repository: string };
  };
  /** Qualifier of the CDK bootstrap roles the deploy role may assume. */
  readonly cdkBootstrapQualifier: string;
  readonly tags: { readonly owner: string; readonly costCenter: string };
}

export interface NodeappConfig {
  readonly shared: SharedConfig;
  readonly environments: readonly EnvironmentConfig[];
}
