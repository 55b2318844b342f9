// `npm run up -- --env <name>` (lib/up/main.ts): one command from AWS credentials to a URL. `--help` for options.
import { upMain } from '../lib/up/main.ts';

process.exitCode = await upMain(process.argv.slice(2));
