import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { names } from '../config/names.ts';
import { Cluster } from '../lib/constructs/cluster.ts';
import { envConfig, fixtureStack, fixtureVpc } from './fixtures.ts';
import { resourcesOf } from './helpers.ts';

/** The Cluster construct alone in a fresh Stack, with the named environment's config as its props. */
function clusterTemplate(env: string): Template {
  const config = envConfig(env);
  const stack = fixtureStack();
  new Cluster(stack, 'Cluster', {
    vpc: fixtureVpc(stack),
    clusterName: names(env).cluster,
    containerInsights: config.service.containerInsights,
    ecsExec: config.service.ecsExec,
    logRetentionDays: config.service.logRetentionDays,
    retainData: config.retainData,
  });
  return Template.fromStack(stack);
}
const dev = clusterTemplate('dev');
const prod = clusterTemplate('prod');
describe('ECS cluster', () => {
  it('turns Container Insights on per config (enhanced in prod, off in dev to save cost)', () => {
    prod.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
    });
    dev.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }],
    });
  });

  it('offers FARGATE and FARGATE_SPOT capacity providers', () => {
    prod.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: Match.arrayWith(['FARGATE', 'FARGATE_SPOT']),
    });
  });

  it('encrypts Fargate ephemeral storage with a rotated single-Region key ECS may use for this cluster only', () => {
    const [, cluster] = resourcesOf(prod, 'AWS::ECS::Cluster')[0] ?? [];
    const keyRef = cluster?.Properties.Configuration.ManagedStorageConfiguration.FargateEphemeralStorageKmsKeyId;
    const keyId = keyRef?.Ref as string;
    assert.ok(keyId, 'managed storage key is set');
    const key = prod.toJSON().Resources[keyId];
    assert.equal(key.Properties.EnableKeyRotation, true);
    assert.notEqual(key.Properties.MultiRegion, true);
    const statements = key.Properties.KeyPolicy.Statement as {
      Principal: { Service?: string };
      Action: string | string[];
      Condition?: Record<string, Record<string, unknown>>;
    }[];
    const fargate = statements.filter((s) => s.Principal.Service === 'fargate.amazonaws.com');
    assert.deepEqual(fargate.map((s) => s.Action).sort(), ['kms:CreateGrant', 'kms:GenerateDataKeyWithoutPlaintext']);
    for (const s of fargate) {
      assert.deepEqual(s.Condition?.StringEquals?.['kms:EncryptionContext:aws:ecs:clusterName'], ['nodeapp-prod']);
      assert.deepEqual(s.Condition?.StringEquals?.['kms:EncryptionContext:aws:ecs:clusterAccount'], [
        { Ref: 'AWS::AccountId' },
      ]);
    }
  });

  it('configures ECS Exec (KMS key, encrypted session logs) only where config enables it', () => {
    dev.hasResourceProperties('AWS::ECS::Cluster', {
      Configuration: Match.objectLike({
        ExecuteCommandConfiguration: {
          KmsKeyId: Match.anyValue(),
          Logging: 'OVERRIDE',
          LogConfiguration: { CloudWatchEncryptionEnabled: true, CloudWatchLogGroupName: Match.anyValue() },
        },
      }),
    });
    const [, prodCluster] = resourcesOf(prod, 'AWS::ECS::Cluster')[0] ?? [];
    assert.equal(prodCluster?.Properties.Configuration.ExecuteCommandConfiguration, undefined);
  });
});
