// Shared by the deploy entry points (bin/deploy.ts, bin/deploy-shared.ts, bin/bootstrap.ts): `--help` prints the
// command's usage; then the arguments are checked, then the credentials, then the locally installed cdk CLI runs. A
// usage, config or credential problem exits 1 with one line, before cdk runs (cdk itself would print a stack trace).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html (needs no permission at all)
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { loadConfig } from '../config/environments.ts';
import type { NodeappConfig } from '../config/types.ts';
import { ConfigError, validateConfig } from '../config/validate.ts';
import { UsageError } from './app.ts';
import { type CommandSpec, helpText, wantsHelp } from './cli-args.ts';

/** One line when no credentials resolve (or AWS cannot be reached), instead of the CDK CLI's stack trace. */
export async function credentialProblem(region: string): Promise<string | undefined> {
  try {
    await new STSClient({ region }).send(new GetCallerIdentityCommand({}));
    return undefined;
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
    return `no usable AWS credentials (${why}): sign in (aws sso login, aws configure, or AWS_PROFILE) and run the command again`;
  }
}

export async function runCdk(
  spec: CommandSpec,
  buildArguments: (args: readonly string[], config: NodeappConfig) => string[],
): Promise<never> {
  const args = process.argv.slice(2);
  if (wantsHelp(args)) {
    console.log(helpText(spec));
    process.exit(0);
  }
  let cdkArgs: string[];
  let region: string;
  try {
    const config = validateConfig(loadConfig());
    cdkArgs = buildArguments(args, config);
    region = config.shared.region;
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const problem = await credentialProblem(region);
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  const cdk = createRequire(import.meta.url).resolve('aws-cdk/bin/cdk');
  const result = spawnSync(process.execPath, [cdk, ...cdkArgs], {
    stdio: 'inherit',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  process.exit(result.status ?? 1);
}
