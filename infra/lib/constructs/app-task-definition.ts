import type { ServiceContract } from '@nodeapp/contract';
import { Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ServiceConfig, Site24x7Config } from '../../config/types.ts';
import { acknowledge } from '../nag.ts';
import { allowCloudWatchLogs, encryptedLogGroup } from './encrypted-log-group.ts';

/**
 * Where ECS Exec's managed SSM agent writes inside the container. ECS documents a read-only root filesystem as
 * unsupported with ECS Exec (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html, Considerations:
 * the agent must create directories and files); giving the agent these paths as writable task volumes is the
 * arrangement reported working in https://github.com/aws/containers-roadmap/issues/1359 and
 * https://github.com/aws-containers/amazon-ecs-exec-checker/issues/71, so the root stays read-only where exec is on.
 */
export const ECS_EXEC_AGENT_PATHS = ['/managed-agents', '/var/lib/amazon/ssm', '/var/log/amazon/ssm'] as const;
/** The image's user (`node` in the official Node.js images). */
const NON_ROOT_USER = '1000:1000';

export interface AppTaskDefinitionProps {
  readonly config: ServiceConfig;
  /** The service's contract (`<folder>/service.json`): container name, ports, health command, environment, secrets. */
  readonly service: ServiceContract;
  /** The service's image, pinned by digest (lib/images.ts pinnedImage). */
  readonly image: ecs.ContainerImage;
  /** Version label of the release (the git SHA): APP_VERSION and GIT_COMMIT. */
  readonly version: string;
  /** Extra plain environment (never secrets), e.g. DATABASE_HOST.
   * @default - only the platform's variables and the contract's environment */
  readonly environment?: Record<string, string>;
  /** Extra ECS secrets, e.g. DATABASE_PASSWORD from the RDS secret.
   * @default - only the contract's secrets */
  readonly secrets?: Record<string, ecs.Secret>;
  readonly retainData: boolean;
  readonly namePrefix: string;
  readonly logGroupName: string;
  /** Site24x7 agent sidecar (when enabled). */
  readonly site24x7?: Site24x7Config;
  /** 'ec2' builds an EC2-compatible (awsvpc) task for the ASG capacity provider; default Fargate. */
  readonly launchType?: 'fargate' | 'ec2';
}

/** The task's memory less what a sidecar may take (its hard limit): what the service itself can use. */
export function appMemoryMiB(taskMemoryMiB: number, site24x7?: Site24x7Config): number {
  return taskMemoryMiB - (site24x7?.enabled ? site24x7.memoryMiB : 0);
}

/** `API_KEY` → `ApiKey`: the construct id of a contract secret. */
function secretId(name: string): string {
  return name
    .toLowerCase()
    .split('_')
    .map((word) => (word ? `${word[0]?.toUpperCase()}${word.slice(1)}` : ''))
    .join('');
}

/**
 * The service's Fargate task: hardened container (read-only root, writable /tmp, non-root, all capabilities
 * dropped, init process), the contract's health command, service + metrics ports, non-blocking awslogs to a KMS
 * log group, the contract's secrets from Secrets Manager. Separate execution and task roles.
 */
