// What each infra command is, as data: the usage line, a summary and its options, printed by `--help`
// (lib/cli-args.ts). `npm run up` and `npm run down` keep theirs beside their code (lib/up/).
import type { CommandSpec } from './cli-args.ts';

const CDK_OPTIONS = 'other options are passed to cdk (e.g. --require-approval never, --outputs-file <file>)';

export const DEPLOY: CommandSpec = {
  usage:
    'npm run deploy -w infra -- -c env=<dev|staging|prod> -c imageTag=<tag> -c appImageDigest=sha256:… -c prometheusImageDigest=sha256:… -c alertmanagerImageDigest=sha256:… -c grafanaImageDigest=sha256:… -c ecsSdImageDigest=sha256:… [cdk options]',
  summary: `The environment's preflight, then cdk deploy of its stacks (Nodeapp-<env>-*) with every image by digest; ${CDK_OPTIONS}.`,
  options: {},
  passThrough: true,
  settings: true,
};

export const DEPLOY_SHARED: CommandSpec = {
  usage: 'npm run deploy-shared -w infra -- [cdk options]',
  summary: `The shared account's stacks: NodeappRegistry (ECR), and NodeappGithubDeploy (the GitHub roles) once NODEAPP_GITHUB_REPOSITORY is set. Run with the shared account's administrator credentials; ${CDK_OPTIONS}.`,
  options: {},
  passThrough: true,
  settings: true,
};

export const BOOTSTRAP: CommandSpec = {
  usage: 'npm run bootstrap -w infra -- --env <shared|dev|staging|prod> [cdk bootstrap options]',
  summary:
    "cdk bootstrap of one account with this project's qualifier; an environment's own account gets the bounded execution role and trusts the shared account. dev in the shared account (one-account trial) is the shared account's bootstrap.",
  options: { env: { type: 'string', value: 'name', help: 'the account to bootstrap, by environment (required)' } },
  passThrough: true,
  settings: true,
};

export const PREFLIGHT: CommandSpec = {
  usage: 'npm run preflight -w infra -- --env <dev|staging|prod>',
  summary:
    "Read-only checks of the environment's AWS account before a deploy, one PASS/FAIL/SKIP line each; exit 1 when any fails.",
  options: { env: { type: 'string', value: 'name', help: 'the environment to check (required)' } },
  settings: true,
};
