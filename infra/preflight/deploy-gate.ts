// `npm run deploy` runs the preflight of the environment it deploys before cdk (bin/deploy.ts): a failed check
// stops the deploy with exit 1 before CloudFormation is touched. Usage errors are left to deployArguments, which
// bin/deploy.ts runs first, so the preflight only ever sees a known environment.
import type { NodeappConfig } from '../config/types.ts';
import { contextValue, deployArguments } from '../lib/deploy-command.ts';
import { preflightMain } from './cli.ts';

/** 0 when the deploy may go on; 1 after printing why not. */
export async function preflightBeforeDeploy(
  args: readonly string[],
  config: NodeappConfig,
  print: (line: string) => void = (line) => console.log(line),
): Promise<number> {
  deployArguments(args, config); // throws the UsageError bin/deploy.ts prints
  const env = contextValue(args, 'env') ?? '';
  return preflightMain(['--env', env], config, print);
}
