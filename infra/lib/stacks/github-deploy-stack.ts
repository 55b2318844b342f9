import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { IMAGE_NAMES, IMAGES } from '../../config/images.ts';
import { names } from '../../config/names.ts';
import type { NodeappConfig } from '../../config/types.ts';
import { GithubDeploy } from '../constructs/github-deploy.ts';

export interface GithubDeployStackProps extends StackProps {
  readonly config: NodeappConfig;
}

/**
 * `NodeappGithubDeploy`: the OIDC provider and the three roles the workflow assumes (outputs `ImagePushRoleArn`,
 * `StagingDeployRoleArn`, `ProductionDeployRoleArn`). Deployed only by an administrator (`npm run deploy-shared`).
 */
export class GithubDeployStack extends Stack {
  readonly github: GithubDeploy;

  constructor(scope: Construct, id: string, props: GithubDeployStackProps) {
    super(scope, id, props);
    const { shared, environments } = props.config;
    const target = (name: string) => {
      const env = environments.find((e) => e.name === name);
      // validateConfig checks shared.github.deployEnvironments names configured environments.
      if (!env) throw new Error(`shared.github.deployEnvironments: no environment ${name}`);
      return { account: env.account, region: env.region, releaseRoleName: names(env.name).releaseRole };
    };
    this.github = new GithubDeploy(this, 'GithubDeploy', {
      repository: shared.github.repository,
      immutableIds: shared.github.immutableIds,
      existingOidcProviderArn: shared.github.existingOidcProviderArn,
      repositoryArns: IMAGE_NAMES.map(
        (name) => `arn:aws:ecr:${shared.region}:${shared.account}:repository/${IMAGES[name].repositoryName}`,
      ),
      bootstrapQualifier: shared.cdkBootstrapQualifier,
      deployTargets: {
        staging: target(shared.github.deployEnvironments.staging),
        production: target(shared.github.deployEnvironments.production),
      },
    });
    new CfnOutput(this, 'ImagePushRoleArn', { value: this.github.imagePushRole.roleArn });
    new CfnOutput(this, 'StagingDeployRoleArn', { value: this.github.stagingDeployRole.roleArn });
    new CfnOutput(this, 'ProductionDeployRoleArn', { value: this.github.productionDeployRole.roleArn });
  }
}
