import { type RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/**
 * Lets CloudWatch Logs in this region use `key` for log groups of this account only (the encryption
 * context condition is what AWS documents for log group encryption).
 */
export function allowCloudWatchLogs(key: kms.IKey, scope: Construct): void {
  const { region, account, partition } = Stack.of(scope);
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*` },
      },
    }),
  );
}

/** A log group encrypted with `key` (whose policy must allow CloudWatch Logs, see allowCloudWatchLogs). */
export function encryptedLogGroup(
  scope: Construct,
  id: string,
  props: { key: kms.IKey; retentionDays: number; removalPolicy: RemovalPolicy; logGroupName?: string },
): logs.LogGroup {
  return new logs.LogGroup(scope, id, {
    encryptionKey: props.key,
    retention: props.retentionDays as logs.RetentionDays,
    removalPolicy: props.removalPolicy,
    logGroupName: props.logGroupName,
  });
}
