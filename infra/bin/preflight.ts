// `npm run preflight -w infra -- --env <name>`: read-only checks of the environment's AWS account (preflight/).
// Exit 1 on any failed check, on a usage error or on a config error, with one line each and no stack trace.
import { loadConfig } from '../config/environments.ts';
import { ConfigError, validateConfig } from '../config/validate.ts';
import { helpText, wantsHelp } from '../lib/cli-args.ts';
import { PREFLIGHT } from '../lib/commands.ts';
import { preflightMain } from '../preflight/cli.ts';

if (wantsHelp(process.argv.slice(2))) {
  console.log(helpText(PREFLIGHT));
  process.exit(0);
}
try {
  process.exitCode = await preflightMain(process.argv.slice(2), validateConfig(loadConfig()));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
