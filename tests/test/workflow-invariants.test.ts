// The security and delivery invariants of the workflows, checked on the real files and shown to fail on bad ones.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { listWorkflows, parseYaml, readRepoFile, repoRoot } from '../src/repo.ts';
import { asWorkflow, type Workflow } from '../src/workflow-model.ts';
import {
  deliveryRules,
  isMainOnly,
  leastPrivilege,
  noStaticAwsKeys,
  parsePins,
  pinnedActions,
} from '../src/workflow-rules.ts';

const workflows = listWorkflows().map((w) => ({ ...w, wf: asWorkflow(parseYaml(w.text), w.path) }));
const cicdPath = '.github/workflows/cicdaws-workflow.yml';
const cicd = workflows.find((w) => w.path === cicdPath);
const destroy = workflows.find((w) => w.path === '.github/workflows/destroy.yml');

// The verified pins live beside the repository (../shared) on the project's machines, not in a GitHub checkout.
const pinsFile = process.env.NODEAPP_ACTION_PINS ?? join(repoRoot, '..', 'shared', 'github-actions-pins.md');

/** A GitHub expression as it appears in the YAML: ${{ body }}. */
const expr = (body: string) => `\${{ ${body} }}`;

function load(text: string): Workflow {
  return asWorkflow(parseYaml(text), 'fixture.yml');
}

describe('every workflow', () => {
  test('both workflows exist and parse', () => {
    assert.ok(cicd, `${cicdPath} missing`);
    assert.ok(destroy, 'destroy.yml missing');
  });
  for (const { path, text, wf } of workflows) {
    test(`${path}: no long-lived AWS keys`, () => assert.deepEqual(noStaticAwsKeys(text), []));
    test(`${path}: every action pinned to a commit SHA with a version comment`, () => {
      assert.deepEqual(pinnedActions(text, wf), []);
    });
    test(`${path}: every action is a verified pin`, (t) => {
      if (!existsSync(pinsFile)) return t.skip(`no verified pins list at ${pinsFile}`);
      const pins = parsePins(readFileSync(pinsFile, 'utf8'));
      assert.ok(pins.size >= 10, `parsed only ${pins.size} pins from ${pinsFile}`);
      assert.deepEqual(pinnedActions(text, wf, pins), []);
    });
    test(`${path}: least privilege (contents: read; id-token only where a role is assumed)`, () => {
      assert.deepEqual(leastPrivilege(wf), []);
    });
    test(`${path}: never runs untrusted fork code with secrets (no pull_request_target)`, () => {
      assert.doesNotMatch(text, /pull_request_target|workflow_run/);
    });
    test(`${path}: every job has a timeout`, () => {
      for (const [id, job] of Object.entries(wf.jobs)) assert.ok(job['timeout-minutes'], `job ${id}`);
    });
  }
});

