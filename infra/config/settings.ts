// The operator's settings: every value that differs between one team's AWS accounts and the next, read from the
// deploying shell's environment variables (the pipeline sets the same variables from GitHub repository variables).
// Everything else in config/environments.ts is the same for every team. SETTINGS is the one list: the docs table
// (docs/deploy.md "Settings"), the `--help` of the commands and the checks read it. To add a setting (e.g. a Slack
// channel beside the alarm e-mails), add a row to SETTINGS, a field to Settings and its parse in readSettings.

/** The environments a setting can be given for, in the order the docs list them. */
export const SETTING_ENVIRONMENTS = ['shared', 'dev', 'staging', 'prod'] as const;

export interface SettingSpec {
  /** The variable, with `<ENV>` for one per environment (`NODEAPP_ACCOUNT_<ENV>` → NODEAPP_ACCOUNT_DEV, …). */
  readonly variable: string;
  /** What it is, for the docs and --help. */
  readonly what: string;
  /** When a deploy needs it, or what is used without it. */
  readonly when: string;
}

export const SETTINGS: readonly SettingSpec[] = [
  {
    variable: 'NODEAPP_ACCOUNT_<ENV>',
    what: '12-digit AWS account of shared, dev, staging, prod',
    when: 'shared and the deployed environment: required; staging and prod each in an account of their own',
  },
  {
    variable: 'NODEAPP_ALARM_EMAILS_<ENV>',
    what: 'comma-separated e-mail addresses for the alarm topic and the budget of dev, staging, prod',
    when: 'required to deploy that environment (each address confirms its subscription)',
  },
  {
    variable: 'NODEAPP_SLACK_<ENV>',
    what: 'Slack workspace and channel IDs for the alarms of dev, staging, prod, as T012ABCDEF/C012ABCDEF (AWS Chatbot)',
    when: 'unset: no Slack channel (authorize the workspace in the AWS Chatbot console first: docs/monitoring.md)',
  },
  {
    variable: 'NODEAPP_GITHUB_REPOSITORY',
    what: 'owner/repo whose workflow the GitHub roles trust',
    when: 'the GitHub roles are deployed only when it is set',
  },
  {
    variable: 'NODEAPP_GITHUB_OIDC_PROVIDER_ARN',
    what: "the shared account's existing GitHub OIDC provider",
    when: 'unset: the shared stack creates it',
  },
  {
    variable: 'NODEAPP_GITHUB_OWNER_ID, NODEAPP_GITHUB_REPOSITORY_ID',
    what: "the repository's immutable owner and repository IDs, when its OIDC subject template uses them",
    when: 'both or neither (docs/deploy.md)',
  },
  {
    variable: 'NODEAPP_TIME_ZONE',
    what: "IANA time zone of dev's nightly scale-to-zero schedule",
    when: 'unset: UTC',
  },
  {
    variable: 'NODEAPP_OWNER',
    what: 'the Owner tag of every stack',
    when: 'unset: the owner part of NODEAPP_GITHUB_REPOSITORY, else nodeapp',
  },
];

export type SettingEnvironment = (typeof SETTING_ENVIRONMENTS)[number];

export interface Settings {
  /** Per environment; undefined where the variable is not set. */
  readonly accounts: Readonly<Record<SettingEnvironment, string | undefined>>;
  /** Per environment (not shared); empty where the variable is not set. */
  readonly alarmEmails: Readonly<Record<Exclude<SettingEnvironment, 'shared'>, readonly string[]>>;
  /** Per environment (not shared); undefined where the variable is not set. */
  readonly slack: Readonly<
    Record<
      Exclude<SettingEnvironment, 'shared'>,
      { readonly workspaceId: string; readonly channelId: string } | undefined
    >
  >;
  readonly githubRepository?: string;
  readonly githubOidcProviderArn?: string;
  /** NODEAPP_GITHUB_OWNER_ID + NODEAPP_GITHUB_REPOSITORY_ID (validateConfig checks both or neither, digits only). */
  readonly githubIds?: { readonly owner: string; readonly repository: string };
  readonly timeZone: string;
  readonly owner: string;
}

/** `NODEAPP_ACCOUNT_<ENV>` for one environment: `accountVariable('shared')` → NODEAPP_ACCOUNT_SHARED. */
export function accountVariable(name: string): string {
  return `NODEAPP_ACCOUNT_${name.toUpperCase()}`;
}

/** `NODEAPP_ALARM_EMAILS_<ENV>` for one environment. */
export function alarmEmailsVariable(name: string): string {
  return `NODEAPP_ALARM_EMAILS_${name.toUpperCase()}`;
}

/** `NODEAPP_SLACK_<ENV>` for one environment. */
export function slackVariable(name: string): string {
  return `NODEAPP_SLACK_${name.toUpperCase()}`;
}

/** `T…/C…` → the two IDs; anything else is kept whole as the workspace ID, so validateConfig names it. */
function slack(env: NodeJS.ProcessEnv, variable: string): { workspaceId: string; channelId: string } | undefined {
  const raw = value(env, variable);
  if (raw === undefined) return undefined;
  const [workspaceId = '', channelId = '', ...rest] = raw.split('/').map((part) => part.trim());
  return rest.length === 0 ? { workspaceId, channelId } : { workspaceId: raw, channelId: '' };
}

function value(env: NodeJS.ProcessEnv, variable: string): string | undefined {
  return env[variable]?.trim() || undefined;
}

function list(env: NodeJS.ProcessEnv, variable: string): string[] {
  return (value(env, variable) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const githubRepository = value(env, 'NODEAPP_GITHUB_REPOSITORY');
  const ownerId = value(env, 'NODEAPP_GITHUB_OWNER_ID') ?? '';
  const repositoryId = value(env, 'NODEAPP_GITHUB_REPOSITORY_ID') ?? '';
  return {
    accounts: {
      shared: value(env, accountVariable('shared')),
      dev: value(env, accountVariable('dev')),
      staging: value(env, accountVariable('staging')),
      prod: value(env, accountVariable('prod')),
    },
    alarmEmails: {
      dev: list(env, alarmEmailsVariable('dev')),
      staging: list(env, alarmEmailsVariable('staging')),
      prod: list(env, alarmEmailsVariable('prod')),
    },
    slack: {
      dev: slack(env, slackVariable('dev')),
      staging: slack(env, slackVariable('staging')),
      prod: slack(env, slackVariable('prod')),
    },
    githubRepository,
    githubOidcProviderArn: value(env, 'NODEAPP_GITHUB_OIDC_PROVIDER_ARN'),
    githubIds: ownerId || repositoryId ? { owner: ownerId, repository: repositoryId } : undefined,
    timeZone: value(env, 'NODEAPP_TIME_ZONE') ?? 'UTC',
    owner: value(env, 'NODEAPP_OWNER') ?? githubRepository?.split('/')[0] ?? 'nodeapp',
  };
}

/** One line per setting, for `--help`. */
export function settingsHelp(): string {
  return SETTINGS.map((s) => `  ${s.variable.padEnd(34)} ${s.what} (${s.when})`).join('\n');
}
