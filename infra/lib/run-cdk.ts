// Shared by the deploy entry points (bin/deploy.ts, bin/deploy-shared.ts): check the arguments first, then run the
// locally installed cdk CLI with them. A usage or config problem exits 1 with one line, before cdk runs.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadConfig } from '../config/environments.ts';
import type { NodeappConfig } from '../config/types.ts';
import { ConfigError, validateConfig } from '../config/validate.ts';
import { UsageError } from './app.ts';

export function runCdk(buildArguments: (args: readonly string[], config: NodeappConfig) => string[]): never {
  let cdkArgs: string[];
  try {
    cdkArgs = buildArguments(process.argv.slice(2), validateConfig(loadConfig()));
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof UsageError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const cdk = createRequire(import.meta.url).resolve('aws-cdk/bin/cdk');
  const result = spawnSync(process.execPath, [cdk, ...cdkArgs], {
    stdio: 'inherit',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  process.exit(result.status ?? 1);
}
