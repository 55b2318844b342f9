// `npm run deploy -- -c env=<env> -c imageTag=<sha> [cdk deploy options]`: first the environment's preflight
// (preflight/, the same checks as `npm run preflight -- --env <env>`), then `cdk deploy` for NodeappRegistry and that
// environment's stacks only (lib/deploy-command.ts). A usage problem or a failed check exits 1 before cdk runs.
import { loadConfig } from '../config/environments.ts';
import { ConfigError, validateConfig } from '../config/validate.ts';
import { UsageError } from '../lib/app.ts';
import { helpText, wantsHelp } from '../lib/cli-args.ts';
import { DEPLOY } from '../lib/commands.ts';
import { deployArguments } from '../lib/deploy-command.ts';
import { runCdk } from '../lib/run-cdk.ts';
import { preflightBeforeDeploy } from '../preflight/deploy-gate.ts';

if (wantsHelp(process.argv.slice(2))) {
  console.log(helpText(DEPLOY));
  process.exit(0);
}
let status: number;
try {
  status = await preflightBeforeDeploy(process.argv.slice(2), validateConfig(loadConfig()));
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof UsageError)) throw error;
  console.error(error.message);
  status = 1;
}
if (status !== 0) process.exit(status);
await runCdk(DEPLOY, deployArguments);
