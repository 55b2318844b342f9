// `npm run deploy-shared -- [cdk deploy options]`: the administrator's deploy of NodeappRegistry, and of
// NodeappGithubDeploy once NODEAPP_GITHUB_REPOSITORY is set (lib/deploy-command.ts), with the same placeholder-account
// check as `npm run deploy`. With the GitHub roles it also prints the repository's one-time OIDC subject-template
// call their trust expects (oidcSubjectSetupInstructions, lib/constructs/github-deploy.ts).
import { DEPLOY_SHARED } from '../lib/commands.ts';
import { oidcSubjectSetupInstructions } from '../lib/constructs/github-deploy.ts';
import { deploySharedArguments } from '../lib/deploy-command.ts';
import { runCdk } from '../lib/run-cdk.ts';

await runCdk(DEPLOY_SHARED, (args, config) => {
  const cdkArgs = deploySharedArguments(args, config);
  if (cdkArgs.includes('NodeappGithubDeploy')) {
    const { repository, immutableIds } = config.shared.github;
    console.log(`${oidcSubjectSetupInstructions(repository, immutableIds)}\n`);
  }
  return cdkArgs;
});