export class AppTaskDefinition extends Construct {
  readonly taskDefinition: ecs.TaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly executionRole: iam.Role;
  readonly taskRole: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** The secrets the platform generates for the contract's `secrets` (`{ generate }`), by variable name. */
  readonly generatedSecrets: Readonly<Record<string, secretsmanager.Secret>>;
  /** Encrypts the service's log group and its generated secrets. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: AppTaskDefinitionProps) {
    super(scope, id);
    const { config, service } = props;
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const { account } = Stack.of(this);

    this.key = new kms.Key(this, 'Key', {
      description: `${props.namePrefix} service logs and secrets`,
      enableKeyRotation: true,
      removalPolicy,
      pendingWindow: Duration.days(7),
    });
    allowCloudWatchLogs(this.key, this);
    this.logGroup = encryptedLogGroup(this, 'LogGroup', {
      key: this.key,
      retentionDays: config.logRetentionDays,
      removalPolicy,
      logGroupName: props.logGroupName,
    });

    const secrets = this.contractSecrets(props.service, props.namePrefix);
    this.generatedSecrets = secrets.generated;

    // Trust only ECS tasks of this account (confused-deputy guard).
    const ecsTasks = () =>
      new iam.ServicePrincipal('ecs-tasks.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': account },
      });
    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: ecsTasks(),
      description: 'ECS agent: pull the image, write the log group, read the named secrets',
    });
    this.taskRole = new iam.Role(this, 'TaskRole', {
      assumedBy: ecsTasks(),
      description: 'The running service: no AWS API calls beyond what ECS Exec needs',
    });

    const ec2 = props.launchType === 'ec2';
    this.taskDefinition = new ecs.TaskDefinition(this, 'TaskDefinition', {
      family: `${props.namePrefix}-${service.name}`,
      compatibility: ec2 ? ecs.Compatibility.EC2 : ecs.Compatibility.FARGATE,
      networkMode: ecs.NetworkMode.AWS_VPC,
      cpu: String(config.cpu),
      memoryMiB: String(config.memoryMiB),
      // On EC2 the instance type fixes the architecture (config validation keeps the two in line).
      runtimePlatform: ec2
        ? undefined
        : {
            cpuArchitecture: ecs.CpuArchitecture.of(config.cpuArchitecture),
            operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
          },
      executionRole: this.executionRole,
      taskRole: this.taskRole,
      volumes: [{ name: 'tmp' }],
    });

    const linuxParameters = new ecs.LinuxParameters(this, 'LinuxParameters', { initProcessEnabled: true });
    linuxParameters.dropCapabilities(ecs.Capability.ALL);
    // SYS_PTRACE is the only capability Fargate accepts; only for debugging (config service.debug).
    if (config.debug) linuxParameters.addCapabilities(ecs.Capability.SYS_PTRACE);

    this.container = this.taskDefinition.addContainer(service.name, {
      image: props.image,
      essential: true,
      readonlyRootFilesystem: true,
      user: NON_ROOT_USER,
      linuxParameters,
      stopTimeout: Duration.seconds(service.stopTimeoutSeconds),
      healthCheck: service.health.command && {
        command: [...service.health.command],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(30),
      },
      portMappings: [
        { name: service.name, containerPort: service.port, protocol: ecs.Protocol.TCP },
        ...(service.metrics
          ? [{ name: 'metrics', containerPort: service.metrics.port, protocol: ecs.Protocol.TCP }]
          : []),
      ],
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: service.name,
        // Never block the event loop on CloudWatch Logs back-pressure; drop when the buffer is full.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
      environment: {
        NODE_ENV: 'production',
        PORT: String(service.port),
        ...(service.metrics ? { METRICS_PORT: String(service.metrics.port) } : {}),
        SHUTDOWN_DRAIN_SECONDS: String(config.shutdownDrainSeconds),
        TRUST_PROXY: config.trustProxy,
        LOG_LEVEL: config.logLevel,
        APP_VERSION: props.version,
        GIT_COMMIT: props.version,
        // The service's memory: Fargate's task-level limit is not visible inside the container (no cgroup limit of
        // its own: https://github.com/heroku/buildpacks-nodejs/issues/220), so a service reads it from here (e.g.
        // app/src/memory-limit.ts: a start-up memory check and nodeapp_memory_limit_bytes).
        MEMORY_LIMIT_BYTES: String(appMemoryMiB(config.memoryMiB, props.site24x7) * 1024 * 1024),
        ...service.environment,
        ...props.environment,
      },
      secrets: { ...secrets.ecs, ...props.secrets },
    });
    this.container.addMountPoints({ containerPath: '/tmp', sourceVolume: 'tmp', readOnly: false });
    if (config.ecsExec) {
      for (const [i, containerPath] of ECS_EXEC_AGENT_PATHS.entries()) {
        const sourceVolume = `ecs-exec-agent-${i}`;
        this.taskDefinition.addVolume({ name: sourceVolume });
        this.container.addMountPoints({ containerPath, sourceVolume, readOnly: false });
      }
    }

    if (props.site24x7?.enabled) this.addSite24x7Agent(props.site24x7);

    acknowledge(
      this.taskDefinition,
      'AwsSolutions-ECS2',
      'Only non-secret settings (ports, log level, drain seconds, database host/name, the contract environment) are plain environment; the contract secrets and database credentials are ECS secrets.',
    );
    const executionPolicy = this.executionRole.node.tryFindChild('DefaultPolicy');
    if (executionPolicy) {
      acknowledge(
        executionPolicy,
        'AwsSolutions-IAM5[Resource::*]',
        'ecr:GetAuthorizationToken has no resource-level permissions (AWS requires "*"); image pulls are limited to the one repository.',
      );
    }
  }

  /**
   * The contract's secrets as ECS secrets: `{ generate }` → a secret generated here (letters and digits, encrypted
   * with the service's key; id from the variable name, e.g. API_KEY → ApiKey); `{ secretsManager }` → the
   * existing secret of that name in the environment's account and region.
   */
  private contractSecrets(
    service: ServiceContract,
    namePrefix: string,
  ): { generated: Record<string, secretsmanager.Secret>; ecs: Record<string, ecs.Secret> } {
    const generated: Record<string, secretsmanager.Secret> = {};
    const secrets: Record<string, ecs.Secret> = {};
    for (const [name, source] of Object.entries(service.secrets)) {
      const description = `${namePrefix} ${name}${source.description ? ` (${source.description})` : ''}`;
      if ('generate' in source) {
        const secret = new secretsmanager.Secret(this, secretId(name), {
          description,
          encryptionKey: this.key,
          generateSecretString: { passwordLength: source.generate.length ?? 48, excludePunctuation: true },
          removalPolicy: RemovalPolicy.DESTROY,
        });
        acknowledge(
          secret,
          'AwsSolutions-SMG4',
          'A static value read at task start: rotate by `aws secretsmanager put-secret-value` + a service redeploy (docs/runbook.md); a rotation Lambda could not restart the tasks.',
        );
        generated[name] = secret;
        secrets[name] = ecs.Secret.fromSecretsManager(secret);
      } else {
        const existing = secretsmanager.Secret.fromSecretNameV2(this, secretId(name), source.secretsManager);
        secrets[name] = ecs.Secret.fromSecretsManager(existing);
      }
    }
    return { generated, ecs: secrets };
  }

