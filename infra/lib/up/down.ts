// `npm run down -- --env <name> [--all]`: the inverse of up. Deletes the environment's stacks; with --all (a
// one-account trial only) also the shared stacks and the images. Asks for the environment's name first (or
// --confirm <name>), and says what AWS keeps afterwards and why.

import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { isOneAccountTrial } from '../../config/account-model.ts';
import { PLACEHOLDER_ACCOUNT } from '../../config/environments.ts';
import { IMAGE_NAMES, IMAGES } from '../../config/images.ts';
import { names } from '../../config/names.ts';
import type { CommandSpec } from '../cli-args.ts';
import { placeholderProblems, SHARED_STACKS } from '../deploy-command.ts';
import { type Step, type StepContext, StepError } from './context.ts';
import { type MainDeps, resumeCommand, startCommand } from './main.ts';
import { cdkCommand, run } from './process.ts';
import { runSteps } from './run.ts';
import { environmentStacks } from './steps/stacks.ts';

export const DOWN: CommandSpec = {
  usage: 'npm run down -- --env <dev|staging|prod> [--all] [--confirm <name>] [--dry-run]',
  summary:
    "Deletes the environment's stacks; with --all (one-account trial only) also the shared stacks and the ECR repositories with their images. Prints what AWS keeps (final RDS snapshots, retained buckets, logs and keys) and why.",
  options: {
    env: { type: 'string', value: 'name', help: 'the environment to delete (required)' },
    all: {
      type: 'boolean',
      help: 'also the shared stacks and every image (only when the environment shares the shared account)',
    },
    confirm: { type: 'string', value: 'name', help: 'the environment name, typed in advance (otherwise asked)' },
    'dry-run': { type: 'boolean', help: 'print what would be deleted; delete nothing' },
  },
  settings: true,
};

async function existing(ctx: StepContext, stacks: readonly string[], side: 'target' | 'shared'): Promise<string[]> {
  const found: string[] = [];
  for (const stack of stacks) if (await ctx.cloud[side].stack(stack)) found.push(stack);
  return found;
}

async function destroy(ctx: StepContext, stacks: readonly string[], side: 'target' | 'shared'): Promise<void> {
  const [command, ...lead] = cdkCommand(ctx.processEnv);
  // imageTag only satisfies synthesis (the digests default to the placeholder): nothing is deployed.
  const args = ['destroy', '--force', '--no-notices', '-c', `env=${ctx.env.name}`, '-c', 'imageTag=destroy', ...stacks];
  const profile = side === 'shared' ? ctx.options.sharedProfile : undefined;
  const env = { ...ctx.processEnv, CDK_DISABLE_CLI_TELEMETRY: 'true', ...(profile ? { AWS_PROFILE: profile } : {}) };
  ctx.print(`  $ cdk ${args.join(' ')}`);
  const result = await run(command, [...lead, ...args], { env, cwd: join(ctx.root, 'infra'), capture: false });
  if (result.status !== 0) throw new StepError(`cdk destroy exited ${result.status} (its output is above)`);
}

function settingsStep(all: boolean): Step {
  return {
    name: 'settings',
    readOnly: true,
    async run(ctx) {
      const problems = placeholderProblems(ctx.config, ['shared', ctx.env.name]);
      if (all && !isOneAccountTrial(ctx.config, ctx.env.name)) {
        problems.push(
          `--all deletes the shared account's registry and roles: only for a one-account trial (${ctx.env.name} is not in the shared account)`,
        );
      }
      if (problems.length > 0) throw new StepError(problems.join('; '));
    },
  };
}

function confirmStep(typed: string | undefined): Step {
  return {
    name: 'confirm',
    readOnly: true,
    async run(ctx) {
      if (ctx.options.dryRun) return;
      let answer = typed;
      if (answer === undefined) {
        if (!process.stdin.isTTY) throw new StepError(`no terminal to ask: pass --confirm ${ctx.env.name}`);
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        answer = (await rl.question(`  type ${ctx.env.name} to delete its stacks: `)).trim();
        rl.close();
      }
      if (answer !== ctx.env.name)
        throw new StepError(`confirmation "${answer}" is not ${ctx.env.name}: nothing deleted`);
    },
  };
}

