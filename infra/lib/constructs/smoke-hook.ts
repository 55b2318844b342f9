import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SmokeTest } from '@nodeapp/contract';
import { DockerImage, Duration, type ILocalBundling, type RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { SmokeRequest } from '../../lambda/smoke-hook/index.ts';
import { acknowledge } from '../nag.ts';
import { encryptedLogGroup } from './encrypted-log-group.ts';

/** The hook's TypeScript source folder (one file, Node built-ins only). */
export const SMOKE_HOOK_SOURCE = fileURLToPath(new URL('../../lambda/smoke-hook/', import.meta.url));

/** The contract's smoke tests the hook can send: those that need no edge (CloudFront, the static site). */
export function hookRequests(tests: readonly SmokeTest[]): SmokeRequest[] {
  return tests
    .filter((t) => !t.edgeOnly)
    .map(({ path, method, status, contentType }) => ({
      path,
      method,
      status,
      ...(contentType ? { contentType } : {}),
    }));
}

let compiled: string | undefined;
/**
 * Compiles the hook with the repository's TypeScript (`tsc`, no Docker, no bundler: it imports only Node built-ins)
 * into `outputDir` as an ES module. Once per process: every synth of a stack with the hook reuses the output.
 */
export function compileSmokeHook(outputDir: string): void {
  if (compiled === undefined) {
    const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
    const out = join(outputDir, '.tsc');
    // --ignoreConfig: the output folder may sit under infra/ (cdk.out), whose tsconfig.json tsc refuses beside file
    // arguments (TS5112); --noCheck: typechecking is `npm run typecheck`'s.
    const options = ['--ignoreConfig', '--outDir', out, '--module', 'nodenext', '--target', 'es2023', '--noCheck'];
    execFileSync(process.execPath, [tsc, join(SMOKE_HOOK_SOURCE, 'index.ts'), ...options, '--types', ''], {
      cwd: outputDir,
      stdio: 'pipe',
    });
    compiled = readFileSync(join(out, 'index.js'), 'utf8');
    rmSync(out, { recursive: true });
  }
  writeFileSync(join(outputDir, 'index.js'), compiled);
  // Lambda loads index.js as an ES module when the package says so:
  // https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html#nodejs-handler-esm
  writeFileSync(join(outputDir, 'package.json'), '{"type":"module"}\n');
}

const localTsc: ILocalBundling = {
  tryBundle(outputDir: string): boolean {
    compileSmokeHook(outputDir);
    return true;
  },
};

export interface SmokeHookProps {
  readonly vpc: ec2.IVpc;
  /** The test listener, e.g. `http://<internal ALB DNS name>:8080`: the new release's tasks only. */
  readonly testListenerUrl: string;
  /** The contract's smoke requests that do not need the edge (`edgeOnly: false`). */
  readonly requests: readonly SmokeRequest[];
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
  /** Encrypts the hook's log group (its policy must allow CloudWatch Logs: allowCloudWatchLogs). */
  readonly logKey: kms.IKey;
}

/**
 * The deployment lifecycle hook of the app service: a Lambda in the VPC's private subnets (the ALB is internal; the
 * CI runners cannot reach it) that ECS invokes at POST_TEST_TRAFFIC_SHIFT, when the new release holds the whole
 * test listener and none of production. It sends the smoke requests there; FAILED rolls the deployment back before
 * a single user request reaches the new release (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html).
 * `securityGroup` has no egress: the caller opens the test listener to it.
 */
export class SmokeHook extends Construct {
  readonly function: lambda.Function;
  readonly securityGroup: ec2.SecurityGroup;
  readonly target: ecs.DeploymentLifecycleLambdaTarget;

  constructor(scope: Construct, id: string, props: SmokeHookProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Deployment smoke hook: the ALB test listener only',
      allowAllOutbound: false,
    });
    const logGroup = encryptedLogGroup(this, 'Logs', {
      key: props.logKey,
      retentionDays: props.logRetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.function = new lambda.Function(this, 'Function', {
      description: 'ECS lifecycle hook: the service contract smoke requests against the test listener',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(SMOKE_HOOK_SOURCE, {
        // `image` is required by the type and never used: local bundling always succeeds or throws.
        bundling: { image: DockerImage.fromRegistry('unused-local-bundling'), local: localTsc },
      }),
      memorySize: 128,
      // 3 tries × (5 s timeout + 3 s pause) per request, a few requests: well inside a minute.
      timeout: Duration.seconds(90),
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [this.securityGroup],
      logGroup,
      environment: {
        TEST_LISTENER_URL: props.testListenerUrl,
        SMOKE_REQUESTS: JSON.stringify(props.requests),
      },
    });
    // ECS assumes this role to invoke the hook: the function itself only (CDK's default grants its versions too).
    const invokeRole = new iam.Role(this, 'InvokeRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'ECS invokes the deployment smoke hook',
    });
    invokeRole.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
    );
    this.target = new ecs.DeploymentLifecycleLambdaTarget(this.function, 'SmokeHook', {
      role: invokeRole,
      lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
    });
    const role = this.function.role;
    if (role) {
      acknowledge(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'Smoke hook: the AWS managed policy only lets the function write its own logs.',
      );
      acknowledge(
        role,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        'Smoke hook: the AWS managed policy Lambda needs to attach the function to the VPC (network interfaces).',
      );
    }
  }
}
