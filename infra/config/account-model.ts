// The account model, stated once: the shared account holds the image registry and the GitHub roles; dev may live in
// the shared account (the one-account trial); staging and prod (ownAccount: true in environments.ts) each need an
// account of their own, apart from the shared account and from each other. Why: the pipeline's staging role may
// assume the CDK roles of staging's account, so if prod shared it, the staging role would reach prod; and an
// environment deployed in the shared account has CloudFormation rights there, where the production role's trust
// lives (lib/constructs/github-deploy.ts), so it could rewrite that trust. `npm run deploy`, `npm run preflight`,
// `npm run deploy-shared`, `npm run bootstrap` and `npm run up` check these rules before any AWS call.
import { PLACEHOLDER_ACCOUNT } from './environments.ts';
import { accountVariable } from './settings.ts';
import type { NodeappConfig } from './types.ts';

export const ACCOUNT_MODEL_RULE =
  'staging and prod each need an AWS account of their own, apart from the shared account and from each other (docs/deploy.md "Accounts")';

/** The one-account trial's trade-off, printed once by the commands that accept it. */
export const ONE_ACCOUNT_TRADE_OFF =
  'one-account trial: the registry, the GitHub roles and this environment share one account, so whoever can deploy the environment can also change the registry and the roles; give staging and prod accounts of their own (docs/deploy.md "Accounts")';

/** Every breach of the rule among the accounts that are set (the placeholder only synthesizes). */
export function accountModelProblems(config: NodeappConfig): string[] {
  const problems: string[] = [];
  const own = config.environments.filter((e) => e.ownAccount && e.account !== PLACEHOLDER_ACCOUNT);
  for (const [i, env] of own.entries()) {
    if (env.account === config.shared.account) {
      problems.push(
        `${accountVariable(env.name)} equals ${accountVariable('shared')} (${env.account}): ${ACCOUNT_MODEL_RULE}`,
      );
    }
    for (const other of own.slice(i + 1)) {
      if (other.account === env.account) {
        problems.push(
          `${accountVariable(env.name)} equals ${accountVariable(other.name)} (${env.account}): ${ACCOUNT_MODEL_RULE}`,
        );
      }
    }
  }
  return problems;
}

/** True when `name` lives in the shared account (allowed only where ownAccount is false). */
export function isOneAccountTrial(config: NodeappConfig, name: string): boolean {
  const env = config.environments.find((e) => e.name === name);
  return env !== undefined && env.account !== PLACEHOLDER_ACCOUNT && env.account === config.shared.account;
}

/** Problems with the alarm recipients of `name`: every deployed environment tells someone (alarms and budget). */
export function recipientProblems(config: NodeappConfig, name: string): string[] {
  const env = config.environments.find((e) => e.name === name);
  if (!env || env.alarms.emails.length > 0) return [];
  return [
    `NODEAPP_ALARM_EMAILS_${name.toUpperCase()} is not set: ${name}'s alarms and budget must notify someone (comma-separated e-mail addresses)`,
  ];
}
