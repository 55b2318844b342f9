// Shared test fixtures: build the real app (buildTestApp: the same buildApp call as bin/nodeapp.ts) with cdk.json's context,
// optionally for one environment and with config overrides, into a throwaway output folder. testAccounts: a fake
// account ID per NODEAPP_ACCOUNT_* variable.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../config/environments.ts';
import type { EnvironmentConfig, NodeappConfig } from '../config/types.ts';
import { buildApp, type NodeappStacks } from '../lib/app.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** cdk.json's context: the feature flags (e.g. @aws-cdk/aws-iam:minimizePolicies) every app synthesizes with. */
export const cdkJsonContext: Readonly<Record<string, unknown>> = cdkJson.context;

export interface BuildTestAppOptions {
  /** Only this environment's stacks (plus the shared ones). */
  readonly env?: string;
  /** Changes to one environment's config, e.g. `{ prod: (c) => ({ ...c, capacity: 'ec2' }) }`. */
  readonly overrides?: Record<string, (config: EnvironmentConfig) => EnvironmentConfig>;
  readonly config?: NodeappConfig;
  readonly nag?: boolean;
  readonly context?: Record<string, unknown>;
}

export function buildTestApp(options: BuildTestAppOptions = {}): NodeappStacks & { app: App } {
  const { app, config } = testApp(options);
  return { app, ...buildApp(app, { config, nag: options.nag ?? false }) };
}

/** The same as buildTestApp (one builder); the name stays for test/cost until the cost workspace moves. */
export const buildFullTestApp = buildTestApp;

// Every synthesized test app writes its assets to a temp folder: removed when the test file's process ends.
const outdirs: string[] = [];
process.once('exit', () => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

export function testOutdir(prefix = 'nodeapp-cdk-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
}

function testApp(options: BuildTestAppOptions): { app: App; config: NodeappConfig } {
  const base = options.config ?? loadConfig({});
  const config: NodeappConfig = {
    ...base,
    environments: base.environments.map((e) => options.overrides?.[e.name]?.(e) ?? e),
  };
  const app = new App({
    outdir: testOutdir(),
    context: { ...cdkJson.context, ...(options.env ? { env: options.env } : {}), ...options.context },
  });
  return { app, config };
}

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
