// `npm run -s release -w infra -- migrate|watch …` (lib/release/cli.ts): the deploy job's migrate task and rollout
// watcher. Bad arguments or config: one line, exit 1, no stack trace.
import { loadConfig } from '../config/environments.ts';
import { ConfigError, validateConfig } from '../config/validate.ts';
import { releaseMain, UsageError } from '../lib/release/cli.ts';

try {
  process.exitCode = await releaseMain(process.argv.slice(2), validateConfig(loadConfig()));
} catch (error) {
  if (!(error instanceof ConfigError || error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
