// `npm run bootstrap -- --env <dev|staging|prod|shared> [cdk bootstrap options]`: the one bootstrap command.
// Environment accounts get CDK's template with the bounded execution role (execution-boundary.ts) and trust the
// shared account (the pipeline's roles live there); the shared account gets CDK's plain template, because its
// execution role must create the GitHub roles, and no pipeline role may assume its CDK roles
// (lib/constructs/github-deploy.ts; test/github-deploy.test.ts). An environment in the shared account (the
// one-account trial, config/account-model.ts) is that same bootstrap: one CDK bootstrap stack per account and region.
import { accountModelProblems } from '../../config/account-model.ts';
import { PLACEHOLDER_ACCOUNT } from '../../config/environments.ts';
import { accountVariable } from '../../config/settings.ts';
import type { NodeappConfig } from '../../config/types.ts';
import { UsageError } from '../app.ts';
import { executionRoleBounded } from './execution-boundary.ts';

/** The execution policy: AdministratorAccess, bounded by the boundary (an IAM boundary only ever removes rights). */
export const EXECUTION_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

/** `--env <name>` / `--env=<name>` and the remaining arguments (passed to cdk bootstrap). */
function takeEnv(args: readonly string[]): { env?: string; rest: string[] } {
  const rest: string[] = [];
  let env: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--env') env = args[++i];
    else if (arg.startsWith('--env=')) env = arg.slice('--env='.length);
    else rest.push(arg);
  }
  return { env, rest };
}

/** Arguments for `cdk` (after the binary), or a UsageError naming the problem. */
export function bootstrapArguments(args: readonly string[], config: NodeappConfig, templatePath: string): string[] {
  const names = ['shared', ...config.environments.map((e) => e.name)];
  const { env, rest } = takeEnv(args);
  if (!env || !names.includes(env)) {
    throw new UsageError(`npm run bootstrap needs --env <${names.join('|')}> (got ${env ?? 'none'})`);
  }
  const { shared } = config;
  const target = env === 'shared' ? shared : config.environments.find((e) => e.name === env);
  if (!target) throw new UsageError(`unknown environment ${env}`);
  const problems = [
    ...(target.account === PLACEHOLDER_ACCOUNT ? [`${accountVariable(env)} is not set`] : []),
    ...(env !== 'shared' && shared.account === PLACEHOLDER_ACCOUNT ? [`${accountVariable('shared')} is not set`] : []),
  ];
  problems.push(...accountModelProblems(config));
  if (problems.length > 0) throw new UsageError(`refusing to bootstrap ${env}:\n  ${problems.join('\n  ')}`);
  const common = ['bootstrap', `aws://${target.account}/${target.region}`, '--qualifier', shared.cdkBootstrapQualifier];
  // The shared account, and an environment allowed to share it (the one-account trial; accountModelProblems has
  // refused staging and prod there): CDK's plain template, whose execution role can create the GitHub roles.
  if (env === 'shared' || !executionRoleBounded(target.account, shared.account)) {
    return [...common, '--cloudformation-execution-policies', EXECUTION_POLICY, ...rest];
  }
  return [
    ...common,
    '--template',
    templatePath,
    '--trust',
    shared.account,
    '--trust-for-lookup',
    shared.account,
    '--cloudformation-execution-policies',
    EXECUTION_POLICY,
    ...rest,
  ];
}
