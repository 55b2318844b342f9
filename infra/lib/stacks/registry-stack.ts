import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct } from 'constructs';
import { PLACEHOLDER_ACCOUNT } from '../../config/environments.ts';
import { IMAGE_NAMES, IMAGES } from '../../config/images.ts';
import type { NodeappConfig } from '../../config/types.ts';
import { Registry } from '../constructs/registry.ts';

export interface RegistryStackProps extends StackProps {
  readonly config: NodeappConfig;
}

/**
 * `NodeappRegistry`: the ECR repository of every image in config/images.ts (app, prometheus, alertmanager,
 * grafana), in its own stack so the pipeline can push images before any service exists.
 */
export class RegistryStack extends Stack {
  readonly repositories: ReadonlyMap<string, ecr.Repository>;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const { shared, environments } = props.config;
    const registry = new Registry(this, 'Registry', {
      repositoryNames: IMAGE_NAMES.map((name) => IMAGES[name].repositoryName),
      keepReleases: shared.keepReleases,
      // Accounts not set yet (the placeholder) get no grant: a later deploy-shared adds them.
      pullAccounts: environments.map((e) => e.account).filter((a) => a !== shared.account && a !== PLACEHOLDER_ACCOUNT),
    });
    this.repositories = registry.repositories;
    for (const name of IMAGE_NAMES) {
      const repository = registry.repositories.get(IMAGES[name].repositoryName);
      // RepositoryUri (the app's, as before), PrometheusRepositoryUri, AlertmanagerRepositoryUri, GrafanaRepositoryUri.
      const id = name === 'app' ? 'RepositoryUri' : `${name[0]?.toUpperCase()}${name.slice(1)}RepositoryUri`;
      if (repository) new CfnOutput(this, id, { value: repository.repositoryUri });
    }
  }
}
