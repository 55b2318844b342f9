import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge, nagRef } from '../nag.ts';

export interface ReleaseRoleProps {
  /** config/names.ts `releaseRole`: the GitHub deploy role's policy names it. */
  readonly roleName: string;
  /** The shared account's GitHub deploy role of this environment (the only principal that may assume it). */
  readonly deployRoleArn: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** The app task definition family (`<prefix>-app`): the migrate task runs a revision of it. */
  readonly taskFamily: string;
  /** The roles a migrate task's revision passes to ECS (the app task's own). */
  readonly passRoles: readonly iam.IRole[];
  /** The app's log group: the migrate task's output is printed in the deploy job. */
  readonly logGroup: logs.ILogGroup;
}

/**
 * What the deploy job does in the environment's account besides `cdk deploy` (which runs through CDK's bootstrap
 * roles): run the release's migrate command as a one-off task of the app family before the service update
 * (infra/bin/deploy-migrate.ts), and follow the ECS service deployment (infra/bin/deploy-watch.ts). Actions per the
 * ECS authorization reference: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html
 */
export class ReleaseRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: ReleaseRoleProps) {
    super(scope, id);
    const { region, account } = Stack.of(this);
    const ecsArn = (resource: string) => `arn:aws:ecs:${region}:${account}:${resource}`;
    const cluster = ecsArn(`cluster/${props.clusterName}`);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'GitHub deploy job: migrate task before the rollout, rollout watcher',
      assumedBy: new iam.ArnPrincipal(props.deployRoleArn),
      maxSessionDuration: Duration.hours(1),
    });
    const allow = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      this.role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
    const deployments = ecsArn(`service-deployment/${props.clusterName}/${props.serviceName}/*`);
    const revisions = ecsArn(`service-revision/${props.clusterName}/${props.serviceName}/*`);
    allow(
      'FollowTheService',
      [
        'ecs:DescribeServices',
        'ecs:ListServiceDeployments',
        'ecs:DescribeServiceDeployments',
        'ecs:DescribeServiceRevisions',
      ],
      [ecsArn(`service/${props.clusterName}/${props.serviceName}`), deployments, revisions],
    );
    // Describe/Register/DeregisterTaskDefinition support no resource-level permissions (the reference above).
    allow(
      'TaskDefinitions',
      ['ecs:DescribeTaskDefinition', 'ecs:RegisterTaskDefinition', 'ecs:DeregisterTaskDefinition'],
      ['*'],
    );
    const family = ecsArn(`task-definition/${props.taskFamily}:*`);
    allow('RunMigrateTask', ['ecs:RunTask'], [family], { ArnEquals: { 'ecs:cluster': cluster } });
    const tasks = ecsArn(`task/${props.clusterName}/*`);
    allow('WaitForMigrateTask', ['ecs:DescribeTasks', 'ecs:StopTask'], [tasks]);
    allow(
      'PassTheAppRoles',
      ['iam:PassRole'],
      props.passRoles.map((r) => r.roleArn),
      { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    );
    const logStreams = `${props.logGroup.logGroupArn}:*`;
    allow('ReadMigrateTaskLog', ['logs:GetLogEvents'], [logStreams]);
    acknowledge(
      this.role,
      `AwsSolutions-IAM5[Resource::${nagRef(props.logGroup).slice(0, -1)}.Arn>:*]`,
      "Release role: reads the migrate task's log streams of the app log group.",
    );

    const why = 'Release role (migrate task, rollout watcher)';
    acknowledge(
      this.role,
      'AwsSolutions-IAM5[Resource::*]',
      `${why}: ECS task definition actions support no resource-level permissions.`,
    );
    for (const [resource, reason] of [
      [family, "every revision of the app family (the migrate task registers the release's)"],
      [tasks, "the cluster's tasks (task ids are generated)"],
      [deployments, "the app service's deployments (ids are generated)"],
      [revisions, "the app service's revisions (ids are generated)"],
    ] as const) {
      acknowledge(this.role, `AwsSolutions-IAM5[Resource::${resource}]`, `${why}: ${reason}.`);
    }
  }
}
