// A destroy must finish (issue 12 item 10, issue 13 item 7): S3 refuses to delete a bucket that still holds objects
// or object versions (BucketNotEmpty, https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html).
// So every bucket the stack deletes must be emptied by the auto-delete custom resource; retained ones stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LoadBalancer } from '../lib/constructs/load-balancer.ts';
import { fixtureStack, fixtureVpc } from './fixtures.ts';
import { buildTestApp, type CfnProperties } from './helpers.ts';

const stacks = buildTestApp();

describe('destroy', () => {
  for (const env of ['dev', 'staging', 'prod']) {
    it(`${env}: every bucket a stack deletes is emptied first by the auto-delete custom resource`, () => {
      const envStacks = stacks.environments.get(env);
      assert.ok(envStacks);
      let deleted = 0;
      for (const stack of [envStacks.network, envStacks.data, envStacks.service]) {
        if (!stack) continue;
        const resources = Template.fromStack(stack).toJSON().Resources as Record<string, CfnProperties>;
        const emptied = new Set(
          Object.values(resources)
            .filter((r) => r.Type === 'Custom::S3AutoDeleteObjects')
            .map((r) => r.Properties.BucketName.Ref as string),
        );
        for (const [id, bucket] of Object.entries(resources)) {
          if (bucket.Type !== 'AWS::S3::Bucket') continue;
          const retained = bucket.DeletionPolicy === 'Retain' || bucket.DeletionPolicy === 'RetainExceptOnCreate';
          if (retained) continue;
          deleted++;
          assert.ok(emptied.has(id), `${stack.stackName}/${id} is deleted with the stack but never emptied`);
        }
      }
      assert.ok(deleted > 0, `${env}: at least the static site bucket is deleted with the stack`);
    });
  }

  it('prod retains its access-log bucket (retainData) and deletes only the static site bucket', () => {
    const prod = Template.fromStack(stacks.environments.get('prod')?.service ?? assert.fail('prod'));
    prod.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });
});

describe('access-log bucket (LoadBalancer alone, fixtures)', () => {
  for (const retainData of [false, true]) {
    it(`retainData ${retainData}: ${retainData ? 'retained, never emptied' : 'deleted and emptied first'}`, () => {
      const stack = fixtureStack();
      const lb = new LoadBalancer(stack, 'LoadBalancer', {
        vpc: fixtureVpc(stack),
        cloudFrontPrefixListId: 'pl-3b927c52',
        accessLogRetentionDays: 7,
        retainData,
      });
      // The app service sets the listener's default action; a fixed response stands in for it.
      lb.listener.addAction('Default', { action: elbv2.ListenerAction.fixedResponse(404) });
      const t = Template.fromStack(stack);
      const [bucketId, bucket] = Object.entries(t.findResources('AWS::S3::Bucket'))[0] ?? [];
      assert.equal(bucket?.DeletionPolicy, retainData ? 'Retain' : 'Delete');
      const emptied = Object.values(t.findResources('Custom::S3AutoDeleteObjects')).map(
        (r) => r.Properties.BucketName.Ref,
      );
      assert.deepEqual(emptied, retainData ? [] : [bucketId]);
    });
  }
});
