// `npm run deploy -- -c env=<env> -c imageTag=<sha> [cdk deploy options]` (bin/deploy.ts): the cdk deploy command
// line for one environment. It deploys NodeappRegistry and that environment's stacks, never NodeappGithubDeploy:
// the pipeline's own role must not be able to rewrite its trust; an administrator deploys that stack by hand.
import type { NodeappConfig } from '../config/types.ts';
import { UsageError } from './app.ts';

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

/** The stacks a deploy of `env` selects (cdk patterns). */
export function deployedStacks(env: string): string[] {
  return ['NodeappRegistry', `Nodeapp-${env}-*`];
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
      `--all would also deploy NodeappGithubDeploy: this command deploys ${deployedStacks(env).join(' ')}`,
    );
  }
  // Approval: cdk.json's "requireApproval" (broadening) unless the caller passes --require-approval.
  return ['deploy', '--no-notices', '--no-version-reporting', ...args, ...deployedStacks(env)];
}
