// Every log group of every stack is encrypted with a customer-managed KMS key (the brief: encrypt with KMS).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, resourcesOf } from './helpers.ts';

it('every AWS::Logs::LogGroup in every stack has a KmsKeyId (custom-resource functions included)', () => {
  const stacks = buildTestApp();
  const all = [
    stacks.registry,
    stacks.githubDeploy,
    ...[...stacks.environments.values()].flatMap((e) => [e.network, e.data, e.service, e.monitoring]),
  ].filter((s) => s !== undefined);
  const unencrypted: string[] = [];
  let checked = 0;
  for (const stack of all) {
    for (const [id, group] of resourcesOf(Template.fromStack(stack), 'AWS::Logs::LogGroup')) {
      checked++;
      if (!group.Properties?.KmsKeyId) unencrypted.push(`${stack.stackName}/${id}`);
    }
  }
  assert.deepEqual(unencrypted, []);
  assert.ok(checked >= 6, `checked ${checked} log groups`);
});
