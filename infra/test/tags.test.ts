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
        assert.equal(tags.Owner, 'nodeapp', `${id} Owner (NODEAPP_OWNER unset)`);
        assert.ok(tags.CostCenter, `${id} CostCenter`);
        checked++;
      }
    }
    assert.ok(checked > 50, `checked ${checked} tagged resources`);
  });

  it('tags the EBS volumes of every EC2 instance too (dev NAT instance root volume, EC2 capacity launch template)', () => {
    const ec2Variant = buildTestApp({ env: 'prod', overrides: { prod: (c) => ({ ...c, capacity: 'ec2' }) } });
    const templates = [
      ...[...stacks.environments.values()].flatMap((e) => [
        Template.fromStack(e.network),
        Template.fromStack(e.service),
      ]),
      ...[...ec2Variant.environments.values()].map((e) => Template.fromStack(e.service)),
    ];
    let instances = 0;
    let launchTemplates = 0;
    for (const t of templates) {
      // A volume created with an instance carries no tags unless the instance propagates its own.
      for (const [id, instance] of Object.entries(t.findResources('AWS::EC2::Instance'))) {
        assert.equal(
          instance.Properties.PropagateTagsToVolumeOnCreation,
          true,
          `${id} PropagateTagsToVolumeOnCreation`,
        );
        const tags = tagsOf(instance.Properties.Tags);
        assert.ok(tags.Project && tags.Environment && tags.CostCenter, `${id} has the tags to propagate`);
        instances++;
      }
      for (const [id, template] of Object.entries(t.findResources('AWS::EC2::LaunchTemplate'))) {
        const specs: CfnProperties[] = template.Properties.LaunchTemplateData.TagSpecifications ?? [];
        const volume = specs.find((s) => s.ResourceType === 'volume');
        assert.ok(volume, `${id} tags its volumes`);
        const tags = tagsOf(volume.Tags);
        assert.ok(tags.Project && tags.Environment && tags.CostCenter, `${id} volume tags`);
        launchTemplates++;
      }
    }
    assert.equal(instances, 1, 'the dev NAT instance');
    assert.ok(launchTemplates >= 1, 'the EC2 capacity launch template');
  });
});
