// `npm run deploy-shared -- [cdk deploy options]`: the administrator's deploy of exactly NodeappRegistry and
// NodeappGithubDeploy (lib/deploy-command.ts), with the same placeholder-account check as `npm run deploy`.
import { DEPLOY_SHARED } from '../lib/commands.ts';
import { deploySharedArguments } from '../lib/deploy-command.ts';
import { runCdk } from '../lib/run-cdk.ts';

await runCdk(DEPLOY_SHARED, deploySharedArguments);
