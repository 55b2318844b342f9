// `npm run deploy -- -c env=<env> -c imageTag=<sha> -c <name>ImageDigest=sha256:… [cdk deploy options]` (bin/deploy.ts): the cdk deploy command
// line for one environment. It deploys that environment's stacks only, all in the environment's account: the
// pipeline's deploy role of an environment may assume only that account's CDK roles (lib/constructs/github-deploy.ts).
// The shared stacks (NodeappRegistry, NodeappGithubDeploy, in the shared account) are an administrator's
// `npm run deploy-shared` (bin/deploy-shared.ts): the pipeline's own role must not be able to rewrite its trust.
import { accountModelProblems, recipientProblems } from '../config/account-model.ts';
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_GITHUB_REPOSITORY } from '../config/environments.ts';
import { DIGEST_PATTERN, digestContextKey, IMAGE_NAMES, PLACEHOLDER_DIGEST } from '../config/images.ts';
import { names } from '../config/names.ts';
import { accountVariable } from '../config/settings.ts';
import type { NodeappConfig } from '../config/types.ts';
import { PLACEHOLDER_IMAGE_TAG, UsageError } from './app.ts';

export { accountVariable };

/**
 * Synth works offline with the placeholder account; a deploy must not put it into real policies. An environment's
 * deploy needs the shared account (its images' registry) and its own; the shared stacks name the accounts listed in
 * `which` (NodeappRegistry's pull policy names only the environments whose account is set).
 */
export function placeholderProblems(config: NodeappConfig, which: readonly string[]): string[] {
  return [{ name: 'shared', account: config.shared.account }, ...config.environments]
    .filter((e) => which.includes(e.name) && e.account === PLACEHOLDER_ACCOUNT)
    .map((e) => `${accountVariable(e.name)} is not set (the placeholder account ${PLACEHOLDER_ACCOUNT} cannot deploy)`);
}

/** The value of each `-c key=value` / `--context key=value` (also `--context=key=value`) option, last one wins. */
export function contextValue(args: readonly string[], key: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    const inline = /^(?:-c|--context)=(.*)$/.exec(arg)?.[1];
    const pair = inline ?? (arg === '-c' || arg === '--context' ? args[++i] : undefined);
    if (pair?.startsWith(`${key}=`)) value = pair.slice(key.length + 1);
  }
  return value;
}

/**
 * Every image must come by a real digest: a missing `-c <name>ImageDigest=` synthesizes the placeholder
 * (sha256:000…0), which was never pushed, so ECS would fail to pull it after CloudFormation had begun the update.
 */
function digestProblems(args: readonly string[]): string[] {
  return IMAGE_NAMES.flatMap((name) => {
    const key = digestContextKey(name);
    const digest = contextValue(args, key);
    if (digest === undefined || digest === PLACEHOLDER_DIGEST)
      return [
        `-c ${key}=sha256:<64 hex> is required (the pipeline's push job prints it; the placeholder is never pushed)`,
      ];
    if (!DIGEST_PATTERN.test(digest)) return [`-c ${key}=${digest}: not an image digest (sha256:<64 lowercase hex>)`];
    return [];
  });
}

/** The stacks a deploy of `env` selects (cdk patterns): the environment's own, never a shared stack. */
export function deployedStacks(env: string): string[] {
  return [names(env).stackPattern];
}

/** Arguments for `cdk` (after the binary), or a UsageError naming what is wrong. */
export function deployArguments(args: readonly string[], config: NodeappConfig): string[] {
  const names = config.environments.map((e) => e.name);
  const env = contextValue(args, 'env');
  if (!env || !names.includes(env)) {
    throw new UsageError(`npm run deploy needs -c env=<${names.join('|')}> (got ${env ? `env=${env}` : 'none'})`);
  }
  if (args.includes('--all')) {
    throw new UsageError(
      `--all would also deploy the shared stacks: this command deploys ${deployedStacks(env).join(' ')}`,
    );
  }
  const imageTag = contextValue(args, 'imageTag');
  const problems = [
    ...placeholderProblems(config, ['shared', env]),
    ...accountModelProblems(config),
    ...recipientProblems(config, env),
    ...(imageTag === undefined || imageTag === PLACEHOLDER_IMAGE_TAG
      ? [`-c imageTag=<git-sha> is required (the synth placeholder ${PLACEHOLDER_IMAGE_TAG} is never pushed)`]
      : []),
    ...digestProblems(args),
  ];
  if (problems.length > 0) throw new UsageError(`refusing to deploy ${env}:\n  ${problems.join('\n  ')}`);
  // Approval: cdk.json's "requireApproval" (broadening) unless the caller passes --require-approval.
  // --force: the stacks read each other's outputs with Fn::GetStackOutput (cdk.json
  // "@aws-cdk/core:defaultCrossStackReferences": "weak"), which CloudFormation resolves only when the consuming
  // stack is created or updated and never pushes to consumers
  // (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html).
  // Without --force the CLI skips a consumer whose template did not change, so it would keep a replaced producer's
  // old value (e.g. a security group ID). cdk deploys the selected stacks in dependency order, producers first.
  return ['deploy', '--no-notices', '--no-version-reporting', '--force', ...args, ...deployedStacks(env)];
}

/** What `npm run deploy-shared` deploys: the shared stacks, and nothing else. */
export const SHARED_STACKS: readonly string[] = ['NodeappRegistry', 'NodeappGithubDeploy'];

/**
 * The shared stacks a deploy-shared deploys with these settings: NodeappGithubDeploy only once the GitHub repository
 * is set (a one-account trial runs without GitHub until it goes to production, docs/deploy.md).
 */
export function sharedStacksFor(config: NodeappConfig): readonly string[] {
  return config.shared.github.repository === PLACEHOLDER_GITHUB_REPOSITORY ? ['NodeappRegistry'] : SHARED_STACKS;
}

/**
 * Arguments for `cdk` for the administrator's deploy of the shared stacks, or a UsageError. The same account check
 * as a deploy (NodeappRegistry's policy and the deploy role name every account), and nothing that would widen the
 * selection: no --all, no stack names or patterns, no -c env (an environment deploys with `npm run deploy`).
 */
export function deploySharedArguments(args: readonly string[], config: NodeappConfig): string[] {
  const shared = SHARED_STACKS.join(' ');
  const env = contextValue(args, 'env');
  const widening = args.filter((arg) => arg === '--all' || /^(Nodeapp|\*)/.test(arg));
  if (env !== undefined || widening.length > 0) {
    const got = [...(env === undefined ? [] : [`-c env=${env}`]), ...widening].join(' ');
    throw new UsageError(
      `npm run deploy-shared deploys exactly ${shared} (got ${got}); an environment deploys with npm run deploy -- -c env=<env>`,
    );
  }
  const stacks = sharedStacksFor(config);
  // The GitHub roles deploy to staging's and prod's accounts: those must be set before the roles exist.
  const needed = stacks.includes('NodeappGithubDeploy')
    ? ['shared', config.shared.github.deployEnvironments.staging, config.shared.github.deployEnvironments.production]
    : ['shared'];
  const problems = [...placeholderProblems(config, needed), ...accountModelProblems(config)];
  if (problems.length > 0) throw new UsageError(`refusing to deploy ${stacks.join(' ')}:\n  ${problems.join('\n  ')}`);
  return ['deploy', '--no-notices', '--no-version-reporting', ...args, ...stacks];
}
