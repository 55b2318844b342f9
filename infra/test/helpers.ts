// Shared test fixtures: build the real app (buildTestApp, from lib/test-app.ts: the same buildApp call as
// bin/nodeapp.ts) with cdk.json's context, optionally for one environment and with config overrides, into a throwaway
// output folder. testAccounts: a fake account ID per NODEAPP_ACCOUNT_* variable.
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { NodeappStacks } from '../lib/app.ts';

export {
  type BuildTestAppOptions,
  buildTestApp,
  cdkJsonContext,
  testOutdir,
} from '../lib/test-app.ts';

/** Template of the named environment's stack: `template(stacks, 'prod', 'service')`. */
export function template(stacks: NodeappStacks, env: string, which: 'network' | 'service' | 'monitoring'): Template {
  const envStacks = stacks.environments.get(env);
  if (!envStacks) throw new Error(`no stacks for ${env}`);
  return Template.fromStack(envStacks[which] as Stack);
}

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are untyped JSON, read field by field.
export type CfnProperties = Record<string, any>;

/** Resources of one type in a template, as [logicalId, resource] pairs. */
export function resourcesOf(t: Template, type: string): [string, { Properties: CfnProperties }][] {
  return Object.entries(t.findResources(type)) as [string, { Properties: CfnProperties }][];
}

/** A distinct (fake) account for every NODEAPP_ACCOUNT_* variable, so the deploy commands' placeholder check passes. */
export const testAccounts = {
  NODEAPP_ACCOUNT_SHARED: '222222222222',
  NODEAPP_ACCOUNT_DEV: '333333333333',
  NODEAPP_ACCOUNT_STAGING: '444444444444',
  NODEAPP_ACCOUNT_PROD: '555555555555',
};

/** Alarm recipients for every environment (a deploy refuses an environment without any). */
export const testRecipients = {
  NODEAPP_ALARM_EMAILS_DEV: 'dev-alarms@team.test',
  NODEAPP_ALARM_EMAILS_STAGING: 'staging-alarms@team.test',
  NODEAPP_ALARM_EMAILS_PROD: 'oncall@team.test,finops@team.test',
};