const environmentStep: Step = {
  name: 'environment stacks',
  async done(ctx) {
    return (await existing(ctx, environmentStacks(ctx), 'target')).length === 0
      ? `no ${names(ctx.env.name).stackPattern} stack exists`
      : undefined;
  },
  async plan(ctx) {
    return (await existing(ctx, environmentStacks(ctx), 'target')).map((s) => `delete stack ${s}`);
  },
  async run(ctx) {
    await destroy(ctx, [names(ctx.env.name).stackPattern], 'target');
  },
};

/** Other environments still deployed in the shared account would lose their images. */
async function otherEnvironments(ctx: StepContext): Promise<string[]> {
  const others = ctx.config.environments.filter(
    (e) => e.name !== ctx.env.name && e.account !== PLACEHOLDER_ACCOUNT && e.account === ctx.config.shared.account,
  );
  const found: string[] = [];
  for (const e of others) if (await ctx.cloud.shared.stack(names(e.name).serviceStack)) found.push(e.name);
  return found;
}

const sharedStep: Step = {
  name: 'shared stacks',
  async done(ctx) {
    return (await existing(ctx, SHARED_STACKS, 'shared')).length === 0 ? 'no shared stack exists' : undefined;
  },
  async plan(ctx) {
    return (await existing(ctx, SHARED_STACKS, 'shared')).map((s) => `delete stack ${s}`);
  },
  async run(ctx) {
    const others = await otherEnvironments(ctx);
    if (others.length > 0) throw new StepError(`${others.join(', ')} still run from this registry: down them first`);
    await destroy(ctx, await existing(ctx, SHARED_STACKS, 'shared'), 'shared');
  },
};

async function existingRepositories(ctx: StepContext): Promise<string[]> {
  const found: string[] = [];
  for (const n of IMAGE_NAMES) {
    const repository = IMAGES[n].repositoryName;
    if (await ctx.cloud.shared.repositoryExists(repository)) found.push(repository);
  }
  return found;
}

// The repositories outlive their stack (RemovalPolicy.RETAIN, lib/constructs/registry.ts); a later `up` would fail
// to create them again under the same names, so --all deletes them with their images.
const imagesStep: Step = {
  name: 'images',
  async done(ctx) {
    return (await existingRepositories(ctx)).length === 0 ? 'no ECR repository left' : undefined;
  },
  async plan(ctx) {
    return (await existingRepositories(ctx)).map((r) => `delete ECR repository ${r} and every image in it`);
  },
  async run(ctx) {
    for (const repository of await existingRepositories(ctx)) {
      await ctx.cloud.shared.deleteRepository(repository);
      ctx.print(`  deleted ECR repository ${repository}`);
    }
  },
};

/** What AWS keeps after the stacks are gone, and why: from the environment's config. */
export function retainedResources(ctx: StepContext, all: boolean): string[] {
  const { env } = ctx;
  const kept: string[] = [];
  if (env.database === 'rds' && env.rds.finalSnapshot) {
    kept.push(
      `a final RDS snapshot of ${env.name}'s database and its KMS key (rds.finalSnapshot: the data is restorable; delete the snapshot in the RDS console when it is no longer needed)`,
    );
  }
  if (env.retainData) {
    kept.push(
      `${env.name}'s log groups, access-log buckets and KMS keys (retainData: audit trail; a later up creates new ones beside them)`,
    );
  }
  if (!all)
    kept.push(
      'the shared stacks and the images (other environments and the pipeline use them; --all removes them in a one-account trial)',
    );
  kept.push(
    'the CDK bootstrap stack CDKToolkit (any CDK app of the account uses it; delete it in the CloudFormation console if none does)',
  );
  return kept;
}

function retainedStep(all: boolean): Step {
  return {
    name: 'what AWS keeps',
    readOnly: true,
    async run(ctx) {
      for (const line of retainedResources(ctx, all)) ctx.print(`  kept: ${line}`);
    },
  };
}

export async function downMain(args: readonly string[], deps: MainDeps = {}): Promise<number> {
  const started = startCommand(DOWN, args, deps);
  if (typeof started === 'number') return started;
  const { ctx, values } = started;
  const all = values.all === true;
  const confirm = typeof values.confirm === 'string' ? values.confirm : undefined;
  const steps = [
    settingsStep(all),
    confirmStep(confirm),
    environmentStep,
    ...(all ? [sharedStep, imagesStep] : []),
    retainedStep(all),
  ];
  return runSteps(steps, ctx, resumeCommand('down', ctx.options, all ? ['--all'] : []));
}
