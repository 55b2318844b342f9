// Every name derived from an environment's name, in one place: stacks, resource prefixes, log groups.
// (Stack names are also what `npm run deploy` selects: lib/deploy-command.ts.)

export interface EnvironmentNames {
  /** `Nodeapp-<env>`: prefix of the stacks, alarm/dashboard/ACL names and task families. */
  readonly prefix: string;
  readonly networkStack: string;
  readonly dataStack: string;
  readonly serviceStack: string;
  readonly monitoringStack: string;
  /** `Nodeapp-<env>-*`: the cdk pattern selecting every stack of the environment. */
  readonly stackPattern: string;
  /** `nodeapp-<env>`: the ECS cluster. */
  readonly cluster: string;
  readonly appLogGroup: string;
  readonly monitoringLogGroup: string;
  /**
   * `Nodeapp-<env>-release`: the role the deploy job assumes to migrate and watch the rollout. Named like the stacks'
   * roles, the only ones the bounded execution role may pass or re-trust (lib/bootstrap/execution-boundary.ts).
   */
  readonly releaseRole: string;
}

/** The GitHub deploy role of a GitHub environment (`staging`, `production`), in the shared account. */
export function githubDeployRoleName(githubEnvironment: string): string {
  return `nodeapp-github-deploy-${githubEnvironment}`;
}

export function names(env: string): EnvironmentNames {
  const prefix = `Nodeapp-${env}`;
  return {
    prefix,
    networkStack: `${prefix}-Network`,
    dataStack: `${prefix}-Data`,
    serviceStack: `${prefix}-Service`,
    monitoringStack: `${prefix}-Monitoring`,
    stackPattern: `${prefix}-*`,
    cluster: `nodeapp-${env}`,
    appLogGroup: `/nodeapp/${env}/app`,
    monitoringLogGroup: `/nodeapp/${env}/monitoring`,
    releaseRole: `${prefix}-release`,
  };
}
