// The first two steps of `npm run up`: the settings (no AWS call at all) and the preflight (read-only).
import { loadServiceContract } from '@nodeapp/contract';
import {
  accountModelProblems,
  isOneAccountTrial,
  ONE_ACCOUNT_TRADE_OFF,
  recipientProblems,
} from '../../../config/account-model.ts';
import { formatResult } from '../../../preflight/result.ts';
import { runPreflight } from '../../../preflight/run.ts';
import { placeholderProblems } from '../../deploy-command.ts';
import { type Step, type StepContext, StepError } from '../context.ts';
import { onPath } from '../process.ts';

/** Programs the image scripts need (scripts/image-*.sh, scripts/push-images.sh, scripts/deploy-smoke.sh). */
export const LOCAL_TOOLS = ['docker', 'skopeo', 'buildah', 'jq', 'curl', 'git'] as const;

/** Everything wrong with the settings for `up --env <env>`, before any AWS call. */
export function settingsProblems(ctx: Pick<StepContext, 'config' | 'options' | 'processEnv'>): string[] {
  const { config, options } = ctx;
  const problems = [
    ...placeholderProblems(config, ['shared', options.env]),
    ...accountModelProblems(config),
    ...recipientProblems(config, options.env),
  ];
  const split = config.environments.find((e) => e.name === options.env)?.account !== config.shared.account;
  if (split && !options.sharedProfile && !options.dryRun) {
    problems.push(
      `${options.env} and shared are separate accounts: pass --shared-profile <AWS profile of the shared account> (the current credentials are for ${options.env})`,
    );
  }
  try {
    loadServiceContract(options.service);
  } catch (error) {
    problems.push((error as Error).message.split('\n').join('; '));
  }
  const missing = LOCAL_TOOLS.filter((tool) => !onPath(tool, ctx.processEnv));
  if (missing.length > 0 && !options.dryRun) {
    problems.push(`missing on PATH: ${missing.join(', ')} (docs/deploy.md "What you need")`);
  }
  return problems;
}

export const settingsStep: Step = {
  name: 'settings',
  readOnly: true,
  async run(ctx) {
    const problems = settingsProblems(ctx);
    if (problems.length > 0) {
      for (const p of problems) ctx.print(`  ${p}`);
      throw new StepError(`${problems.length} setting(s) to fix (listed above)`);
    }
    const { config, env } = ctx;
    ctx.print(`  ${env.name}: account ${env.account}, ${env.region}; shared: account ${config.shared.account}`);
    if (isOneAccountTrial(config, env.name)) ctx.print(`  note: ${ONE_ACCOUNT_TRADE_OFF}`);
    ctx.print(`  alarm and budget e-mails: ${env.alarms.emails.join(', ')}`);
    ctx.print(`  service: ${ctx.options.service}/service.json`);
  },
};

/** Checks a first deploy is allowed to fail: what the following steps create. */
const CREATED_BY_LATER_STEPS = new Set(['bootstrap', 'execution-boundary']);

export const preflightStep: Step = {
  name: 'preflight',
  readOnly: true,
  async run(ctx) {
    const results = await runPreflight(ctx.config, ctx.env);
    for (const r of results) ctx.print(`  ${formatResult(r)}`);
    const failed = results.filter((r) => r.status === 'fail' && !CREATED_BY_LATER_STEPS.has(r.check));
    if (failed.length > 0) throw new StepError(`${failed.map((r) => r.check).join(', ')} failed (see above)`);
  },
};
