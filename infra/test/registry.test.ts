import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IMAGE_NAMES, IMAGES } from '../config/images.ts';
import { Registry } from '../lib/constructs/registry.ts';
import { buildTestApp, type CfnProperties, resourcesOf } from './helpers.ts';

const stacks = buildTestApp({ env: 'dev' });
const registry = Template.fromStack(stacks.registry);
const repositories = resourcesOf(registry, 'AWS::ECR::Repository').map(([, r]) => r.Properties);

interface LifecycleRule {
  rulePriority: number;
  selection: {
    tagStatus: 'tagged' | 'untagged' | 'any';
    tagPatternList?: string[];
    tagPrefixList?: string[];
    countType: 'imageCountMoreThan' | 'sinceImagePushed';
    countNumber: number;
  };
}
interface StoredImage {
  digest: string;
  tags: string[];
  pushedDay: number;
  /** For a manifest list: the digests of its per-architecture images. */
  children: string[];
}

/**
 * Which images ECR's lifecycle evaluation expires, per its documented rules
 * (https://docs.aws.amazon.com/AmazonECR/latest/userguide/LifecyclePolicies.html#lifecycle_policy_evaluation):
 * rules in priority order, each image matched by at most one rule, `imageCountMoreThan` keeps the newest N of what
 * the rule selects, `sinceImagePushed` expires what is older than N days. Manifests are judged one by one: a list
 * does not protect the images it references (https://github.com/aws/containers-roadmap/issues/1466).
 */
function expired(rules: LifecycleRule[], images: StoredImage[], today: number): Set<string> {
  const out = new Set<string>();
  const matched = new Set<string>();
  const glob = (pattern: string) =>
    new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
  for (const rule of [...rules].sort((a, b) => a.rulePriority - b.rulePriority)) {
    const { tagStatus, tagPatternList, tagPrefixList, countType, countNumber } = rule.selection;
    const selected = images
      .filter((i) => !matched.has(i.digest))
      .filter((i) => {
        if (tagStatus === 'untagged') return i.tags.length === 0;
        if (tagStatus === 'any') return true;
        const patterns = [...(tagPatternList ?? []).map(glob), ...(tagPrefixList ?? []).map((p) => glob(`${p}*`))];
        return i.tags.some((tag) => patterns.some((p) => p.test(tag)));
      })
      .sort((a, b) => b.pushedDay - a.pushedDay);
    for (const [rank, image] of selected.entries()) {
      matched.add(image.digest);
      const expire = countType === 'imageCountMoreThan' ? rank >= countNumber : today - image.pushedDay > countNumber;
      if (expire) out.add(image.digest);
    }
  }
  return out;
}

/** A release a day for `days` days: a tagged manifest list and its untagged amd64 and arm64 images. */
function releases(days: number): StoredImage[] {
  return Array.from({ length: days }, (_, day) => [
    { digest: `list-${day}`, tags: [`sha${day}`], pushedDay: day, children: [`amd64-${day}`, `arm64-${day}`] },
    { digest: `amd64-${day}`, tags: [], pushedDay: day, children: [] },
    { digest: `arm64-${day}`, tags: [], pushedDay: day, children: [] },
  ]).flat();
}

function rulesOf(repository: CfnProperties): LifecycleRule[] {
  return (JSON.parse(repository.LifecyclePolicy.LifecyclePolicyText) as { rules: LifecycleRule[] }).rules;
}

describe('registry (ECR)', () => {
  it('creates one repository per image of config/images.ts', () => {
    assert.deepEqual(
      repositories.map((r) => r.RepositoryName).sort(),
      IMAGE_NAMES.map((n) => IMAGES[n].repositoryName).sort(),
    );
  });

  it('has immutable tags, scan on push, KMS encryption and retention on stack deletion for every repository', () => {
    for (const name of IMAGE_NAMES) {
      registry.hasResource('AWS::ECR::Repository', {
        DeletionPolicy: 'Retain',
        Properties: {
          RepositoryName: IMAGES[name].repositoryName,
          ImageTagMutability: 'IMMUTABLE',
          ImageScanningConfiguration: { ScanOnPush: true },
          EncryptionConfiguration: { EncryptionType: 'KMS' },
        },
      });
    }
  });

  it('never expires an image of a kept multi-arch release, and keeps as many releases as configured', () => {
    const keep = stacks.config.shared.keepReleases;
    assert.ok(keep >= 20);
    for (const repository of repositories) {
      const images = releases(keep + 10);
      const gone = expired(rulesOf(repository), images, keep + 60);
      const lists = images.filter((i) => i.children.length > 0);
      const kept = lists.filter((l) => !gone.has(l.digest));
      assert.equal(kept.length, keep, `${repository.RepositoryName}: releases kept (rollback depth)`);
      for (const list of kept) {
        for (const child of list.children) {
          assert.ok(!gone.has(child), `${repository.RepositoryName}: ${child} of kept ${list.tags[0]} expired`);
        }
      }
    }
  });

  it('outputs each repository URI (RepositoryUri is the app one)', () => {
    for (const id of [
      'RepositoryUri',
      'PrometheusRepositoryUri',
      'AlertmanagerRepositoryUri',
      'GrafanaRepositoryUri',
    ]) {
      registry.hasOutput(id, {});
    }
  });

  it('grants pulls to environment accounts other than the shared one, on every repository', () => {
    const stack = new Stack();
    new Registry(stack, 'Registry', {
      repositoryNames: ['repo-a', 'repo-b'],
      keepReleases: 20,
      pullAccounts: ['333333333333', '333333333333'],
    });
    for (const [, repo] of resourcesOf(Template.fromStack(stack), 'AWS::ECR::Repository')) {
      assert.match(JSON.stringify(repo.Properties.RepositoryPolicyText), /333333333333/);
    }
    const none = new Stack();
    new Registry(none, 'Registry', { repositoryNames: ['repo-a'], keepReleases: 20, pullAccounts: [] });
    for (const [, repo] of resourcesOf(Template.fromStack(none), 'AWS::ECR::Repository')) {
      assert.equal(repo.Properties.RepositoryPolicyText, undefined);
    }
  });
});
