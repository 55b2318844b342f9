// `npm run deploy -- -c env=<env> -c imageTag=<sha> [cdk deploy options]`: runs `cdk deploy` for NodeappRegistry and
// that environment's stacks only (lib/deploy-command.ts). A usage problem exits 1 with one line, before cdk runs.
import { deployArguments } from '../lib/deploy-command.ts';
import { runCdk } from '../lib/run-cdk.ts';

runCdk(deployArguments);
