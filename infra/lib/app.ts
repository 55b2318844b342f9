// The one builder of every Nodeapp stack: the shared registry and GitHub deploy stacks, then per environment
// Network → Data → Service → Monitoring. bin/nodeapp.ts, the tests and the cost estimate all call buildApp, so what
// is tested and estimated is what deploys.
import { loadServiceContract, type ServiceContract, serviceFolderFromEnv } from '@nodeapp/contract';
import { type App, PermissionsBoundary, type Stack, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from '../config/environments.ts';
import { names } from '../config/names.ts';
import type { EnvironmentConfig, NodeappConfig } from '../config/types.ts';
import { validateConfig } from '../config/validate.ts';
import { boundaryPolicyName, executionRoleBounded } from './bootstrap/execution-boundary.ts';
import { imageDigestsFromContext } from './images.ts';
import { DataStack } from './stacks/data-stack.ts';
import { GithubDeployStack } from './stacks/github-deploy-stack.ts';
import { MonitoringStack } from './stacks/monitoring-stack.ts';
import { NetworkStack } from './stacks/network-stack.ts';
import { RegistryStack } from './stacks/registry-stack.ts';
import { ServiceStack } from './stacks/service-stack.ts';

/** A bad `-c` option: the CLI entry prints the message and exits 1 instead of a stack trace. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * Version label synthesized when no `-c imageTag=<git-sha>` is given. The tag only labels the release (APP_VERSION,
 * GIT_COMMIT); images are pulled by digest (`-c <name>ImageDigest=`, config/images.ts). Deploys must pass both.
 */
export const PLACEHOLDER_IMAGE_TAG = 'latest-synth';

export interface EnvironmentStacks {
  readonly config: EnvironmentConfig;
  readonly network: NetworkStack;
  /** Absent when config database is 'none' or the service's contract has no database. */
  readonly data?: DataStack;
  readonly service: ServiceStack;
  readonly monitoring: MonitoringStack;
}

export interface NodeappStacks {
  readonly config: NodeappConfig;
  /** The services every environment runs, from their contracts (one today). */
  readonly services: readonly ServiceContract[];
  readonly registry: RegistryStack;
  readonly githubDeploy: GithubDeployStack;
  readonly environments: ReadonlyMap<string, EnvironmentStacks>;
  /** Each environment's Monitoring stack (also in `environments`), by environment name. */
  readonly monitoring: ReadonlyMap<string, MonitoringStack>;
}

export interface BuildOptions {
  /** Defaults to loadConfig() (accounts from NODEAPP_ACCOUNT_*). */
  readonly config?: NodeappConfig;
  /** Run cdk-nag AwsSolutions on the whole app (default true). */
  readonly nag?: boolean;
  /** Static files served by CloudFront.
   * @default - the contract's staticSite */
  readonly staticAssetsPath?: string;
  /** The service to deploy.
   * @default - the contract of the folder `-c service=<folder>` names, else NODEAPP_SERVICE's, else app/ */
  readonly service?: ServiceContract;
}

function tag(stack: Stack, environment: string, tags: { owner: string; costCenter: string }): void {
  Tags.of(stack).add('Project', 'nodeapp');
  Tags.of(stack).add('Environment', environment);
  Tags.of(stack).add('Owner', tags.owner);
  Tags.of(stack).add('CostCenter', tags.costCenter);
}

/**
 * Pins every environment's AZs in context so no stack ever asks AWS for them. Called before any stack exists
 * (context cannot change once the app has children); environments sharing an account/region get the union.
 */
function pinAvailabilityZones(app: App, envs: readonly EnvironmentConfig[]): void {
  const wanted = new Map<string, Set<string>>();
  for (const e of envs) {
    const key = `availability-zones:account=${e.account}:region=${e.region}`;
    wanted.set(key, new Set([...(wanted.get(key) ?? []), ...e.network.availabilityZones]));
  }
  for (const [key, azs] of wanted) {
    const existing = app.node.tryGetContext(key) as string[] | undefined;
    if (existing === undefined) {
      app.node.setContext(key, [...azs].sort());
    } else if (![...azs].every((az) => existing.includes(az))) {
      throw new Error(`cdk.json context ${key} (${existing.join(', ')}) lacks configured AZs ${[...azs].join(', ')}`);
    }
  }
}

export function buildApp(app: App, options: BuildOptions = {}): NodeappStacks {
  const config = validateConfig(options.config ?? loadConfig());
  const selected = app.node.tryGetContext('env') as string | undefined;
  const envs = selected ? config.environments.filter((e) => e.name === selected) : config.environments;
  if (selected && envs.length === 0) {
    const known = config.environments.map((e) => e.name).join(', ');
    throw new UsageError(`-c env=${selected}: unknown environment (expected one of ${known})`);
  }

  // A bad contract throws ContractError (one line per field): bin/nodeapp.ts prints it without a stack trace.
  const service =
    options.service ??
    loadServiceContract((app.node.tryGetContext('service') as string | undefined) ?? serviceFolderFromEnv());
  const services = [service];

  const imageTag = (app.node.tryGetContext('imageTag') as string | undefined) ?? PLACEHOLDER_IMAGE_TAG;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(imageTag)) {
    throw new UsageError(`-c imageTag=${imageTag}: not a valid image tag (letters, digits, _ . -; at most 128)`);
  }
  const digests = imageDigestsFromContext(app.node);
  // `-c migrateOnStart=true`: the deploy's migrate task found no service to take a task definition from (the
  // environment's first deploy); that release's tasks migrate the empty database on start (infra/bin/deploy-migrate.ts).
  const migrateOnStart = app.node.tryGetContext('migrateOnStart') === 'true';
  // Before any stack exists: context cannot be set once the app has children (a real account, absent from
  // cdk.json, would otherwise stop synth with "Cannot set context after children have been added").
  pinAvailabilityZones(app, envs);
  const { shared } = config;
  const sharedEnv = { account: shared.account, region: shared.region };
  const registry = new RegistryStack(app, 'NodeappRegistry', { env: sharedEnv, config });
  const githubDeploy = new GithubDeployStack(app, 'NodeappGithubDeploy', {
    env: sharedEnv,
    config,
  });
  tag(registry, 'shared', shared.tags);
  tag(githubDeploy, 'shared', shared.tags);

  // Every role and user of an environment stack, custom-resource providers' included, carries the boundary of the
  // account's CloudFormation execution role, the only boundary with which that role may create them
  // (lib/bootstrap/execution-boundary.ts); an environment in the shared account has an unbounded execution role and
  // no such policy (executionRoleBounded). The `permissionsBoundary` stack prop sets CDK's
  // `@aws-cdk/core:permissionsBoundary` context on the stack, which bounds every AWS::IAM::Role and AWS::IAM::User in it:
  // https://docs.aws.amazon.com/cdk/v2/guide/customize-permissions-boundaries.html,
  // https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib-readme.html#permissions-boundaries
  const boundary = PermissionsBoundary.fromName(boundaryPolicyName(shared.cdkBootstrapQualifier));
  const environments = new Map<string, EnvironmentStacks>();
  for (const envConfig of envs) {
    const env = { account: envConfig.account, region: envConfig.region };
    const permissionsBoundary = executionRoleBounded(envConfig.account, shared.account) ? boundary : undefined;
    const n = names(envConfig.name);
    const network = new NetworkStack(app, n.networkStack, { env, permissionsBoundary, config: envConfig });
    const data =
      envConfig.database === 'rds' && service.database
        ? new DataStack(app, n.dataStack, { env, permissionsBoundary, config: envConfig, vpc: network.vpc })
        : undefined;
    const serviceStack = new ServiceStack(app, n.serviceStack, {
      env,
      permissionsBoundary,
      config: envConfig,
      shared,
      vpc: network.vpc,
      namespace: network.namespace,
      services,
      appImageDigest: digests.app,
      version: imageTag,
      staticAssetsPath: options.staticAssetsPath,
      database: data?.database,
      migrateOnStart,
    });
    const monitoring = new MonitoringStack(app, n.monitoringStack, {
      env,
      permissionsBoundary,
      config: envConfig,
      shared,
      vpc: network.vpc,
      namespace: network.namespace,
      services,
      service: serviceStack,
    });
    for (const stack of [network, data, serviceStack, monitoring]) {
      if (stack) tag(stack, envConfig.name, envConfig.tags);
    }
    environments.set(envConfig.name, { config: envConfig, network, data, service: serviceStack, monitoring });
  }

  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const monitoring = new Map([...environments].map(([name, e]) => [name, e.monitoring]));
  return { config, services, registry, githubDeploy, environments, monitoring };
}
