// Everything bin/nodeapp.ts synthesizes, in one call: the shared and per-environment stacks (buildNodeapp) plus
// each environment's Monitoring stack. The entry and the nag test both call it, so cdk-nag and the README's
// acknowledgement list see exactly the stacks that deploy.
import type { App } from 'aws-cdk-lib';
import { type BuildOptions, buildNodeapp, type NodeappStacks } from './app.ts';
import { addMonitoringStacks } from './monitoring-stacks.ts';
import type { MonitoringStack } from './stacks/monitoring-stack.ts';

export interface AllStacks extends NodeappStacks {
  readonly monitoring: ReadonlyMap<string, MonitoringStack>;
}

export function buildApp(app: App, options: BuildOptions = {}): AllStacks {
  const stacks = buildNodeapp(app, options);
  return { ...stacks, monitoring: addMonitoringStacks(app, stacks) };
}
