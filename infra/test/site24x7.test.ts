import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp, type CfnProperties, resourcesOf, template } from './helpers.ts';

const stacks = buildTestApp({
  overrides: { prod: (c) => ({ ...c, site24x7: { ...c.site24x7, enabled: true } }) },
});
const containers = (env: string): CfnProperties[] =>
  resourcesOf(template(stacks, env, 'service'), 'AWS::ECS::TaskDefinition')[0]?.[1].Properties.ContainerDefinitions;

describe('Site24x7 agent sidecar', () => {
  it('runs the pinned agent image, non-essential, with its own share and the key as an ECS secret', () => {
    const agent = containers('prod').find((c) => c.Name === 'site24x7-agent');
    assert.ok(agent);
    assert.equal(agent.Image, 'site24x7/docker-agent:release22000');
    assert.equal(agent.Essential, false);
    assert.equal(agent.Cpu, 128);
    assert.equal(agent.Memory, 256);
    assert.deepEqual(agent.Environment, [{ Name: 'SERVERLESS', Value: 'true' }]);
    assert.equal(agent.Secrets[0].Name, 'KEY');
    assert.equal(agent.MountPoints, undefined, 'no host mounts');
  });

  it('is absent when config leaves it off (the default)', () => {
    assert.deepEqual(
      containers('dev').map((c) => c.Name),
      ['app'],
    );
  });
});
