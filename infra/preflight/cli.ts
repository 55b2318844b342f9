// `npm run preflight -w infra -- --env <name>` (bin/preflight.ts): read-only checks of the environment's AWS account
// before a deploy, one line each; exit code 1 when any fails (or on a usage error), 0 otherwise.
import { accountModelProblems, isOneAccountTrial, ONE_ACCOUNT_TRADE_OFF } from '../config/account-model.ts';
import type { NodeappConfig } from '../config/types.ts';
import { formatResult } from './result.ts';
import { runPreflight } from './run.ts';

/** `--env <name>` or `--env=<name>`; anything else is a usage error. */
export function parseEnvArgument(args: readonly string[]): string | undefined {
  let env: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--env') env = args[++i];
    else if (arg.startsWith('--env=')) env = arg.slice('--env='.length);
    else return undefined;
  }
  return env;
}

export async function preflightMain(
  args: readonly string[],
  config: NodeappConfig,
  print: (line: string) => void = (line) => console.log(line),
): Promise<number> {
  const names = config.environments.map((e) => e.name);
  const name = parseEnvArgument(args);
  const env = config.environments.find((e) => e.name === name);
  if (!env) {
    print(`usage: npm run preflight -w infra -- --env <${names.join('|')}> (got ${args.join(' ') || 'nothing'})`);
    return 1;
  }
  // The account model first, before any AWS call (config/account-model.ts).
  const refused = accountModelProblems(config);
  if (refused.length > 0) {
    for (const problem of refused) print(`FAIL account-model: ${problem}`);
    return 1;
  }
  print(`preflight ${env.name}: account ${env.account}, ${env.region} (read-only)`);
  if (isOneAccountTrial(config, env.name)) print(`note: ${ONE_ACCOUNT_TRADE_OFF}`);
  const results = await runPreflight(config, env);
  for (const result of results) print(formatResult(result));
  const failed = results.filter((r) => r.status === 'fail').length;
  print(failed === 0 ? `preflight ${env.name}: all checks passed` : `preflight ${env.name}: ${failed} check(s) failed`);
  return failed === 0 ? 0 : 1;
}
