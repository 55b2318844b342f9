// Adds `Nodeapp-<env>-Monitoring` to every environment an app was built with (bin/nodeapp.ts calls this after
// buildNodeapp). The stacks are checked by the cdk-nag validation buildNodeapp registers on the whole app.
import { type App, Tags } from 'aws-cdk-lib';
import { ConfigError } from '../config/validate.ts';
import type { NodeappStacks } from './app.ts';
import { monitoringConfigProblems } from './monitoring-config.ts';
import { MonitoringStack } from './stacks/monitoring-stack.ts';

export function addMonitoringStacks(app: App, stacks: NodeappStacks): Map<string, MonitoringStack> {
  const added = new Map<string, MonitoringStack>();
  const problems = [...stacks.environments.values()].flatMap(({ config }) =>
    monitoringConfigProblems(config.monitoring, `${config.name}.monitoring`),
  );
  // ConfigError: bin/nodeapp.ts prints its message (each bad field) and exits 1, without a stack trace.
  if (problems.length > 0) throw new ConfigError(problems);

  for (const [name, env] of stacks.environments) {
    const { config } = env;
    const stack = new MonitoringStack(app, `Nodeapp-${name}-Monitoring`, {
      env: { account: config.account, region: config.region },
      config,
      shared: stacks.config.shared,
      vpc: env.network.vpc,
      namespace: env.network.namespace,
      service: env.service,
    });
    Tags.of(stack).add('Project', 'nodeapp');
    Tags.of(stack).add('Environment', name);
    Tags.of(stack).add('Owner', config.tags.owner);
    Tags.of(stack).add('CostCenter', config.tags.costCenter);
    added.set(name, stack);
  }
  return added;
}
