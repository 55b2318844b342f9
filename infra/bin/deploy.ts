// `npm run deploy -- -c env=<env> -c imageTag=<sha> [cdk deploy options]`: runs `cdk deploy` for NodeappRegistry and
// that environment's stacks only (lib/deploy-command.ts). A usage problem exits 1 with one line, before cdk runs.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { loadConfig } from '../config/environments.ts';
import { ConfigError, validateConfig } from '../config/validate.ts';
import { UsageError } from '../lib/app.ts';
import { deployArguments } from '../lib/deploy-command.ts';

let cdkArgs: string[];
try {
  cdkArgs = deployArguments(process.argv.slice(2), validateConfig(loadConfig()));
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
