// Synthesizes the CDK app in-process (the same buildNodeapp that bin/nodeapp.ts uses) or reads an existing
// cdk.out, and groups the stack templates by environment (Nodeapp-<env>-*; anything else is "shared").
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { NodeappConfig } from '../config/types.ts';
import { buildNodeapp } from '../lib/app.ts';
import { addMonitoringStacks } from '../lib/monitoring-stacks.ts';
import type { CfnTemplate, StackTemplate } from './template.ts';

export const SHARED = 'shared';

export function environmentOf(stackName: string): string {
  return /^Nodeapp-([^-]+)-/.exec(stackName)?.[1] ?? SHARED;
}

export function groupByEnvironment(stacks: StackTemplate[]): Map<string, StackTemplate[]> {
  const out = new Map<string, StackTemplate[]>();
  for (const stack of stacks) {
    const env = environmentOf(stack.name);
    out.set(env, [...(out.get(env) ?? []), stack]);
  }
  return out;
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as { context?: object };
  return { ...cdkJson.context };
}

/** Synthesizes `config` (only `env` when given) without cdk-nag: the estimate needs templates, not findings. */
export function synthesize(config: NodeappConfig, env?: string): Map<string, StackTemplate[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'nodeapp-cost-'));
  try {
    // The CLI would merge cdk.json's context (pinned AZs, feature flags); do the same in-process.
    const app = new App({ outdir, context: { ...cdkJsonContext(), ...(env ? { env } : {}) } });
    // The same two calls as bin/nodeapp.ts, so the estimate covers exactly what deploys.
    addMonitoringStacks(app, buildNodeapp(app, { config, nag: false }));
    const assembly = app.synth();
    return groupByEnvironment(
      assembly.stacks.map((s) => ({
        name: s.stackName,
        region: s.environment.region,
        template: s.template as CfnTemplate,
      })),
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

interface Manifest {
  artifacts?: Record<
    string,
    {
      type?: string;
      environment?: string;
      displayName?: string;
      properties?: { templateFile?: string; stackName?: string };
    }
  >;
}

/** Reads the stacks of a `cdk synth` output folder (manifest.json + *.template.json). */
export function readCdkOut(dir: string): Map<string, StackTemplate[]> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    throw new Error(`--cdk-out ${dir}: no readable manifest.json (run \`npx cdk synth\` first)`);
  }
  const stacks: StackTemplate[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    stacks.push({
      name: artifact.properties.stackName ?? id,
      region: artifact.environment?.split('/').at(-1) ?? 'us-east-1',
      template: JSON.parse(readFileSync(join(dir, artifact.properties.templateFile), 'utf8')) as CfnTemplate,
    });
  }
  return groupByEnvironment(stacks);
}
