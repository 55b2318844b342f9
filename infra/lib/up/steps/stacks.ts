// The steps that run the CDK CLI: bootstrap where missing, the shared stacks where missing, the environment's stacks.
// Each asks AWS whether its work is done (SSM bootstrap version, stack status, the digests the task definitions run).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { digestContextKey, IMAGE_NAMES } from '../../../config/images.ts';
import { names } from '../../../config/names.ts';
import { bootstrapRequirement } from '../../../preflight/requirements.ts';
import { bootstrapArguments } from '../../bootstrap/bootstrap-command.ts';
import { boundedBootstrapTemplate } from '../../bootstrap/execution-boundary.ts';
import { deployArguments, deploySharedArguments, sharedStacksFor } from '../../deploy-command.ts';
import { type Cloud, isSettled } from '../aws.ts';
import { type Step, type StepContext, StepError } from '../context.ts';
import { cdkCommand, run } from '../process.ts';

/** Runs the CDK CLI in infra/ with these arguments; a non-zero exit is the step's failure. */
async function cdk(ctx: StepContext, args: readonly string[], side: 'shared' | 'target'): Promise<void> {
  const [command, ...lead] = cdkCommand(ctx.processEnv);
  const profile = side === 'shared' ? ctx.options.sharedProfile : undefined;
  const env = { ...ctx.processEnv, CDK_DISABLE_CLI_TELEMETRY: 'true', ...(profile ? { AWS_PROFILE: profile } : {}) };
  ctx.print(`  $ cdk ${args.join(' ')}`);
  const result = await run(command, [...lead, ...args], { env, cwd: join(ctx.root, 'infra'), capture: false });
  if (result.status !== 0) throw new StepError(`cdk ${args[0]} exited ${result.status} (its output is above)`);
}

interface BootstrapTarget {
  readonly name: string;
  readonly account: string;
  readonly cloud: Cloud;
  readonly side: 'shared' | 'target';
}

/** The accounts to bootstrap: the shared one, and the environment's when it is another. */
function bootstrapTargets(ctx: StepContext): BootstrapTarget[] {
  const shared = {
    name: 'shared',
    account: ctx.config.shared.account,
    cloud: ctx.cloud.shared,
    side: 'shared' as const,
  };
  if (ctx.env.account === shared.account) return [shared];
  return [shared, { name: ctx.env.name, account: ctx.env.account, cloud: ctx.cloud.target, side: 'target' }];
}

async function missingBootstraps(ctx: StepContext): Promise<BootstrapTarget[]> {
  const { parameterName, minimumVersion } = bootstrapRequirement(
    ctx.config.shared.cdkBootstrapQualifier,
    ctx.env.region,
  );
  const missing: BootstrapTarget[] = [];
  for (const target of bootstrapTargets(ctx)) {
    const version = Number(await target.cloud.parameter(parameterName));
    if (!(Number.isInteger(version) && version >= minimumVersion)) missing.push(target);
  }
  return missing;
}

function bootstrapArgs(ctx: StepContext, target: BootstrapTarget): string[] {
  const templatePath = join(mkdtempSync(join(tmpdir(), 'nodeapp-bootstrap-')), 'bootstrap-template.yaml');
  const args = bootstrapArguments(['--env', target.name], ctx.config, templatePath);
  if (args.includes(templatePath)) writeFileSync(templatePath, stringify(boundedBootstrapTemplate()));
  return args;
}

export const bootstrapStep: Step = {
  name: 'bootstrap',
  async done(ctx) {
    const missing = await missingBootstraps(ctx);
    if (missing.length > 0) return undefined;
    return `${bootstrapTargets(ctx)
      .map((t) => t.account)
      .join(', ')} bootstrapped`;
  },
  async plan(ctx) {
    return (await missingBootstraps(ctx)).map(
      (t) =>
        `run cdk bootstrap aws://${t.account}/${ctx.env.region} (creates the CDKToolkit stack: S3 bucket, ECR repository, 5 IAM roles, SSM version parameter)`,
    );
  },
  async run(ctx) {
    for (const target of await missingBootstraps(ctx)) await cdk(ctx, bootstrapArgs(ctx, target), target.side);
  },
};

async function missingStacks(cloud: Cloud, stacks: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const stack of stacks) {
    const state = await cloud.stack(stack);
    if (!state || !isSettled(state.status)) missing.push(stack);
  }
  return missing;
}

export const sharedStacksStep: Step = {
  name: 'shared stacks',
  async done(ctx) {
    const stacks = sharedStacksFor(ctx.config);
    if ((await missingStacks(ctx.cloud.shared, stacks)).length > 0) return undefined;
    return `${stacks.join(', ')} deployed (update them with npm run deploy-shared)`;
  },
  async plan(ctx) {
    const missing = await missingStacks(ctx.cloud.shared, sharedStacksFor(ctx.config));
    const lines = missing.map((s) => `create or update stack ${s} in ${ctx.config.shared.account}`);
    if (!sharedStacksFor(ctx.config).includes('NodeappGithubDeploy')) {
      lines.push('leave out NodeappGithubDeploy (NODEAPP_GITHUB_REPOSITORY not set)');
    }
    return lines;
  },
  async run(ctx) {
    await cdk(ctx, deploySharedArguments([], ctx.config), 'shared');
  },
};

/** The environment's stacks, in deploy order. */
export function environmentStacks(ctx: StepContext): string[] {
  const n = names(ctx.env.name);
  return [n.networkStack, ...(ctx.env.database === 'rds' ? [n.dataStack] : []), n.serviceStack, n.monitoringStack];
}

/** Digests of the release that no task definition of the environment runs yet. */
async function digestsNotRunning(ctx: StepContext): Promise<string[]> {
  const digests = ctx.release?.digests;
  if (!digests) return IMAGE_NAMES.map((n) => `${n} (not pushed yet)`);
  const running = new Set<string>();
  for (const stack of environmentStacks(ctx)) {
    for (const arn of await ctx.cloud.target.stackResources(stack, 'AWS::ECS::TaskDefinition')) {
      for (const image of await ctx.cloud.target.taskDefinitionImages(arn)) running.add(image.split('@')[1] ?? '');
    }
  }
  return IMAGE_NAMES.filter((n) => !running.has(digests[n]));
}

export const deployStep: Step = {
  name: 'deploy',
  async done(ctx) {
    const stacks = environmentStacks(ctx);
    if ((await missingStacks(ctx.cloud.target, stacks)).length > 0) return undefined;
    if ((await digestsNotRunning(ctx)).length > 0) return undefined;
    return `${stacks.join(', ')} run the images of ${ctx.release?.tag}`;
  },
  async plan(ctx) {
    const missing = await missingStacks(ctx.cloud.target, environmentStacks(ctx));
    return [
      ...missing.map((s) => `create stack ${s} in ${ctx.env.account}`),
      ...environmentStacks(ctx)
        .filter((s) => !missing.includes(s))
        .map((s) => `update stack ${s} in ${ctx.env.account}`),
      `deploy images ${ctx.release?.tag ?? '(the images step’s tag)'} by digest`,
    ];
  },
  async run(ctx) {
    const release = ctx.release;
    if (!release?.digests) throw new StepError('no image digests: the images step did not finish');
    const digests = release.digests;
    const args = deployArguments(
      [
        '-c',
        `env=${ctx.env.name}`,
        '-c',
        `imageTag=${release.tag}`,
        ...IMAGE_NAMES.flatMap((n) => ['-c', `${digestContextKey(n)}=${digests[n]}`]),
      ],
      ctx.config,
    );
    await cdk(ctx, args, 'target');
  },
};
