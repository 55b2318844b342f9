// Builds the real app for tests and tools outside infra (the cost estimate's tests): the same buildApp call as
// bin/nodeapp.ts with cdk.json's context, optionally for one environment and with config overrides, into a throwaway
// output folder removed when the process ends. Exported as `@nodeapp/infra/test-app`; infra's own tests reach it
// through test/helpers.ts.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { loadConfig } from '../config/environments.ts';
import type { EnvironmentConfig, NodeappConfig } from '../config/types.ts';
import { buildApp, type NodeappStacks } from './app.ts';

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
