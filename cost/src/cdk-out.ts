// Reads the stacks of an existing `cdk synth` output folder and groups templates by environment
// (Nodeapp-<env>-*; anything else is "shared"). No aws-cdk-lib import, so pricing a cdk.out is fast.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
