// `npm run up -- --env <name>`: from AWS credentials to a URL in one command (docs/deploy.md "First deploy").
// settings → preflight → bootstrap → shared stacks → images → deploy → smoke test → summary; see run.ts for how
// steps are skipped, resumed and dry-run.
import { fileURLToPath } from 'node:url';
import { serviceFolderFromEnv } from '@nodeapp/contract';
import { loadConfig } from '../../config/environments.ts';
import { ConfigError, validateConfig } from '../../config/validate.ts';
import { UsageError } from '../app.ts';
import { type CommandSpec, helpText, parseCommand, wantsHelp } from '../cli-args.ts';
import { Cloud } from './aws.ts';
import type { Step, StepContext, UpOptions } from './context.ts';
import { runSteps } from './run.ts';
import { preflightStep, settingsStep } from './steps/checks.ts';
import { gitSource, type ImagesDeps, imagesStep } from './steps/images.ts';
import { smokeStep, summaryStep } from './steps/report.ts';
import { bootstrapStep, deployStep, sharedStacksStep } from './steps/stacks.ts';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const UP: CommandSpec = {
  usage: 'npm run up -- --env <dev|staging|prod> [--dry-run] [--service <folder>] [--shared-profile <profile>]',
  summary:
    "Deploys one environment from AWS credentials: settings check, preflight, CDK bootstrap where missing, the shared stacks where missing, every image built with Docker, smoke-tested and pushed under a local- tag, the environment's stacks, the deploy smoke test. Re-running skips what AWS shows done; a failure prints the command that resumes.",
  options: {
    env: { type: 'string', value: 'name', help: 'the environment to deploy (required)' },
    'dry-run': { type: 'boolean', help: 'print every step and every AWS change it would make; change nothing' },
    service: {
      type: 'string',
      value: 'folder',
      help: 'the service folder with service.json (default: NODEAPP_SERVICE, else app)',
    },
    'shared-profile': {
      type: 'string',
      value: 'profile',
      help: "AWS profile for the shared account's steps when it is not the environment's account",
    },
  },
  settings: true,
};

export interface MainDeps {
  readonly print?: (line: string) => void;
  readonly processEnv?: NodeJS.ProcessEnv;
  /** The commit and work-tree state (default: git in the repository). */
  readonly source?: ImagesDeps['source'];
  readonly now?: () => Date;
}

/** Parses the shared options of up and down: the environment must be a configured one. */
export function commonOptions(
  spec: CommandSpec,
  args: readonly string[],
  environments: readonly string[],
  processEnv: NodeJS.ProcessEnv,
): { options: UpOptions; values: Record<string, string | boolean | undefined> } {
  const { values } = parseCommand(spec, args);
  const env = values.env;
  if (typeof env !== 'string' || !environments.includes(env)) {
    throw new UsageError(`--env must be one of ${environments.join(', ')} (got ${env ?? 'none'})`);
  }
  return {
    values,
    options: {
      env,
      dryRun: values['dry-run'] === true,
      service: typeof values.service === 'string' ? values.service : serviceFolderFromEnv(processEnv),
      sharedProfile: typeof values['shared-profile'] === 'string' ? values['shared-profile'] : undefined,
    },
  };
}

/** The command that resumes: the same command without --dry-run. */
export function resumeCommand(command: 'up' | 'down', options: UpOptions, extra: string[] = []): string {
  return [
    `npm run ${command} -- --env ${options.env}`,
    ...extra,
    ...(options.service !== 'app' ? [`--service ${options.service}`] : []),
    ...(options.sharedProfile ? [`--shared-profile ${options.sharedProfile}`] : []),
  ].join(' ');
}

/** Builds the step context, or prints the usage/config problem and returns the exit code. */
export function startCommand(
  spec: CommandSpec,
  args: readonly string[],
  deps: MainDeps,
): { ctx: StepContext; values: Record<string, string | boolean | undefined> } | number {
  const print = deps.print ?? ((line: string) => console.log(line));
  const processEnv = deps.processEnv ?? process.env;
  if (wantsHelp(args)) {
    print(helpText(spec));
    return 0;
  }
  try {
    const config = validateConfig(loadConfig(processEnv));
    const { options, values } = commonOptions(
      spec,
      args,
      config.environments.map((e) => e.name),
      processEnv,
    );
    const env = config.environments.find((e) => e.name === options.env);
    if (!env) throw new UsageError(`unknown environment ${options.env}`);
    const target = new Cloud(env.region);
    const shared =
      env.account === config.shared.account ? target : new Cloud(config.shared.region, options.sharedProfile);
    return { ctx: { options, config, env, root: ROOT, print, processEnv, cloud: { target, shared } }, values };
  } catch (error) {
    if (!(error instanceof UsageError || error instanceof ConfigError)) throw error;
    print(error.message);
    return 1;
  }
}

export function upSteps(deps: ImagesDeps): Step[] {
  return [
    settingsStep,
    preflightStep,
    bootstrapStep,
    sharedStacksStep,
    imagesStep(deps),
    deployStep,
    smokeStep,
    summaryStep,
  ];
}

export async function upMain(args: readonly string[], deps: MainDeps = {}): Promise<number> {
  const started = startCommand(UP, args, deps);
  if (typeof started === 'number') return started;
  const { ctx } = started;
  const steps = upSteps({ source: deps.source ?? gitSource(ROOT), now: deps.now ?? (() => new Date()) });
  return runSteps(steps, ctx, resumeCommand('up', ctx.options));
}
