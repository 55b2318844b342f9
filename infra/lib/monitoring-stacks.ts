// Not a builder: buildApp (lib/app.ts) creates each environment's Monitoring stack in its per-environment loop.
// Kept only so test/monitoring.test.ts (another branch's file) compiles until it reads `stacks.monitoring`;
// delete it then.
import type { App } from 'aws-cdk-lib';
import type { NodeappStacks } from './app.ts';
import type { MonitoringStack } from './stacks/monitoring-stack.ts';

/** The Monitoring stacks buildApp already created (nothing is added to the app). */
export function addMonitoringStacks(_app: App, stacks: NodeappStacks): ReadonlyMap<string, MonitoringStack> {
  return stacks.monitoring;
}
