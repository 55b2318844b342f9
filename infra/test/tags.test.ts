import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Template } from 'aws-cdk-lib/assertions';
import { buildTestApp, type CfnProperties } from './helpers.ts';

const stacks = buildTestApp();

function tagsOf(tags: unknown): Record<string, unknown> {
  if (Array.isArray(tags))
    return Object.fromEntries(tags.map((t: { Key: string; Value: unknown }) => [t.Key, t.Value]));
  return (tags ?? {}) as Record<string, unknown>;
}

describe('tags', () => {
  it('puts Project, Environment, Owner and CostCenter on every taggable resource', () => {
    const all = [
      ['shared', Template.fromStack(stacks.registry)],
      ['shared', Template.fromStack(stacks.githubDeploy)],
      ...[...stacks.environments.values()].flatMap((e) => [
        [e.config.name, Template.fromStack(e.network)],
        ...(e.data ? [[e.config.name, Template.fromStack(e.data)]] : []),
        [e.config.name, Template.fromStack(e.service)],
      ]),
    ] as [string, Template][];
    let checked = 0;
    for (const [env, t] of all) {
      for (const [id, resource] of Object.entries(t.toJSON().Resources as Record<string, CfnProperties>)) {
        if (!resource.Properties || !('Tags' in resource.Properties)) continue;
        const tags = tagsOf(resource.Properties.Tags);
        assert.equal(tags.Project, 'nodeapp', `${id} Project`);
        assert.equal(tags.Environment, env, `${id} Environment`);
        assert.equal(tags.Owner, 'platform-team', `${id} Owner`);
        assert.ok(tags.CostCenter, `${id} CostCenter`);
        checked++;
      }
    }
    assert.ok(checked > 50, `checked ${checked} tagged resources`);
  });
});