describe('cicdaws-workflow.yml', () => {
  const wf = cicd?.wf as Workflow;
  test('triggers: pull requests, pushes to main, manual dispatch', () => {
    assert.deepEqual(wf.on, { pull_request: null, push: { branches: ['main'] }, workflow_dispatch: null });
  });
  test('concurrency per ref, cancelling superseded pull request runs only', () => {
    assert.deepEqual(wf.concurrency, {
      group: `cicdaws-${expr('github.ref')}`,
      'cancel-in-progress': expr("github.event_name == 'pull_request'"),
    });
  });
  test('delivery: build once, deploy jobs need test+synth+image, main only, production after staging', () => {
    assert.deepEqual(deliveryRules(wf), []);
  });
  test('deploys of one environment never overlap or get cancelled', () => {
    for (const id of ['deploy-staging', 'deploy-production']) {
      const c = wf.jobs[id]?.concurrency;
      assert.ok(typeof c === 'object', `${id} has no concurrency group`);
      assert.equal(c['cancel-in-progress'], false, id);
    }
  });
  test('production requires its own environment (reviewers are configured there)', () => {
    assert.deepEqual(wf.jobs['deploy-production']?.environment, {
      name: 'production',
      url: expr('steps.deploy.outputs.url'),
    });
  });
  test('the test job runs .ci/run, so what CI proves here is what GitHub runs', () => {
    const runs = (wf.jobs.test?.steps ?? []).map((s) => s.run ?? '').join('\n');
    assert.match(runs, /bash \.ci\/run/);
  });
  test('the image job smoke-tests, scans (fixable HIGH/CRITICAL fail) and exports an SBOM', () => {
    const steps = wf.jobs.image?.steps ?? [];
    assert.ok(
      steps.some((s) => s.run?.includes('scripts/container-smoke.sh')),
      'no container smoke test',
    );
    const trivy = steps.find((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    assert.equal(trivy?.with?.severity, 'HIGH,CRITICAL');
    assert.equal(trivy?.with?.['ignore-unfixed'], true);
    assert.equal(trivy?.with?.['exit-code'], '1');
    assert.ok(
      steps.some((s) => s.uses?.startsWith('anchore/sbom-action@')),
      'no SBOM',
    );
  });
  test('the image is pushed once, tagged with the commit SHA, and its digest is a job output', () => {
    const pushes = (wf.jobs.image?.steps ?? []).filter((s) => s.with?.push === true);
    assert.equal(pushes.length, 1);
    assert.match(String(pushes[0]?.with?.tags), /:\$\{\{ github\.sha \}\}$/);
    assert.equal(
      (wf.jobs.image as unknown as { outputs: Record<string, string> }).outputs.digest,
      expr(`steps.${pushes[0]?.id}.outputs.digest`),
    );
  });
});

describe('destroy.yml', () => {
  const wf = destroy?.wf as Workflow;
  const inputs = (wf.on as { workflow_dispatch: { inputs: Record<string, Record<string, unknown>> } }).workflow_dispatch
    .inputs;
  test('manual dispatch only, with environment choice, typed confirmation and a production opt-in', () => {
    assert.deepEqual(Object.keys(wf.on as object), ['workflow_dispatch']);
    assert.deepEqual(inputs.environment?.options, ['staging', 'production']);
    assert.equal(inputs.confirm?.type, 'string');
    assert.deepEqual(
      { type: inputs['allow-production']?.type, default: inputs['allow-production']?.default },
      { type: 'boolean', default: false },
    );
  });
  test('the confirmation check runs before anything else and refuses production without the opt-in', () => {
    const first = wf.jobs.destroy?.steps?.[0];
    assert.match(first?.run ?? '', /"\$CONFIRM" != "destroy \$TARGET"/);
    assert.match(first?.run ?? '', /"\$TARGET" = production \] && \[ "\$ALLOW_PRODUCTION" != true/);
  });
  test('only the environment stacks are destroyed: ECR (NodeappRegistry) and the deploy role stay', () => {
    const script = readRepoFile('scripts/destroy-env.sh');
    assert.match(script, /cdk destroy --force -c "env=\$env_name" .* "Nodeapp-\$env_name-\*"$/m);
    assert.doesNotMatch(script, /NodeappRegistry"|--all/);
  });
});

describe('the rules reject bad workflows', () => {
  const bad = `
on: [push]
permissions: write-all
jobs:
  image:
    runs-on: ubuntu-latest
    permissions: { id-token: write }
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@53b7df96c91f9c12dcc8a07bcb9ccacbed38856a
        with: { push: true }
      - uses: aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c # v6.2.3
        with: { aws-access-key-id: x, aws-secret-access-key: y }
  deploy-staging:
    needs: image
    runs-on: ubuntu-latest
    environment: staging
    steps: [{ run: deploy }]
  deploy-production:
    needs: [test, synth, image]
    if: github.ref == 'refs/heads/main' || true
    runs-on: ubuntu-latest
    environment: production
    permissions: { id-token: write }
    steps: [{ run: deploy, env: { TAG: latest } }]
`;
  const wf = load(bad);
  test('static keys', () => assert.equal(noStaticAwsKeys(bad).length, 2));
  test('unpinned and uncommented actions', () => {
    const problems = pinnedActions(bad, wf);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0] ?? '', /actions\/checkout@v4: not pinned/);
    assert.match(problems[1] ?? '', /build-push-action.*version comment/);
  });
  test('a SHA that is not the verified one', () => {
    const pins = parsePins(`| aws-actions/configure-aws-credentials | v6.2.3 | ${'a'.repeat(40)} | node24 |`);
    const problems = pinnedActions(bad, wf, pins).filter((p) => p.includes('verified pin'));
    assert.equal(problems.length, 1, problems.join('\n'));
  });
  test('broad permissions and id-token without a role', () => {
    const problems = leastPrivilege(wf);
    assert.match(problems.join('\n'), /top-level permissions/);
    assert.match(problems.join('\n'), /job deploy-production: id-token: write but never assumes/);
  });
  test('deploys not gated, not main-only, not promoting the built image', () => {
    const text = deliveryRules(wf).join('\n');
    for (const expected of [
      /step "docker\/build-push-action@\w+" talks to AWS or pushes but is not main-only/,
      /deploy job deploy-staging must need test/,
      /deploy job deploy-staging must run on main only/,
      /deploy job deploy-production must run on main only/,
      /deploy job deploy-production does not deploy the output of image/,
      /deploy-production must need deploy-staging/,
    ]) {
      assert.match(text, expected);
    }
  });
  test('main-only conditions', () => {
    assert.equal(isMainOnly("github.ref == 'refs/heads/main' && github.event_name != 'pull_request'"), true);
    assert.equal(isMainOnly("github.ref == 'refs/heads/main'"), false);
    assert.equal(isMainOnly("github.ref == 'refs/heads/main' && github.event_name == 'push' || always()"), false);
  });
});
