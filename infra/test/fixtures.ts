// Small fixtures for construct tests: a fresh Stack with a VPC, an internal ALB with a listener and a log bucket,
// the checked-in config for explicit props, and a service (cluster, task definition, AppService) built from its
// constructs, so a construct can be built alone with explicit props (no whole app, no other stacks).
import assert from 'node:assert/strict';
import { loadServiceContract, type ServiceContract } from '@nodeapp/contract';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicediscovery from 'aws-cdk-lib/aws-servicediscovery';
import { loadConfig } from '../config/environments.ts';
import { names } from '../config/names.ts';
import type { EnvironmentConfig, NodeappConfig } from '../config/types.ts';
import type { SmokeRequest } from '../lambda/smoke-hook/index.ts';
import { AppService } from '../lib/constructs/app-service.ts';
import { AppTaskDefinition } from '../lib/constructs/app-task-definition.ts';
import { Cluster } from '../lib/constructs/cluster.ts';
import { Ec2Capacity } from '../lib/constructs/ec2-capacity.ts';
import { pinnedImage } from '../lib/images.ts';
import { cdkJsonContext, testOutdir } from './helpers.ts';

export const FIXTURE_ENV = { account: '123456789012', region: 'us-east-1' };

/** The guestbook's contract (app/service.json): the default service. */
export const GUESTBOOK: ServiceContract = loadServiceContract('app');

/**
 * A fresh Stack in its own App with cdk.json's context, so the construct synthesizes with the project's feature
 * flags (without them, e.g. IAM statements are not merged as in the real stacks).
 */
export function fixtureStack(env: { account: string; region: string } = FIXTURE_ENV): Stack {
  return new Stack(new App({ outdir: testOutdir(), context: { ...cdkJsonContext } }), 'Fixture', { env });
}

/**
 * Two AZs, public and private-with-egress subnets, one NAT gateway: what the service constructs select; with
 * `isolated`, also isolated subnets (the database's).
 */
export function fixtureVpc(stack: Stack, options: { isolated?: boolean } = {}): ec2.Vpc {
  return new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      ...(options.isolated ? [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] : []),
    ],
  });
}

export interface AlbFixture {
  readonly stack: Stack;
  readonly vpc: ec2.Vpc;
  readonly alb: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly logBucket: s3.Bucket;
}

/** fixtureVpc and an internal ALB listening on 80 (fixed 404 by default). */
export function albFixture(): AlbFixture {
  const stack = fixtureStack();
  const vpc = fixtureVpc(stack);
  const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
  const listener = alb.addListener('Http', {
    port: 80,
    open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404),
  });
  const logBucket = new s3.Bucket(stack, 'Logs', { objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED });
  return { stack, vpc, alb, listener, logBucket };
}

/** The checked-in configuration (no account variables): explicit props for a construct, e.g. `envConfig('prod').service`. */
export const fixtureConfig: NodeappConfig = loadConfig({});

export function envConfig(name: string): EnvironmentConfig {
  return fixtureConfig.environments.find((e) => e.name === name) ?? assert.fail(`no environment ${name}`);
}

/** A Cloud Map private DNS namespace in the fixture VPC (what the service registers in). */
export function fixtureNamespace(stack: Stack, vpc: ec2.IVpc): servicediscovery.PrivateDnsNamespace {
  return new servicediscovery.PrivateDnsNamespace(stack, 'Namespace', { vpc, name: 'nodeapp.internal' });
}

/** The app task definition of one environment's config, by a fixed digest from the shared registry. */
export function fixtureTask(
  stack: Stack,
  config: EnvironmentConfig,
  options: {
    digest?: string;
    version?: string;
    environment?: Record<string, string>;
    secrets?: Record<string, ecs.Secret>;
    service?: ServiceContract;
  } = {},
): AppTaskDefinition {
  const n = names(config.name);
  return new AppTaskDefinition(stack, 'Task', {
    config: config.service,
    service: options.service ?? GUESTBOOK,
    image: pinnedImage(stack, 'AppImage', fixtureConfig.shared, 'app', options.digest ?? FIXTURE_DIGEST),
    version: options.version ?? 'abc1234',
    environment: options.environment ?? { DATA_DIR: '/tmp/data' },
    secrets: options.secrets,
    retainData: config.retainData,
    namePrefix: n.prefix,
    logGroupName: n.appLogGroup,
    site24x7: config.site24x7,
    launchType: config.capacity,
  });
}

export const FIXTURE_SMOKE_REQUESTS = [
  { path: '/health/ready', method: 'GET', status: 200, contentType: 'application/json' },
] as const satisfies readonly SmokeRequest[];

export const FIXTURE_DIGEST = `sha256:${'ab'.repeat(32)}`;

export interface ServiceFixture extends AlbFixture {
  readonly cluster: Cluster;
  readonly ec2Capacity?: Ec2Capacity;
  readonly task: AppTaskDefinition;
  readonly appService: AppService;
}

/**
 * One environment's service built from its parts with explicit props: fixtureVpc, the internal ALB fixture, the
 * Cluster construct (ECS Exec key and log group when config says so), EC2 capacity when config capacity is 'ec2',
 * the app task definition and AppService. No other stack, no Edge, alarms or budget.
 */
export function serviceFixture(
  config: EnvironmentConfig,
  options: { digest?: string; service?: ServiceContract } = {},
): ServiceFixture {
  const service = options.service ?? GUESTBOOK;
  const base = albFixture();
  const { stack, vpc, listener } = base;
  const n = names(config.name);
  const cluster = new Cluster(stack, 'Cluster', {
    vpc,
    clusterName: n.cluster,
    containerInsights: config.service.containerInsights,
    ecsExec: config.service.ecsExec,
    logRetentionDays: config.service.logRetentionDays,
    retainData: config.retainData,
  });
  const ec2Capacity =
    config.capacity === 'ec2'
      ? new Ec2Capacity(stack, 'Ec2Capacity', {
          config: config.ec2,
          cpuArchitecture: config.service.cpuArchitecture,
          cluster: cluster.cluster,
          vpc,
        })
      : undefined;
  const task = fixtureTask(stack, config, { ...options, service });
  const appService = new AppService(stack, 'App', {
    config: config.service,
    service,
    cluster: cluster.cluster,
    vpc,
    task,
    listener,
    namespace: fixtureNamespace(stack, vpc),
    execLogGroup: cluster.execLogGroup,
    ec2CapacityProvider: ec2Capacity?.capacityProvider,
    deployment: config.deployment,
    smokeRequests: FIXTURE_SMOKE_REQUESTS,
    hookLogRetentionDays: config.service.logRetentionDays,
  });
  return { ...base, cluster, ec2Capacity, task, appService };
}
