// The security and delivery invariants of the workflows, checked on the real files and shown to fail on bad ones.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { skipUnless } from '@nodeapp/test-support';
import {
  deploysUseTestedDigest,
  everyPushedPlatformTested,
  type Leg,
  matrixLegs,
  pushedPlatforms,
  testedPlatforms,
} from '../src/image-rules.ts';
import { listWorkflows, parseYaml, readRepoFile, repoRoot } from '../src/repo.ts';
import { hasCommand, jqRequirement } from '../src/run-script.ts';
import { asWorkflow, type Job, type Workflow } from '../src/workflow-model.ts';
import {
  archiveFormat,
  artifactRules,
  artifactsPerAttempt,
  deliveryRules,
  isMainOnly,
  leastPrivilege,
  noStaticAwsKeys,
  parsePins,
  pinnedActions,
  rolesPerJob,
  scriptsCalled,
} from '../src/workflow-rules.ts';

const workflows = listWorkflows().map((w) => ({ ...w, wf: asWorkflow(parseYaml(w.text), w.path) }));
const cicdPath = '.github/workflows/cicdaws-workflow.yml';
const cicd = workflows.find((w) => w.path === cicdPath);
const destroy = workflows.find((w) => w.path === '.github/workflows/destroy.yml');
const rollback = workflows.find((w) => w.path === '.github/workflows/rollback.yml');

// The verified pins live in the repository, next to the workflows that use them.
const pinsFile = '.github/action-pins.md';

/** The image job's legs as the plan job computes them (scripts/image-plan.sh, no registry: every image is built). */
function plannedLegs(env: Record<string, string> = {}): Leg[] {
  const out = execFileSync('bash', ['scripts/image-plan.sh'], {
    cwd: repoRoot,
    env: { ...process.env, TAG: 'c'.repeat(40), REGISTRY: '', GITHUB_OUTPUT: '', ARM64_RUNNER: '', ...env },
    encoding: 'utf8',
  });
  const line = out.split('\n').find((l) => l.startsWith('matrix='));
  return (JSON.parse(line?.slice('matrix='.length) ?? '{}') as { include: Leg[] }).include;
}
// scripts/image-plan.sh needs jq: the tests reading its legs skip without it (fail in CI).
const jqSkip = skipUnless(hasCommand('jq'), jqRequirement);
const legs = jqSkip ? [] : plannedLegs();

/** A GitHub expression as it appears in the YAML: ${{ body }}. */
const expr = (body: string) => `\${{ ${body} }}`;

function load(text: string): Workflow {
  return asWorkflow(parseYaml(text), 'fixture.yml');
}

