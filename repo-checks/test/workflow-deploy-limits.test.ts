// What a first production deploy and the synth job need from the workflow, checked against the values they depend on:
// the deploy roles' maximum session (infra) and the cfn-lint script .ci/run runs (issue 12 items 14 and "cfn-lint").
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEPLOY_SESSION_HOURS } from '@nodeapp/infra/lib/constructs/github-deploy';
import { parseYaml, readRepoFile } from '../src/repo.ts';
import { asWorkflow, type Job } from '../src/workflow-model.ts';

const path = '.github/workflows/cicdaws-workflow.yml';
const wf = asWorkflow(parseYaml(readRepoFile(path)), path);

function credentialsStep(job: Job | undefined) {
  return job?.steps?.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
}

describe('deploy jobs outlast a first production deploy', () => {
  for (const name of ['deploy-staging', 'deploy-production']) {
    test(`${name}: role session = the role's maximum, job limit over an hour and within the session`, () => {
      const job = wf.jobs[name];
      const sessionSeconds = DEPLOY_SESSION_HOURS * 3600;
      // configure-aws-credentials asks for 1 h by default; STS refuses more than the role's MaxSessionDuration.
      assert.equal(Number(credentialsStep(job)?.with?.['role-duration-seconds']), sessionSeconds);
      const timeout = job?.['timeout-minutes'] ?? 360;
      assert.ok(timeout >= 120, `${name} timeout ${timeout} min: a first Multi-AZ deploy can take over an hour`);
      assert.ok(
        timeout * 60 <= sessionSeconds,
        `${name} timeout ${timeout} min outlives its ${sessionSeconds} s session`,
      );
    });
  }
});

test('the synth job lints every synthesized template with cfn-lint, after the synth, as .ci/run does', () => {
  const steps = wf.jobs.synth?.steps ?? [];
  const synth = steps.findIndex((s) => /npm run synth/.test(s.run ?? ''));
  const lint = steps.findIndex((s) => /bash scripts\/cfn-lint\.sh/.test(s.run ?? ''));
  assert.ok(synth >= 0 && lint > synth, 'scripts/cfn-lint.sh runs after npm run synth');
  assert.match(steps[lint]?.run ?? '', /pipx install cfn-lint==\d+\.\d+\.\d+/, 'a pinned cfn-lint is installed first');
  assert.match(readRepoFile('.ci/run'), /bash scripts\/cfn-lint\.sh/, '.ci/run runs the same script');
});
