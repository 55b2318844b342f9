// Synthesizes infra's CDK app in-process (the same buildApp as infra/bin/nodeapp.ts) and groups the stack templates by
// environment. Loaded only when needed: aws-cdk-lib takes seconds to import.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeappConfig } from '@nodeapp/infra/config/types';
import { buildApp } from '@nodeapp/infra/lib/app';
import { App } from 'aws-cdk-lib';
import { groupByEnvironment } from './cdk-out.ts';
import type { CfnTemplate, StackTemplate } from './template.ts';

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL(import.meta.resolve('@nodeapp/infra/cdk.json')), 'utf8')) as {
    context?: object;
  };
  return { ...cdkJson.context };
}

/** Synthesizes `config` (only `env` when given) without cdk-nag: the estimate needs templates, not findings. */
export function synthesize(config: NodeappConfig, env?: string): Map<string, StackTemplate[]> {
  const outdir = mkdtempSync(join(tmpdir(), 'nodeapp-cost-'));
  try {
    // The CDK CLI would merge infra/cdk.json's context (pinned AZs, feature flags); do the same in-process.
    const app = new App({ outdir, context: { ...cdkJsonContext(), ...(env ? { env } : {}) } });
    // The same call as infra/bin/nodeapp.ts, so the estimate covers exactly what deploys.
    buildApp(app, { config, nag: false });
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