  /**
   * Site24x7's agent as a sidecar, `essential: false` so the agent can never stop the service.
   * What each setting rests on (no Site24x7 page on ECS Fargate could be found; infra/README.md "Site24x7"):
   * - image `site24x7/docker-agent` and its `release<N>` tag, the device key in the variable `KEY` from a secret,
   *   and the 100 MiB memory request: Site24x7's Helm chart,
   *   https://github.com/site24x7/helm-charts (charts/site24x7/values.yaml, image tag `release22300`, and
   *   charts/site24x7/templates/site24x7-agent/daemonset.yaml, which sets `SERVERLESS=true` where it mounts no
   *   host paths).
   * - `SERVERLESS=true`: the image's entrypoint quits unless `/host/proc` and `/host/sys` are mounted, except when
   *   `SERVERLESS`, `EKS_FARGATE` or `GKE_AUTOPILOT` is set, and quits without `KEY`:
   *   https://github.com/site24x7/docker-agent (entrypoint.sh). Fargate has no host mounts.
   * - writable root filesystem: that entrypoint downloads and installs the agent into /opt at start (from the
   *   Site24x7 data centre the key's prefix names), so it also needs internet egress (the NAT).
   */
  private addSite24x7Agent(config: Site24x7Config): void {
    const deviceKey = secretsmanager.Secret.fromSecretNameV2(this, 'Site24x7DeviceKey', config.keySecretName);
    this.taskDefinition.addContainer('site24x7-agent', {
      image: ecs.ContainerImage.fromRegistry(config.image),
      essential: false,
      cpu: config.cpu,
      memoryReservationMiB: config.memoryReservationMiB,
      memoryLimitMiB: config.memoryMiB,
      readonlyRootFilesystem: false,
      environment: { SERVERLESS: 'true' },
      secrets: { KEY: ecs.Secret.fromSecretsManager(deviceKey) },
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'site24x7',
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
      }),
    });
    const { region, account } = Stack.of(this);
    const policy = this.executionRole.node.tryFindChild('DefaultPolicy');
    if (policy) {
      acknowledge(
        policy,
        `AwsSolutions-IAM5[Resource::arn:aws:secretsmanager:${region}:${account}:secret:${config.keySecretName}-??????]`,
        'The Site24x7 key secret is created by hand (README); Secrets Manager appends a random 6-character suffix to its ARN.',
      );
    }
  }
}
