// Checks the config before any construct is built, so a bad value fails synth with the field's path
// (e.g. `prod.service.memoryMiB`) instead of a CloudFormation error at deploy time.
import { monitoringConfigProblems } from '../lib/monitoring-config.ts';
import { fargateSizeProblems } from './fargate.ts';
import type { EnvironmentConfig, NodeappConfig, SharedConfig } from './types.ts';

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`Invalid Nodeapp infrastructure config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// Values CloudWatch Logs accepts for retention.
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 3653,
];

class Checker {
  readonly problems: string[] = [];
  check(ok: boolean, field: string, message: string): void {
    if (!ok) this.problems.push(`${field}: ${message}`);
  }
  oneOf<T>(value: T, allowed: readonly T[], field: string): void {
    this.check(allowed.includes(value), field, `must be one of ${allowed.join(', ')} (got ${String(value)})`);
  }
  int(value: number, min: number, max: number, field: string): void {
    this.check(
      Number.isInteger(value) && value >= min && value <= max,
      field,
      `must be an integer from ${min} to ${max} (got ${value})`,
    );
  }
  account(value: string, field: string): void {
    this.check(/^\d{12}$/.test(value), field, `must be a 12-digit AWS account id (got "${value}")`);
  }
  region(value: string, field: string): void {
    this.check(/^[a-z]{2}(-[a-z]+)+-\d$/.test(value), field, `must be an AWS region like us-east-1 (got "${value}")`);
  }
}

function validateEnvironment(c: Checker, e: EnvironmentConfig, shared: SharedConfig): void {
  const p = e.name;
  c.check(/^[a-z][a-z0-9]{1,11}$/.test(e.name), `${p}.name`, 'must be 2-12 lowercase letters/digits');
  c.account(e.account, `${p}.account`);
  c.region(e.region, `${p}.region`);
  // Tasks pull from the shared ECR repository; keeping it in the same region avoids cross-region transfer.
  c.check(e.region === shared.region, `${p}.region`, `must equal shared.region ${shared.region} (the ECR repository)`);

  const n = e.network;
  c.check(/^10\.\d{1,3}\.0\.0\/16$/.test(n.cidr), `${p}.network.cidr`, `must be a 10.x.0.0/16 block (got ${n.cidr})`);
  c.int(n.availabilityZones.length, 2, 3, `${p}.network.availabilityZones.length`);
  for (const [i, az] of n.availabilityZones.entries()) {
    c.check(az.startsWith(e.region), `${p}.network.availabilityZones[${i}]`, `must be in ${e.region} (got ${az})`);
  }
  c.check(new Set(n.availabilityZones).size === n.availabilityZones.length, `${p}.network.availabilityZones`, 'dupes');
  c.oneOf(n.egress, ['nat-per-az', 'single-nat', 'nat-instance'], `${p}.network.egress`);
  c.oneOf(n.flowLogRetentionDays, LOG_RETENTION_DAYS, `${p}.network.flowLogRetentionDays`);

  const s = e.service;
  c.problems.push(...fargateSizeProblems(s.cpu, s.memoryMiB, `${p}.service`));
  c.oneOf(s.cpuArchitecture, ['X86_64', 'ARM64'], `${p}.service.cpuArchitecture`);
  c.int(s.minCount, 0, 100, `${p}.service.minCount`);
  c.int(s.maxCount, Math.max(1, s.minCount), 100, `${p}.service.maxCount`);
  c.int(s.fargateBase, 0, 100, `${p}.service.fargateBase`);
  c.int(s.fargateWeight, 0, 1000, `${p}.service.fargateWeight`);
  c.int(s.fargateSpotWeight, 0, 1000, `${p}.service.fargateSpotWeight`);
  c.check(s.fargateWeight + s.fargateSpotWeight > 0, `${p}.service.fargateSpotWeight`, 'one weight must be > 0');
  c.int(s.targetCpuPercent, 10, 95, `${p}.service.targetCpuPercent`);
  c.int(s.targetMemoryPercent, 10, 95, `${p}.service.targetMemoryPercent`);
  c.int(s.targetRequestsPerTarget, 1, 100000, `${p}.service.targetRequestsPerTarget`);
  c.int(s.scaleInCooldownSeconds, 0, 3600, `${p}.service.scaleInCooldownSeconds`);
  c.int(s.scaleOutCooldownSeconds, 0, 3600, `${p}.service.scaleOutCooldownSeconds`);
  c.int(s.healthCheckGracePeriodSeconds, 0, 600, `${p}.service.healthCheckGracePeriodSeconds`);
  c.int(s.shutdownDrainSeconds, 0, 25, `${p}.service.shutdownDrainSeconds`);
  c.check(/^\d+$|^(true|false)$/.test(s.trustProxy), `${p}.service.trustProxy`, 'must be a hop count or true/false');
  c.oneOf(s.logLevel, ['trace', 'debug', 'info', 'warn', 'error', 'fatal'], `${p}.service.logLevel`);
  c.oneOf(s.logRetentionDays, LOG_RETENTION_DAYS, `${p}.service.logRetentionDays`);
  c.oneOf(s.containerInsights, ['disabled', 'enabled', 'enhanced'], `${p}.service.containerInsights`);
  if (s.scaleToZero) {
    const zone = s.scaleToZero.timeZone;
    c.check(
      zone === 'UTC' || Intl.supportedValuesOf('timeZone').includes(zone),
      `${p}.service.scaleToZero.timeZone (NODEAPP_TIME_ZONE)`,
      `must be an IANA time zone like Europe/Lisbon (got "${zone}")`,
    );
    const cron = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;
    c.check(cron.test(s.scaleToZero.stopCron), `${p}.service.scaleToZero.stopCron`, 'must be cron(m h dom mon dow y)');
    c.check(
      cron.test(s.scaleToZero.startCron),
      `${p}.service.scaleToZero.startCron`,
      'must be cron(m h dom mon dow y)',
    );
  }

  deploymentProblems(c, e);

  const edge = e.edge;
  c.check(/^pl-[0-9a-f]{8,17}$/.test(edge.cloudFrontPrefixListId), `${p}.edge.cloudFrontPrefixListId`, 'must be pl-…');
  c.oneOf(edge.priceClass, ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'], `${p}.edge.priceClass`);
  c.int(edge.accessLogRetentionDays, 1, 3650, `${p}.edge.accessLogRetentionDays`);
  if (edge.domain) {
    c.check(/^([a-z0-9-]+\.)+[a-z]{2,}$/.test(edge.domain.name), `${p}.edge.domain.name`, 'must be a DNS name');
    c.check(
      /^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/.test(edge.domain.certificateArn),
      `${p}.edge.domain.certificateArn`,
      'must be an ACM certificate ARN in us-east-1 (CloudFront reads certificates only there)',
    );
  }
  // WAF rate-based rules accept 10 to 2,000,000,000 requests per evaluation window.
  c.int(edge.waf.rateLimitPer5Minutes, 10, 2_000_000_000, `${p}.edge.waf.rateLimitPer5Minutes`);
  c.int(edge.waf.grafanaLoginRateLimitPer5Minutes, 10, 2_000_000_000, `${p}.edge.waf.grafanaLoginRateLimitPer5Minutes`);
  for (const [i, cidr] of edge.waf.grafanaAllowedCidrs.entries()) {
    c.check(
      /^(\d{1,3}\.){3}\d{1,3}\/([0-9]|[12]\d|3[0-2])$/.test(cidr),
      `${p}.edge.waf.grafanaAllowedCidrs[${i}]`,
      `must be an IPv4 CIDR like 203.0.113.0/24 (got ${cidr})`,
    );
  }
  c.check(e.region === 'us-east-1', `${p}.edge.waf`, 'a CLOUDFRONT-scoped web ACL can only be created in us-east-1');

  const a = e.alarms;
  for (const [i, email] of a.emails.entries()) {
    c.check(/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email), `${p}.alarms.emails[${i}]`, `not an e-mail address: ${email}`);
  }
  if (a.slack) {
    // The IDs Slack shows (workspace T…, channel C… or G… for private ones); CloudFormation takes them as they are:
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-chatbot-slackchannelconfiguration.html
    c.check(
      /^T[A-Z0-9]{8,}$/.test(a.slack.workspaceId),
      `${p}.alarms.slack.workspaceId (NODEAPP_SLACK_${e.name.toUpperCase()})`,
      `must be a Slack workspace ID like T012ABCDEF (got ${a.slack.workspaceId})`,
    );
    c.check(
      /^[CG][A-Z0-9]{8,}$/.test(a.slack.channelId),
      `${p}.alarms.slack.channelId (NODEAPP_SLACK_${e.name.toUpperCase()})`,
      `must be a Slack channel ID like C012ABCDEF (got ${a.slack.channelId})`,
    );
  }
  c.int(a.cpuHighPercent, 1, 100, `${p}.alarms.cpuHighPercent`);
  c.int(a.memoryHighPercent, 1, 100, `${p}.alarms.memoryHighPercent`);
  c.check(a.p99LatencySeconds > 0 && a.p99LatencySeconds <= 60, `${p}.alarms.p99LatencySeconds`, 'must be in (0, 60]');
  c.check(a.alb5xxRatePercent > 0 && a.alb5xxRatePercent <= 100, `${p}.alarms.alb5xxRatePercent`, 'in (0, 100]');
  c.int(a.target5xxCount, 1, 1_000_000, `${p}.alarms.target5xxCount`);

  const b = e.budget;
  c.check(b.monthlyUsd > 0 && b.monthlyUsd <= 1_000_000, `${p}.budget.monthlyUsd`, 'must be in (0, 1000000] USD');
  // Without recipients (NODEAPP_ALARM_EMAILS_<ENV> unset: offline synth) the anomaly subscription is left out; a
  // deploy refuses an environment without recipients (config/account-model.ts recipientProblems).
  if (b.anomalyThresholdUsd !== undefined) {
    c.check(b.anomalyThresholdUsd >= 1, `${p}.budget.anomalyThresholdUsd`, 'must be at least 1 USD');
  }

  c.oneOf(e.database, ['rds', 'none'], `${p}.database`);
  const r = e.rds;
  c.check(
    /^[a-z][a-z0-9]*\.[a-z0-9]+$/.test(r.instanceType),
    `${p}.rds.instanceType`,
    'like t4g.micro (no db. prefix)',
  );
  c.int(r.allocatedStorageGiB, 20, 65536, `${p}.rds.allocatedStorageGiB`);
  c.int(r.maxAllocatedStorageGiB, r.allocatedStorageGiB, 65536, `${p}.rds.maxAllocatedStorageGiB`);
  c.int(r.backupRetentionDays, 1, 35, `${p}.rds.backupRetentionDays`);
  c.oneOf(r.enhancedMonitoringSeconds, [0, 1, 5, 10, 15, 30, 60], `${p}.rds.enhancedMonitoringSeconds`);
  if (r.rotationDays !== undefined) c.int(r.rotationDays, 1, 365, `${p}.rds.rotationDays`);
  c.int(r.connectionsAlarm, 1, 100000, `${p}.rds.connectionsAlarm`);
  if (typeof r.finalSnapshot !== 'boolean') c.check(false, `${p}.rds.finalSnapshot`, 'must be true or false');
  // A protected database is one whose data matters: its eventual deletion must leave a snapshot.
  else c.check(!r.protect || r.finalSnapshot, `${p}.rds.finalSnapshot`, 'must be true when rds.protect is set');

  c.oneOf(e.capacity, ['fargate', 'ec2'], `${p}.capacity`);
  const ec2 = e.ec2;
  c.check(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(ec2.instanceType), `${p}.ec2.instanceType`, 'like t4g.small');
  const graviton = /^[a-z]+\d+g[a-z]*\./.test(ec2.instanceType);
  c.check(
    graviton === (s.cpuArchitecture === 'ARM64'),
    `${p}.ec2.instanceType`,
    `${ec2.instanceType} does not match service.cpuArchitecture ${s.cpuArchitecture}`,
  );
  c.int(ec2.minInstances, 0, 100, `${p}.ec2.minInstances`);
  c.int(ec2.maxInstances, Math.max(1, ec2.minInstances), 100, `${p}.ec2.maxInstances`);
  c.int(ec2.rootVolumeGiB, 30, 1000, `${p}.ec2.rootVolumeGiB`);

  const agent = e.site24x7;
  c.check(
    /^[\w./-]+:[\w.-]+$/.test(agent.image) && !agent.image.endsWith(':latest'),
    `${p}.site24x7.image`,
    'pin a tag',
  );
  c.check(/^[\w/+=.@-]{1,512}$/.test(agent.keySecretName), `${p}.site24x7.keySecretName`, 'a Secrets Manager name');
  c.int(agent.cpu, 0, 1024, `${p}.site24x7.cpu`);
  c.int(agent.memoryMiB, 64, 2048, `${p}.site24x7.memoryMiB`);
  c.int(agent.memoryReservationMiB, 32, agent.memoryMiB, `${p}.site24x7.memoryReservationMiB`);
  if (agent.enabled) {
    c.check(agent.memoryMiB < s.memoryMiB, `${p}.site24x7.memoryMiB`, 'must leave memory for the app container');
  }
  c.check(e.tags.owner.length > 0, `${p}.tags.owner`, 'must not be empty');
  c.check(e.tags.costCenter.length > 0, `${p}.tags.costCenter`, 'must not be empty');
}

/** ECS's ranges (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CanaryConfiguration.html,
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html bakeTimeInMinutes). */
function deploymentProblems(c: Checker, e: EnvironmentConfig): void {
  const d = e.deployment;
  const p = `${e.name}.deployment`;
  c.oneOf(d.strategy, ['rolling', 'canary', 'blue-green'], `${p}.strategy`);
  if (d.strategy === 'canary') {
    const tenths = Math.round(d.canaryPercent * 10);
    c.check(
      Math.abs(d.canaryPercent * 10 - tenths) < 1e-9 && tenths >= 1 && tenths <= 1000,
      `${p}.canaryPercent`,
      `must be 0.1 to 100 in steps of 0.1 (got ${d.canaryPercent})`,
    );
    c.int(d.canaryBakeMinutes, 0, 1440, `${p}.canaryBakeMinutes`);
  }
  if (d.strategy === 'canary' || d.strategy === 'blue-green') c.int(d.bakeMinutes, 0, 1440, `${p}.bakeMinutes`);
}

/** Throws a ConfigError listing every problem, each prefixed by the field's path. */
export function validateConfig(config: NodeappConfig): NodeappConfig {
  const c = new Checker();
  const s = config.shared;
  c.account(s.account, 'shared.account');
  c.region(s.region, 'shared.region');
  // At least 20 releases to roll back to; ECR allows at most 10,000 images per repository.
  c.int(s.keepReleases, 20, 1000, 'shared.keepReleases');
  c.check(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/.test(s.github.repository),
    'shared.github.repository (NODEAPP_GITHUB_REPOSITORY)',
    `must be owner/repo (got "${s.github.repository}")`,
  );
  if (s.github.existingOidcProviderArn !== undefined) {
    c.check(
      /^arn:aws:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/.test(
        s.github.existingOidcProviderArn,
      ),
      'shared.github.existingOidcProviderArn (NODEAPP_GITHUB_OIDC_PROVIDER_ARN)',
      `must be arn:aws:iam::<shared account>:oidc-provider/token.actions.githubusercontent.com (got "${s.github.existingOidcProviderArn}")`,
    );
  }
  if (s.github.immutableIds !== undefined) {
    const { owner, repository } = s.github.immutableIds;
    c.check(
      /^[1-9]\d{0,19}$/.test(owner) && /^[1-9]\d{0,19}$/.test(repository),
      'shared.github.immutableIds (NODEAPP_GITHUB_OWNER_ID, NODEAPP_GITHUB_REPOSITORY_ID)',
      `must both be GitHub's numeric IDs (got owner "${owner}", repository "${repository}")`,
    );
  }
  for (const [githubEnvironment, name] of Object.entries(s.github.deployEnvironments)) {
    c.check(
      config.environments.some((e) => e.name === name),
      `shared.github.deployEnvironments.${githubEnvironment}`,
      `must name a configured environment (got "${name}")`,
    );
  }
  c.check(/^[a-z0-9]{1,10}$/.test(s.cdkBootstrapQualifier), 'shared.cdkBootstrapQualifier', 'must be 1-10 [a-z0-9]');
  const names = config.environments.map((e) => e.name);
  c.check(new Set(names).size === names.length, 'environments', `names must be unique (got ${names.join(', ')})`);
  for (const e of config.environments) {
    validateEnvironment(c, e, s);
    c.problems.push(...monitoringConfigProblems(e.monitoring, `${e.name}.monitoring`));
  }
  if (c.problems.length > 0) throw new ConfigError(c.problems);
  return config;
}
