// Every difference between dev, staging and prod lives here, as data. See infra/README.md for the reference.
// What differs from one team's accounts to the next (accounts, alarm recipients, time zone, owner) is not here: it
// comes from the operator's settings (config/settings.ts); what follows from the region is derived (config/region.ts).
import { cloudFrontOriginFacingPrefixList } from './region.ts';
import { readSettings } from './settings.ts';
import type { EnvironmentConfig, NodeappConfig, SharedConfig } from './types.ts';

/** Synthesizes without credentials; CloudFormation would refuse it, which is the point. */
export const PLACEHOLDER_ACCOUNT = '111111111111';

/** Synthesizes the trust policies offline; `npm run deploy-shared` refuses it (NODEAPP_GITHUB_REPOSITORY unset). */
export const PLACEHOLDER_GITHUB_REPOSITORY = 'unset-owner/unset-repository';

// CloudFront-scoped WAF web ACLs exist only in us-east-1 (validate.ts), so every environment is there.
const REGION = 'us-east-1';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): NodeappConfig {
  const settings = readSettings(env);
  const account = (name: 'shared' | 'dev' | 'staging' | 'prod') => settings.accounts[name] ?? PLACEHOLDER_ACCOUNT;
  const tags = (name: string) => ({ owner: settings.owner, costCenter: `nodeapp-${name}` });
  const shared: SharedConfig = {
    account: account('shared'),
    region: REGION,
    keepReleases: 30,
    github: {
      repository: settings.githubRepository ?? PLACEHOLDER_GITHUB_REPOSITORY,
      deployEnvironments: { staging: 'staging', production: 'prod' },
      existingOidcProviderArn: settings.githubOidcProviderArn,
      immutableIds: settings.githubIds,
    },
    cdkBootstrapQualifier: 'hnb659fds',
    tags: tags('shared'),
  };

  const dev: EnvironmentConfig = {
    name: 'dev',
    account: account('dev'),
    ownAccount: false,
    region: REGION,
    network: {
      cidr: '10.10.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      // A NAT instance instead of a NAT gateway: a tenth of the cost (interface endpoints for ECR, logs and
      // Secrets Manager would cost more than a NAT gateway: about 7 USD per endpoint per AZ per month).
      egress: 'nat-instance',
      flowLogRetentionDays: 7,
    },
    service: {
      cpu: 256,
      memoryMiB: 512,
      cpuArchitecture: 'ARM64',
      minCount: 1,
      maxCount: 2,
      fargateBase: 0,
      fargateWeight: 0,
      fargateSpotWeight: 1,
      targetCpuPercent: 70,
      targetMemoryPercent: 80,
      targetRequestsPerTarget: 500,
      scaleInCooldownSeconds: 300,
      scaleOutCooldownSeconds: 60,
      healthCheckGracePeriodSeconds: 60,
      scaleToZero: {
        timeZone: settings.timeZone,
        stopCron: 'cron(0 20 ? * MON-FRI *)',
        startCron: 'cron(0 7 ? * MON-FRI *)',
      },
      debug: true,
      ecsExec: true,
      trustProxy: '2',
      shutdownDrainSeconds: 5,
      logLevel: 'debug',
      logRetentionDays: 7,
      // Cost (docs/finops.md): Container Insights bills ~25 custom metrics per service; dev has Prometheus and
      // Grafana, so it goes without (the tasks-below-desired alarm reading it is left out).
      containerInsights: 'disabled',
    },
    // Rolling in place: dev's single Spot task would otherwise pay for a second one every deploy.
    deployment: { strategy: 'rolling' },
    edge: {
      // In every environment: Grafana's login sits behind the same distribution. About
      // 5 USD/month for the ACL + 1 USD per rule + 0.60 USD per million requests (https://aws.amazon.com/waf/pricing/).
      waf: { rateLimitPer5Minutes: 2000, grafanaLoginRateLimitPer5Minutes: 20, grafanaAllowedCidrs: [] },
      cloudFrontPrefixListId: cloudFrontOriginFacingPrefixList(REGION),
      priceClass: 'PriceClass_100',
      accessLogRetentionDays: 7,
    },
    alarms: {
      emails: settings.alarmEmails.dev,
      slack: settings.slack.dev,
      cpuHighPercent: 85,
      memoryHighPercent: 85,
      p99LatencySeconds: 2,
      alb5xxRatePercent: 5,
      target5xxCount: 10,
    },
    database: 'rds',
    rds: {
      instanceType: 't4g.micro',
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 50,
      backupRetentionDays: 1,
      multiAz: false,
      protect: false,
      // Dev data is throwaway: no snapshot left behind to pay for after a destroy.
      finalSnapshot: false,
      performanceInsights: false,
      enhancedMonitoringSeconds: 0,
      connectionsAlarm: 60,
    },
    capacity: 'fargate',
    ec2: { instanceType: 't4g.small', minInstances: 1, maxInstances: 2, rootVolumeGiB: 30 },
    // Site24x7 agent sidecar (infra/README.md "Site24x7" lists the sources). Image tag and the 100 MiB memory
    // request are those of Site24x7's own Helm chart (github.com/site24x7/helm-charts, charts/site24x7/values.yaml);
    // the 128 CPU units and the 256 MiB cap are this project's choice (Site24x7 documents no CPU figure).
    site24x7: {
      enabled: false,
      keySecretName: 'nodeapp/site24x7-device-key',
      image: 'site24x7/docker-agent:release22300',
      cpu: 128,
      memoryReservationMiB: 100,
      memoryMiB: 256,
    },
    retainData: false,
    tags: tags('dev'),
    budget: { monthlyUsd: 70 },
    monitoring: {
      prometheus: { cpu: 256, memoryMiB: 1024, ephemeralStorageGiB: 21, retentionDays: 7, retentionSizeGiB: 12 },
      grafana: { cpu: 256, memoryMiB: 512 },
      // Cost (docs/finops.md): about 11 USD/month less than on-demand; keeps dev under its 70 USD budget.
      spot: true,
    },
  };

  const staging: EnvironmentConfig = {
    ...dev,
    name: 'staging',
    account: account('staging'),
    ownAccount: true,
    network: { ...dev.network, cidr: '10.20.0.0/16', egress: 'single-nat', flowLogRetentionDays: 30 },
    service: {
      ...dev.service,
      cpu: 512,
      memoryMiB: 1024,
      minCount: 2,
      maxCount: 4,
      fargateBase: 1,
      fargateWeight: 1,
      fargateSpotWeight: 1,
      scaleToZero: undefined,
      debug: false,
      ecsExec: true,
      logLevel: 'info',
      logRetentionDays: 30,
      containerInsights: 'enabled',
    },
    // The production strategy with short times, so every release rehearses prod's canary (hook, shift, rollback).
    deployment: { strategy: 'canary', canaryPercent: 10, canaryBakeMinutes: 3, bakeMinutes: 3 },
    edge: { ...dev.edge, accessLogRetentionDays: 30 },
    // finalSnapshot: the destroy workflow promises a final RDS snapshot of staging and production.
    rds: {
      ...dev.rds,
      instanceType: 't4g.small',
      backupRetentionDays: 7,
      performanceInsights: true,
      finalSnapshot: true,
    },
    alarms: { ...dev.alarms, emails: settings.alarmEmails.staging, slack: settings.slack.staging },
    tags: tags('staging'),
    // About 1.3 x the cost estimate (~164 USD, docs/finops.md): the 80 % forecast warning sits just above it.
    budget: { monthlyUsd: 220, anomalyThresholdUsd: 20 },
    monitoring: { ...dev.monitoring, spot: false },
  };

  const prod: EnvironmentConfig = {
    ...staging,
    name: 'prod',
    account: account('prod'),
    network: {
      cidr: '10.30.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      egress: 'nat-per-az',
      flowLogRetentionDays: 365,
    },
    service: {
      ...staging.service,
      cpu: 1024,
      memoryMiB: 2048,
      minCount: 3,
      maxCount: 12,
      fargateBase: 2,
      fargateWeight: 1,
      fargateSpotWeight: 3,
      healthCheckGracePeriodSeconds: 60,
      ecsExec: false,
      logRetentionDays: 365,
      containerInsights: 'enhanced',
    },
    // 10 % of production for 10 minutes (the deployment alarms evaluate 2–5 one-minute periods), then all of it;
    // the old release stays 15 minutes more so an alarm in the first minutes at full traffic still rolls back.
    deployment: { strategy: 'canary', canaryPercent: 10, canaryBakeMinutes: 10, bakeMinutes: 15 },
    edge: {
      ...staging.edge,
      priceClass: 'PriceClass_All',
      accessLogRetentionDays: 90,
    },
    alarms: {
      ...staging.alarms,
      emails: settings.alarmEmails.prod,
      slack: settings.slack.prod,
      p99LatencySeconds: 1,
      alb5xxRatePercent: 1,
    },
    rds: {
      instanceType: 'm7g.large',
      allocatedStorageGiB: 50,
      maxAllocatedStorageGiB: 200,
      backupRetentionDays: 14,
      multiAz: true,
      protect: true,
      finalSnapshot: true,
      performanceInsights: true,
      enhancedMonitoringSeconds: 60,
      rotationDays: 30,
      connectionsAlarm: 400,
    },
    ec2: { instanceType: 't4g.medium', minInstances: 3, maxInstances: 8, rootVolumeGiB: 30 },
    retainData: true,
    tags: tags('prod'),
    // About 1.3 x the cost estimate (~646 USD, docs/finops.md): the 80 % forecast warning sits just above it.
    budget: { monthlyUsd: 850, anomalyThresholdUsd: 50 },
    monitoring: {
      prometheus: { cpu: 512, memoryMiB: 2048, ephemeralStorageGiB: 50, retentionDays: 30, retentionSizeGiB: 40 },
      grafana: { cpu: 256, memoryMiB: 512 },
    },
  };

  return { shared, environments: [dev, staging, prod] };
}
