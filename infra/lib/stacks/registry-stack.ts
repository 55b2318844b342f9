import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct } from 'constructs';
import type { NodeappConfig } from '../../config/types.ts';
import { Registry } from '../constructs/registry.ts';

export interface RegistryStackProps extends StackProps {
  readonly config: NodeappConfig;
}

/** `NodeappRegistry`: its own stack so the pipeline can push an image before any service exists. */
export class RegistryStack extends Stack {
  readonly repository: ecr.Repository;

  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const { shared, environments } = props.config;
    const registry = new Registry(this, 'Registry', {
      repositoryName: shared.repositoryName,
      keepTaggedImages: shared.keepTaggedImages,
      untaggedImageExpiryDays: shared.untaggedImageExpiryDays,
      pullAccounts: environments.map((e) => e.account).filter((a) => a !== shared.account),
    });
    this.repository = registry.repository;
    new CfnOutput(this, 'RepositoryUri', { value: this.repository.repositoryUri });
  }
}
