import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { IMAGES } from '../../config/images.ts';
import type { NodeappConfig } from '../../config/types.ts';
import { GithubDeploy } from '../constructs/github-deploy.ts';

export interface GithubDeployStackProps extends StackProps {
  readonly config: NodeappConfig;
}

/** `NodeappGithubDeploy`: the OIDC provider and the role the workflow assumes (output `DeployRoleArn`). */
export class GithubDeployStack extends Stack {
  readonly deployRole: iam.Role;

  constructor(scope: Construct, id: string, props: GithubDeployStackProps) {
    super(scope, id, props);
    const { shared, environments } = props.config;
    const deploy = new GithubDeploy(this, 'GithubDeploy', {
      owner: shared.github.owner,
      repo: shared.github.repo,
      environments: shared.github.environments,
      existingOidcProviderArn: shared.github.existingOidcProviderArn,
      targets: [shared, ...environments].map((e) => ({ account: e.account, region: e.region })),
      bootstrapQualifier: shared.cdkBootstrapQualifier,
      repositoryArn: `arn:aws:ecr:${shared.region}:${shared.account}:repository/${IMAGES.app.repositoryName}`,
      roleName: 'nodeapp-github-deploy',
    });
    this.deployRole = deploy.role;
    new CfnOutput(this, 'DeployRoleArn', { value: this.deployRole.roleArn });
  }
}
