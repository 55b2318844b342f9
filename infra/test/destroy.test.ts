// A destroy must finish (issue 12 item 10, issue 13 item 7): S3 refuses to delete a bucket that still holds objects
// or object versions (BucketNotEmpty, https://docs.aws.amazon.com/AmazonS3/latest/userguide/delete-bucket.html).
// So every bucket the stack deletes must be emptied by the auto-delete custom resource; retained ones stay.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
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
