// `npm run deploy-shared -- [cdk deploy options]`: the administrator's deploy of exactly NodeappRegistry and
// NodeappGithubDeploy (lib/deploy-command.ts), with the same placeholder-account check as `npm run deploy`. It also
// prints the repository's one-time OIDC subject-template call the GitHub roles' trust expects
// (oidcSubjectSetupInstructions, lib/constructs/github-deploy.ts).
import { oidcSubjectSetupInstructions } from '../lib/constructs/github-deploy.ts';
import { deploySharedArguments } from '../lib/deploy-command.ts';
import { runCdk } from '../lib/run-cdk.ts';

runCdk((args, config) => {
  const cdkArgs = deploySharedArguments(args, config);
  const { repository, immutableIds } = config.shared.github;
  console.log(`${oidcSubjectSetupInstructions(repository, immutableIds)}\n`);
  return cdkArgs;
});
