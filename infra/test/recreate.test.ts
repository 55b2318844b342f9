// `npm run up` after `npm run down` must work: a retained resource outlives its stack, so it must not carry a fixed
// name, or creating the stack again fails with "already exists" (prod retains its logs, buckets and keys). Every
// stack of every environment, every retained resource, every name property CloudFormation would otherwise generate.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp } from './helpers.ts';

/** Properties that give a resource a fixed physical name (the ones these stacks could set on retained types). */
const NAME_PROPERTIES = ['LogGroupName', 'BucketName', 'AliasName', 'Name', 'RepositoryName', 'DBInstanceIdentifier'];

describe('a deleted environment can be created again', () => {
  it('no retained resource of any environment stack has a fixed name', () => {
    const stacks = buildTestApp();
    const named: string[] = [];
    let retained = 0;
    for (const [env, e] of stacks.environments) {
      for (const stack of [e.network, e.data, e.service, e.monitoring]) {
        if (!stack) continue;
        const resources = Template.fromStack(stack).toJSON().Resources as Record<
          string,
          { Type: string; DeletionPolicy?: string; Properties?: Record<string, unknown> }
        >;
        for (const [id, r] of Object.entries(resources)) {
          if (r.DeletionPolicy !== 'Retain') continue;
          retained++;
          for (const p of NAME_PROPERTIES)
            if (r.Properties?.[p] !== undefined) named.push(`${env} ${stack.stackName} ${id} (${r.Type}) ${p}`);
        }
      }
    }
    assert.ok(retained > 0, 'prod retains resources (the case this test is about)');
    assert.deepEqual(named, []);
  });
});