describe('every workflow', () => {
  test('the workflows exist and parse', () => {
    assert.ok(cicd, `${cicdPath} missing`);
    assert.ok(destroy, 'destroy.yml missing');
    assert.ok(rollback, 'rollback.yml missing');
  });
  for (const { path, text, wf } of workflows) {
    test(`${path}: no long-lived AWS keys`, () => assert.deepEqual(noStaticAwsKeys(text), []));
    test(`${path}: every action pinned to a commit SHA with a version comment`, () => {
      assert.deepEqual(pinnedActions(text, wf), []);
    });
    test(`${path}: every action is a verified pin (${pinsFile})`, () => {
      const pins = parsePins(readRepoFile(pinsFile));
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
  test('concurrency: pull requests per ref (superseded runs cancelled); main runs never wait for each other', () => {
    assert.deepEqual(wf.concurrency, {
      group: `cicdaws-${expr("github.event_name == 'pull_request' && github.ref || github.run_id")}`,
      'cancel-in-progress': expr("github.event_name == 'pull_request'"),
    });
  });
  // Before the environment: a superseded commit skips production (a skipped job records no deployment). After the
  // reviewers' approval: main may have moved meanwhile, and then the job fails, never a successful deployment.
  test('a superseded production deploy is skipped before its environment, or fails after approval', () => {
    const gate = wf.jobs['production-gate'];
    assert.equal(gate?.environment, undefined, 'the gate has no environment');
    assert.match(gate?.steps?.find((s) => s.id === 'superseded')?.run ?? '', /^bash scripts\/superseded-check\.sh$/);
    assert.equal(gate?.outputs?.superseded, expr('steps.superseded.outputs.superseded'));
    const prod = wf.jobs['deploy-production'];
    assert.ok(((prod?.needs ?? []) as string[]).includes('production-gate'));
    assert.match(prod?.if ?? '', /needs\.production-gate\.outputs\.superseded == 'false'/);
    const steps = prod?.steps ?? [];
    assert.ok(steps[0]?.uses?.startsWith('actions/checkout@'), 'the check runs a script of the checkout');
    assert.equal(steps[1]?.id, 'superseded');
    assert.equal(steps[1]?.run, 'bash scripts/superseded-check.sh --fail');
    assert.equal(steps[1]?.if, undefined, 'the check always runs');
    const firstAws = steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    assert.ok(firstAws > 1, 'no AWS step before the check');
  });
  // "Re-run failed jobs" keeps the run's artifacts: a second upload under an earlier attempt's name fails.
  test('every artifact is named per attempt or replaces its earlier upload (re-runs succeed)', () => {
    assert.deepEqual(artifactsPerAttempt(wf), []);
    const image = wf.jobs.image?.steps?.find((s) => String(s.with?.name ?? '').startsWith('image-'));
    assert.equal(image?.with?.overwrite, true, 'the push job reads one archive per leg: the latest');
  });
  test("the test job checks out the full history (the previous release's data-access tests)", () => {
    const checkout = wf.jobs.test?.steps?.find((s) => s.uses?.startsWith('actions/checkout@'));
    assert.equal(checkout?.with?.['fetch-depth'], 0);
  });
  test('each job assumes only its own role, from a repository variable', () => {
    assert.deepEqual(
      rolesPerJob(wf, {
        plan: ['AWS_IMAGE_PUSH_ROLE_ARN'],
        push: ['AWS_IMAGE_PUSH_ROLE_ARN'],
        'deploy-staging': ['AWS_STAGING_DEPLOY_ROLE_ARN'],
        'deploy-production': ['AWS_PRODUCTION_DEPLOY_ROLE_ARN'],
      }),
      [],
    );
  });
  test('the push job needs test and synth: nothing reaches ECR from a failing commit', () => {
    const needs = wf.jobs.push?.needs as string[];
    for (const job of ['test', 'synth', 'plan', 'image']) assert.ok(needs.includes(job), `push must need ${job}`);
  });
  test('archives: type=docker (docker load reads it) with zstd layers, under the runner temp dir, every artifact with a retention', () => {
    assert.deepEqual(archiveFormat(wf), []);
    assert.deepEqual(artifactRules(wf), []);
  });
  test('the image matrix is computed from infra/config/images.ts: every image on both architectures', {
    skip: jqSkip,
  }, () => {
    assert.equal(wf.jobs.image?.strategy?.matrix, expr('fromJSON(needs.plan.outputs.matrix)'));
    const images = [...readRepoFile('infra/config/images.ts').matchAll(/^ {2}(\w+): \{ ?\n? *repositoryName/gm)];
    assert.ok(images.length >= 4, 'images.ts lists the images');
    const names = images.map((m) => m[1]).sort();
    assert.deepEqual(
      legs.map((l) => `${l.image} ${l.platform} ${l.runner} ${l.qemu}`).sort(),
      names.flatMap((n) => [`${n} linux/amd64 ubuntu-24.04 false`, `${n} linux/arm64 ubuntu-24.04-arm false`]).sort(),
    );
  });
  test('the local image name of every leg is a valid image reference (lowercase), as docker load and run need', {
    skip: jqSkip,
  }, () => {
    const local = String(wf.jobs.image?.env?.LOCAL_IMAGE ?? '');
    // The Docker reference grammar (distribution/reference): lowercase path components, then a tag.
    const reference =
      /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*:\w[\w.-]{0,127}$/;
    assert.ok(legs.length >= 8);
    for (const leg of legs) {
      const name = local.replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (_, key: string) => String(leg[key]));
      assert.match(name, reference, `leg ${leg.image} ${leg.arch}: LOCAL_IMAGE ${local} is ${name}`);
    }
    const rehearsal = readRepoFile('scripts/image-rehearsal.sh');
    assert.match(rehearsal, /^ {2}local_tag=\$repository:ci\b/m, 'the rehearsal names its images as the workflow does');
    assert.equal(local, `${expr('matrix.repository')}:ci`);
  });
  test("every script the workflows run exists; the rehearsal runs the image and push jobs' scripts itself", () => {
    for (const { wf: w } of workflows) {
      for (const script of scriptsCalled(w)) assert.ok(existsSync(join(repoRoot, script)), `${script} missing`);
    }
    const imageAndPush = { ...wf, jobs: { plan: wf.jobs.plan, image: wf.jobs.image, push: wf.jobs.push } } as Workflow;
    assert.deepEqual(scriptsCalled(imageAndPush), [
      'scripts/image-load.sh',
      'scripts/image-plan.sh',
      'scripts/image-smoke.sh',
      'scripts/push-images.sh',
    ]);
    const rehearsal = readRepoFile('scripts/image-rehearsal.sh');
    for (const script of [...scriptsCalled(imageAndPush), 'scripts/image-digest-check.sh']) {
      const runs = new RegExp(`bash ${script.replace('.', '\\.')}[ )]`).test(rehearsal);
      assert.ok(runs, `the rehearsal does not run ${script}`);
    }
    assert.match(readRepoFile('scripts/deploy-env.sh'), /^bash scripts\/image-digest-check\.sh "\$IMAGE_TAG"$/m);
  });
  test('ARM64_RUNNER=qemu moves the arm64 legs to amd64 runners under QEMU', { skip: jqSkip }, () => {
    const arm = plannedLegs({ ARM64_RUNNER: 'qemu' }).filter((l) => l.arch === 'arm64');
    assert.ok(arm.length >= 4);
    for (const leg of arm) assert.deepEqual([leg.runner, leg.qemu], ['ubuntu-24.04', 'true']);
    const qemuStep = (wf.jobs.image?.steps ?? []).find((s) => s.uses?.startsWith('docker/setup-qemu-action@'));
    assert.equal(qemuStep?.if, "matrix.qemu == 'true'");
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
  test('each image leg smoke-tests its platform, scans (fixable HIGH/CRITICAL fail) and exports an SBOM', () => {
    const steps = wf.jobs.image?.steps ?? [];
    const smoke = steps.find((s) => s.run?.includes('scripts/image-smoke.sh'));
    assert.equal(smoke?.env?.SMOKE_PLATFORM, expr('matrix.platform'));
    const trivy = steps.find((s) => s.uses?.startsWith('aquasecurity/trivy-action@'));
    assert.equal(trivy?.with?.severity, 'HIGH,CRITICAL');
    assert.equal(trivy?.with?.['ignore-unfixed'], true);
    assert.equal(trivy?.with?.['exit-code'], '1');
    const sbom = steps.find((s) => s.uses?.startsWith('anchore/sbom-action@'));
    assert.equal(
      sbom?.with?.['artifact-name'],
      `sbom-${expr('matrix.image')}-${expr('matrix.arch')}-${expr('github.run_attempt')}.spdx.json`,
      'one SBOM per image, architecture and attempt',
    );
  });
  test('every pushed architecture is smoke-tested and scanned, on its native runner', { skip: jqSkip }, () => {
    assert.deepEqual(everyPushedPlatformTested(wf, legs), []);
    assert.deepEqual(pushedPlatforms(wf), ['linux/amd64', 'linux/arm64']);
    assert.deepEqual(
      [...new Set(matrixLegs(wf.jobs.image as Job, legs).map((leg) => `${leg.platform} ${leg.runner}`))],
      ['linux/amd64 ubuntu-24.04', 'linux/arm64 ubuntu-24.04-arm'],
    );
  });
  test('the architectures the ECS tasks run (infra/config) are among the tested ones', { skip: jqSkip }, () => {
    const config = readRepoFile('infra/config/environments.ts');
    const archs = [...config.matchAll(/cpuArchitecture:\s*'(\w+)'/g)].map((m) => m[1]);
    assert.ok(archs.length > 0, 'no cpuArchitecture in infra/config/environments.ts');
    const { tested } = testedPlatforms(wf, legs);
    for (const arch of archs) {
      assert.ok(tested.has(arch === 'ARM64' ? 'linux/arm64' : 'linux/amd64'), `${arch} runs in ECS but is not tested`);
    }
  });
  test('deploys use the digest pushed from the tested images (no rebuild), tagged with the commit SHA', () => {
    assert.deepEqual(deploysUseTestedDigest(wf), []);
    const push = wf.jobs.push as Job;
    assert.equal(push.outputs?.tag, expr('github.sha'));
    assert.match(push.steps?.find((s) => s.id === 'push')?.run ?? '', /bash scripts\/push-images\.sh/);
    const publish = readRepoFile('scripts/image-push.sh');
    assert.match(publish, /skopeo copy .*--preserve-digests/);
    assert.match(publish, /buildah manifest push [^\n]*\\\n\s+"\$list" "docker:\/\/\$target:\$tag"/);
    const upload = (wf.jobs.image?.steps ?? []).at(-1);
    assert.ok(
      upload?.uses?.startsWith('actions/upload-artifact@'),
      'the archive is handed over after the smoke and scan',
    );
  });
});

describe('rollback.yml', () => {
  const wf = rollback?.wf as Workflow;
  const jobs = () => wf.jobs;
  test('manual dispatch only, with the commit SHA as a required input', () => {
    assert.deepEqual(Object.keys(wf.on as object), ['workflow_dispatch']);
    const input = (wf.on as { workflow_dispatch: { inputs: Record<string, { required: boolean }> } }).workflow_dispatch
      .inputs.sha;
    assert.equal(input?.required, true);
  });
  test("checks the commit, production's guard and every image digest before any deploy", () => {
    const steps = jobs().release?.steps ?? [];
    const at = (pattern: RegExp) => steps.findIndex((s) => pattern.test(s.run ?? ''));
    assert.ok(at(/scripts\/rollback-commit\.sh/) >= 0 && at(/scripts\/environment-guard\.ts/) >= 0);
    assert.ok(at(/scripts\/release-digests\.sh/) > at(/scripts\/environment-guard\.ts/));
    assert.equal(jobs().release?.environment, undefined);
  });
  test('staging, then production behind its reviewers, both on the same release (tag, digests, code)', () => {
    const staging = jobs()['rollback-staging'];
    const prod = jobs()['rollback-production'];
    assert.equal(typeof staging?.environment === 'object' && staging.environment.name, 'staging');
    assert.equal(typeof prod?.environment === 'object' && prod.environment.name, 'production');
    assert.ok(((prod?.needs ?? []) as string[]).includes('rollback-staging'));
    const deployOf = (job: Job | undefined) => job?.steps?.find((s) => s.id === 'deploy');
    for (const [job, env] of [
      [staging, 'staging'],
      [prod, 'prod'],
    ] as const) {
      assert.equal(deployOf(job)?.run, `bash scripts/deploy-env.sh ${env}`);
      assert.equal(deployOf(job)?.env?.IMAGE_TAG, expr('needs.release.outputs.sha'));
      assert.equal(deployOf(job)?.env?.IMAGE_DIGESTS, expr('needs.release.outputs.digests'));
      const checkout = job?.steps?.find((s) => s.uses?.startsWith('actions/checkout@'));
      assert.equal(checkout?.with?.ref, expr('needs.release.outputs.sha'), 'the release as it was');
      assert.ok(isMainOnly(job?.if), 'main only');
      // No superseded check: a rollback deploys an older commit on purpose.
      assert.doesNotMatch(JSON.stringify(job?.steps), /superseded-check/);
    }
  });
  test("deploys with the pipeline's settings: the same variables in each deploy step, and the same service folder", () => {
    // A setting the pipeline passes and the rollback does not (the alarm recipients: a deploy refuses staging and
    // prod without them) would make every rollback fail at its deploy step.
    const cicdWf = cicd?.wf as Workflow;
    const deployEnv = (w: Workflow, id: string) =>
      Object.keys(w.jobs[id]?.steps?.find((s) => s.id === 'deploy')?.env ?? {})
        .filter((k) => k !== 'IMAGE_TAG' && k !== 'IMAGE_DIGESTS')
        .sort();
    assert.deepEqual(deployEnv(wf, 'rollback-staging'), deployEnv(cicdWf, 'deploy-staging'));
    assert.deepEqual(deployEnv(wf, 'rollback-production'), deployEnv(cicdWf, 'deploy-production'));
    assert.ok(deployEnv(wf, 'rollback-production').includes('NODEAPP_ALARM_EMAILS_PROD'));
    assert.equal(wf.env?.NODEAPP_SERVICE, cicdWf.env?.NODEAPP_SERVICE);
  });
  test('never overlaps a regular deploy of the same environment', () => {
    const group = (w: Workflow, id: string) => {
      const c = w.jobs[id]?.concurrency;
      return typeof c === 'object' ? c : undefined;
    };
    const cicdWf = cicd?.wf as Workflow;
    assert.deepEqual(group(wf, 'rollback-staging'), group(cicdWf, 'deploy-staging'));
    assert.deepEqual(group(wf, 'rollback-production'), group(cicdWf, 'deploy-production'));
  });
  test('each job assumes only its own role (the push role read-only, for the digests)', () => {
    assert.deepEqual(
      rolesPerJob(wf, {
        release: ['AWS_IMAGE_PUSH_ROLE_ARN'],
        'rollback-staging': ['AWS_STAGING_DEPLOY_ROLE_ARN'],
        'rollback-production': ['AWS_PRODUCTION_DEPLOY_ROLE_ARN'],
      }),
      [],
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
  test('each environment is destroyed with its own deploy role (dev has none: by hand, docs/deploy.md)', () => {
    assert.deepEqual(
      rolesPerJob(wf, { destroy: ['AWS_PRODUCTION_DEPLOY_ROLE_ARN', 'AWS_STAGING_DEPLOY_ROLE_ARN'] }),
      [],
    );
    const step = wf.jobs.destroy?.steps?.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    assert.equal(
      step?.with?.['role-to-assume'],
      expr(
        "inputs.environment == 'production' && vars.AWS_PRODUCTION_DEPLOY_ROLE_ARN || vars.AWS_STAGING_DEPLOY_ROLE_ARN",
      ),
    );
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

describe('the image rules reject workflows that push what they did not test', () => {
  // The workflow before native arm64 legs: amd64 loaded and tested, amd64+arm64 rebuilt and pushed in one step.
  const qemuRebuild = load(`
on: push
permissions: { contents: read }
jobs:
  image:
    runs-on: ubuntu-24.04
    permissions: { contents: read, id-token: write }
    steps:
      - uses: docker/build-push-action@x
        with: { platforms: linux/amd64, load: true }
      - run: bash scripts/image-smoke.sh
        env: { SMOKE_PLATFORM: linux/amd64 }
      - uses: aquasecurity/trivy-action@x
        with: { exit-code: "1" }
      - uses: aws-actions/amazon-ecr-login@x
      - id: push
        uses: docker/build-push-action@x
        with: { platforms: "linux/amd64,linux/arm64", push: true }
    outputs: { digests: "${expr('steps.push.outputs.digests')}" }
  deploy:
    needs: image
    environment: staging
    steps: [{ run: deploy, env: { IMAGE_DIGESTS: "${expr('needs.image.outputs.digests')}" } }]
`);
  test('an architecture pushed but never smoke-tested and scanned', () => {
    assert.deepEqual(everyPushedPlatformTested(qemuRebuild), [
      'linux/arm64 is pushed but never smoke-tested and scanned',
    ]);
  });
  test('a push that rebuilds, from the job that built and tested', () => {
    const text = deploysUseTestedDigest(qemuRebuild).join('\n');
    assert.match(
      text,
      /job image: "docker\/build-push-action@x" builds and pushes: the pushed image is not the tested/,
    );
    assert.match(text, /job image both builds and publishes/);
  });

  // Native legs, but the arm64 leg skips its smoke test, the publish job rebuilds and a deploy takes another digest.
  const legs = load(`
on: push
permissions: { contents: read }
jobs:
  image:
    runs-on: ${expr('matrix.runner')}
    strategy:
      matrix:
        include:
          - { platform: linux/amd64, runner: ubuntu-24.04 }
          - { platform: linux/arm64, runner: ubuntu-24.04-arm }
    steps:
      - uses: docker/build-push-action@x
        with: { platforms: "${expr('matrix.platform')}" }
      - run: bash scripts/image-smoke.sh
        if: matrix.platform == 'linux/amd64'
        env: { SMOKE_PLATFORM: "${expr('matrix.platform')}" }
      - uses: aquasecurity/trivy-action@x
        with: { exit-code: "0" }
  push:
    needs: image
    env: { PUSH_PLATFORMS: linux/amd64 linux/arm64 }
    outputs: { digests: sha256:abc }
    steps:
      - uses: aws-actions/amazon-ecr-login@x
      - run: docker buildx build --platform linux/arm64 --push .
  deploy-staging:
    needs: [image, push]
    environment: staging
    steps: [{ run: deploy, env: { IMAGE_DIGESTS: "${expr('needs.push.outputs.digests')}" } }]
  deploy-production:
    needs: [image]
    environment: production
    steps: [{ run: deploy, with: { digest: "sha256:0123" } }]
`);
  test('a leg whose smoke test is conditional, a scan that never fails: nothing is proven', () => {
    const problems = everyPushedPlatformTested(legs).join('\n');
    assert.match(problems, /the container smoke test must run unconditionally/);
    assert.match(problems, /the Trivy scan must run unconditionally and fail the job/);
    assert.match(problems, /linux\/amd64 is pushed but never smoke-tested and scanned/);
    assert.match(problems, /linux\/arm64 is pushed but never smoke-tested and scanned/);
  });
  test('a publish job that builds, a digest no step reports, a deploy with another digest', () => {
    assert.deepEqual(deploysUseTestedDigest(legs), [
      'publish job push builds an image: it may only push the tested archives',
      'publish job push: outputs.digests must be the digests one of its steps reports',
      'deploy job deploy-production must need push',
      'deploy job deploy-production does not deploy needs.push.outputs.digests',
      'deploy job deploy-production uses another digest: sha256:0123',
    ]);
  });
  test('a smoke test that checks another platform than the leg builds', () => {
    const job = legs.jobs.image as Job;
    const smoke = job.steps?.[1];
    const fixed = {
      ...legs,
      jobs: {
        ...legs.jobs,
        image: {
          ...job,
          steps: [
            job.steps?.[0] ?? {},
            { ...smoke, if: undefined, env: { SMOKE_PLATFORM: 'linux/amd64' } },
            { uses: 'aquasecurity/trivy-action@x', with: { 'exit-code': '1' } },
          ],
        },
      },
    };
    assert.deepEqual(everyPushedPlatformTested(fixed as Workflow), [
      'job image: the smoke test checks platform "linux/amd64", the build makes linux/arm64',
      'linux/arm64 is pushed but never smoke-tested and scanned',
    ]);
  });
});

describe('the runner rules reject the faults the old workflow had', () => {
  // The old image and deploy jobs in short: a type=oci archive for docker load, an archive path outside the
  // workspace (upload-artifact refuses `..`), one shared deploy role for every job.
  const old = load(`
on: push
permissions: { contents: read }
jobs:
  image:
    runs-on: ubuntu-24.04
    env:
      ARCHIVE: ${expr('github.workspace')}/../nodeapp-amd64.oci.tar
    steps:
      - uses: docker/build-push-action@x
        with: { platforms: linux/amd64, outputs: "type=oci,dest=${expr('env.ARCHIVE')},name=nodeapp:ci" }
      - uses: actions/upload-artifact@x
        with: { name: image-amd64, path: "${expr('env.ARCHIVE')}" }
  push:
    permissions: { id-token: write }
    steps:
      - uses: aws-actions/configure-aws-credentials@x
        with: { role-to-assume: "${expr('vars.AWS_DEPLOY_ROLE_ARN')}" }
  deploy-staging:
    permissions: { id-token: write }
    steps:
      - uses: aws-actions/configure-aws-credentials@x
        with: { role-to-assume: "arn:aws:iam::123456789012:role/deploy" }
`);
  test('a type=oci archive handed to docker load, with gzip layers', () => {
    const outputs = `type=oci,dest=${expr('env.ARCHIVE')},name=nodeapp:ci`;
    assert.deepEqual(archiveFormat(old), [
      `job image: build outputs "${outputs}": docker load needs type=docker (manifest.json)`,
      `job image: build outputs "${outputs}" lack compression=zstd`,
      `job image: build outputs "${outputs}" lack force-compression=true`,
      `job image: build outputs "${outputs}" lack oci-mediatypes=true`,
    ]);
  });
  test('an artifact a re-run would upload again under the same name', () => {
    const wf = load(`
on: push
jobs:
  test:
    steps:
      - uses: actions/upload-artifact@${'a'.repeat(40)} # v7.0.0
        with: { name: test-log, path: x, retention-days: 1 }
      - uses: anchore/sbom-action@${'b'.repeat(40)} # v0.24.0
        with: { artifact-name: sbom.spdx.json }
`);
    assert.equal(artifactsPerAttempt(wf).length, 2);
  });
  test('an archive path with ".." and an artifact without retention', () => {
    assert.deepEqual(artifactRules(old), [
      'job image: artifact image-amd64 has no retention-days',
      'job image: env ARCHIVE leaves the workspace with ".."',
    ]);
  });
  test('one role for every job, and a literal ARN', () => {
    assert.deepEqual(rolesPerJob(old, { push: ['AWS_IMAGE_PUSH_ROLE_ARN'] }), [
      'job push assumes vars.AWS_DEPLOY_ROLE_ARN; it may only use [AWS_IMAGE_PUSH_ROLE_ARN]',
      'job deploy-staging: a literal role ARN (arn:aws:iam::123456789012:role/deploy): use a repository variable',
      'job deploy-staging: role-to-assume "arn:aws:iam::123456789012:role/deploy" names no repository variable',
    ]);
  });
});
