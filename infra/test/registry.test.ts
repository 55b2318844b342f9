import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from './helpers.ts';

const stacks = buildTestApp({ env: 'dev' });
const registry = Template.fromStack(stacks.registry);

describe('registry (ECR)', () => {
  it('has immutable tags, scan on push and KMS encryption', () => {
    registry.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'nodeapp',
      ImageTagMutability: 'IMMUTABLE',
      ImageScanningConfiguration: { ScanOnPush: true },
      EncryptionConfiguration: { EncryptionType: 'KMS' },
    });
  });

  it('keeps at least 20 images for rollbacks and expires untagged ones', () => {
    const repo = Object.values(registry.findResources('AWS::ECR::Repository'))[0];
    const policy = JSON.parse(repo?.Properties.LifecyclePolicy.LifecyclePolicyText) as {
      rules: { selection: { tagStatus: string; countType: string; countNumber: number } }[];
    };
    const untagged = policy.rules.find((r) => r.selection.tagStatus === 'untagged');
    const kept = policy.rules.find((r) => r.selection.tagStatus === 'any');
    assert.equal(untagged?.selection.countType, 'sinceImagePushed');
    assert.equal(kept?.selection.countType, 'imageCountMoreThan');
    assert.ok((kept?.selection.countNumber ?? 0) >= 20);
  });

  it('outputs the repository URI and keeps the repository on stack deletion', () => {
    registry.hasOutput('RepositoryUri', {});
    registry.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain' });
  });

  it('grants pulls to environment accounts other than the shared one', () => {
    const crossAccount = buildTestApp({
      env: 'dev',
      overrides: { prod: (c) => ({ ...c, account: '333333333333' }) },
    });
    const repo = Object.values(Template.fromStack(crossAccount.registry).findResources('AWS::ECR::Repository'))[0];
    const principals = JSON.stringify(repo?.Properties.RepositoryPolicyText);
    assert.match(principals, /333333333333/);
    assert.equal(registry.toJSON().Resources.RepositoryPolicyText, undefined);
  });
});
