// `npm run down -- --env <name> [--all]` (lib/up/down.ts): the inverse of up. `--help` for options.
import { downMain } from '../lib/up/down.ts';

process.exitCode = await downMain(process.argv.slice(2));
