// Invariants every workflow must keep. Each rule returns human-readable violations ([] = compliant), so the
// tests can show them failing on bad fixtures as well as passing on the real files.
import { publishJob } from './image-rules.ts';
import { actionName, environmentName, type Job, needsOf, type Step, type Workflow } from './workflow-model.ts';

const AWS_CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials';
const BUILD_ACTION = 'docker/build-push-action';
const SHA_REF = /^[0-9a-f]{40}$/;

export type Pins = Map<string, { sha: string; tag: string }>;

function steps(job: Job): Step[] {
  return job.steps ?? [];
}

function jobEntries(wf: Workflow): [string, Job][] {
  return Object.entries(wf.jobs);
}

/** Long-lived IAM user keys must never appear: OIDC only. */
export function noStaticAwsKeys(text: string): string[] {
  const hits = text.match(/aws-access-key-id|aws-secret-access-key|aws_access_key_id|aws_secret_access_key/gi) ?? [];
  return [...new Set(hits)].map((hit) => `static AWS key reference "${hit}"`);
}

/**
 * Every `uses:` is an action pinned to a full commit SHA with its version in a trailing comment
 * (`owner/repo@<40 hex> # vX.Y.Z`); with `pins`, the SHA and the version must be the verified ones.
 */
export function pinnedActions(text: string, wf: Workflow, pins?: Pins): string[] {
  const problems: string[] = [];
  const parsed = jobEntries(wf).flatMap(([, job]) => [job.uses, ...steps(job).map((s) => s.uses)]);
  const parsedCount = parsed.filter((u) => u !== undefined).length;
  const lines = [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)[ \t]*(?:#[ \t]*(\S+))?.*$/gm)];
  // Comments are only in the text: the line scan must see every `uses:` the parser saw.
  if (lines.length !== parsedCount) {
    problems.push(`found ${lines.length} "uses:" lines but ${parsedCount} parsed uses (unusual formatting?)`);
  }
  for (const [, ref, version] of lines) {
    if (ref === undefined || ref.startsWith('./')) continue;
    const [action, sha] = ref.split('@');
    if (action === undefined || sha === undefined || !SHA_REF.test(sha)) {
      problems.push(`${ref}: not pinned to a 40-hex commit SHA`);
      continue;
    }
    if (version === undefined || !/^v\d+(\.\d+)*$/.test(version)) {
      problems.push(`${ref}: needs a "# vX.Y.Z" version comment`);
      continue;
    }
    if (pins) {
      const repo = action.split('/').slice(0, 2).join('/');
      const pin = pins.get(repo);
      if (!pin) problems.push(`${action}: not in the verified pins list`);
      else if (pin.sha !== sha || pin.tag !== version) {
        problems.push(`${action}@${sha} # ${version}: verified pin is ${pin.sha} # ${pin.tag}`);
      }
    }
  }
  return problems;
}

/** Parses the verified pins table: | owner/repo | vX.Y.Z | sha | runtime |. */
export function parsePins(markdown: string): Pins {
  const pins: Pins = new Map();
  for (const [, action, tag, sha] of markdown.matchAll(
    /^\|\s*([\w.-]+\/[\w.-]+)[^|]*\|\s*(v[\d.]+)\s*\|\s*([0-9a-f]{40})\s*\|/gm,
  )) {
    if (action && tag && sha) pins.set(action, { sha, tag });
  }
  return pins;
}

/** Top level reads the repository only; `id-token: write` exactly on the jobs that assume an AWS role. */
export function leastPrivilege(wf: Workflow): string[] {
  const problems: string[] = [];
  const top = wf.permissions;
  if (typeof top !== 'object' || Object.keys(top).length !== 1 || top.contents !== 'read') {
    problems.push(`top-level permissions must be exactly { contents: read }, got ${JSON.stringify(top)}`);
  }
  for (const [id, job] of jobEntries(wf)) {
    const grants = typeof job.permissions === 'object' && job.permissions['id-token'] === 'write';
    const assumesRole = steps(job).some((s) => actionName(s) === AWS_CREDENTIALS_ACTION);
    if (grants && !assumesRole) problems.push(`job ${id}: id-token: write but never assumes an AWS role`);
    if (assumesRole && !grants) problems.push(`job ${id}: assumes an AWS role without id-token: write`);
    if (typeof job.permissions === 'string') problems.push(`job ${id}: permissions "${job.permissions}" is too broad`);
  }
  return problems;
}

/** A condition that is true only for main outside pull requests. */
export function isMainOnly(condition: string | undefined): boolean {
  if (!condition) return false;
  const c = condition.replace(/\s+/g, ' ');
  const onMain = c.includes("github.ref == 'refs/heads/main'");
  const notPr = c.includes("github.event_name != 'pull_request'") || c.includes("github.event_name == 'push'");
  return onMain && notPr && !c.includes('||');
}

/** Jobs that deploy are the ones bound to a GitHub environment. */
export function deployJobs(wf: Workflow): [string, Job][] {
  return jobEntries(wf).filter(([, job]) => environmentName(job) !== undefined);
}

/** The one job that builds the image (build once). */
export function imageJobs(wf: Workflow): string[] {
  return jobEntries(wf)
    .filter(([, job]) => steps(job).some((s) => actionName(s) === BUILD_ACTION))
    .map(([id]) => id);
}

/**
 * Delivery rules: one image job; every deploy job needs test + synth + image and runs on main only; AWS credentials
 * and pushes happen on main only; production needs staging and deploys the image job's output, like staging.
 */
export function deliveryRules(wf: Workflow): string[] {
  const problems: string[] = [];
  const builders = imageJobs(wf);
  if (builders.length !== 1) problems.push(`exactly one job may build the image, found [${builders.join(', ')}]`);
  const image = builders[0] ?? 'image';
  // Deploys take the image outputs of the job that publishes it (the builder itself when it also pushes).
  const source = publishJob(wf)?.[0] ?? image;
  const deploys = deployJobs(wf);
  if (deploys.length === 0) problems.push('no deploy job (a job with an environment)');

  for (const [id, job] of jobEntries(wf)) {
    for (const step of steps(job)) {
      const sensitive = actionName(step) === AWS_CREDENTIALS_ACTION || step.with?.push === true;
      if (sensitive && !isMainOnly(job.if) && !isMainOnly(step.if)) {
        problems.push(`job ${id}: step "${step.name ?? step.uses}" talks to AWS or pushes but is not main-only`);
      }
    }
  }

  const imageRefs = new Map<string, string>();
  for (const [id, job] of deploys) {
    const needs = needsOf(job);
    for (const required of ['test', 'synth', image]) {
      if (!needs.includes(required)) problems.push(`deploy job ${id} must need ${required}`);
    }
    if (!isMainOnly(job.if)) problems.push(`deploy job ${id} must run on main only (got if: ${job.if})`);
    const envValues = steps(job).flatMap((s) => Object.values(s.env ?? {}).map(String));
    const refs = envValues.filter((v) => v.includes(`needs.${source}.outputs.`));
    if (refs.length === 0) problems.push(`deploy job ${id} does not deploy the output of ${source}`);
    imageRefs.set(id, refs.sort().join('|'));
  }

  const prod = deploys.find(([, job]) => environmentName(job) === 'production');
  const staging = deploys.find(([, job]) => environmentName(job) === 'staging');
  if (!prod || !staging) problems.push('needs a staging and a production deploy job');
  else {
    if (!needsOf(prod[1]).includes(staging[0])) problems.push(`${prod[0]} must need ${staging[0]}`);
    if (imageRefs.get(prod[0]) !== imageRefs.get(staging[0])) {
      problems.push(`${prod[0]} must deploy the same image outputs as ${staging[0]}`);
    }
  }
  return problems;
}

const UPLOAD_ACTION = 'actions/upload-artifact';

/**
 * Each job that assumes an AWS role assumes only the role meant for it, named by a repository variable (never a
 * literal ARN): `expected` maps job id → the allowed `vars.…` names. A job not in `expected` must assume none.
 */
export function rolesPerJob(wf: Workflow, expected: Record<string, string[]>): string[] {
  const problems: string[] = [];
  for (const [id, job] of jobEntries(wf)) {
    for (const step of steps(job).filter((s) => actionName(s) === AWS_CREDENTIALS_ACTION)) {
      const role = String(step.with?.['role-to-assume'] ?? '');
      const used = [...role.matchAll(/vars\.([A-Z0-9_]+)/g)].map((m) => m[1] as string);
      if (/arn:aws/.test(role)) problems.push(`job ${id}: a literal role ARN (${role}): use a repository variable`);
      if (used.length === 0) problems.push(`job ${id}: role-to-assume "${role}" names no repository variable`);
      const allowed = expected[id] ?? [];
      for (const v of used.filter((u) => !allowed.includes(u))) {
        problems.push(`job ${id} assumes vars.${v}; it may only use [${allowed.join(', ')}]`);
      }
    }
  }
  return problems;
}

/** upload-artifact refuses paths that leave the workspace with `..`; every artifact states how long it is kept. */
export function artifactRules(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of jobEntries(wf)) {
    for (const step of steps(job).filter((s) => actionName(s) === UPLOAD_ACTION)) {
      const path = String(step.with?.path ?? '');
      const name = step.with?.name ?? step.name;
      if (path.includes('..')) problems.push(`job ${id}: artifact ${name} path "${path}" contains ".."`);
      if (!Number.isInteger(step.with?.['retention-days']))
        problems.push(`job ${id}: artifact ${name} has no retention-days`);
    }
    // A path built from an env value set at job level is checked too (the old ARCHIVE=…/../… form).
    for (const [key, value] of Object.entries(job.env ?? {})) {
      if (/github\.workspace\s*\}\}\/\.\./.test(String(value)))
        problems.push(`job ${id}: env ${key} leaves the workspace with ".."`);
    }
  }
  return problems;
}

const SBOM_ACTION = 'anchore/sbom-action';

/**
 * "Re-run failed jobs" keeps the run's artifacts: an upload under a name an earlier attempt used fails. Every upload
 * is named per attempt (`github.run_attempt`), or replaces its earlier upload (`overwrite: true`, for an artifact a
 * later job reads by name).
 */
export function artifactsPerAttempt(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of jobEntries(wf)) {
    for (const step of steps(job)) {
      const action = actionName(step);
      const name = String((action === SBOM_ACTION ? step.with?.['artifact-name'] : step.with?.name) ?? '');
      if (action !== UPLOAD_ACTION && action !== SBOM_ACTION) continue;
      if (name.includes('github.run_attempt')) continue;
      if (action === UPLOAD_ACTION && step.with?.overwrite === true) continue;
      problems.push(`job ${id}: artifact "${name}" is neither named per attempt nor overwritten: a re-run fails on it`);
    }
  }
  return problems;
}

/**
 * Archives handed from a build to `docker load` are BuildKit `type=docker` (manifest.json + OCI layout): the runners'
 * Docker (classic image store) cannot load a `type=oci` archive.
 */
export function archiveFormat(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of jobEntries(wf)) {
    for (const step of steps(job).filter((s) => actionName(s) === BUILD_ACTION)) {
      const outputs = String(step.with?.outputs ?? '');
      if (outputs && !/^type=docker,/.test(outputs)) {
        problems.push(`job ${id}: build outputs "${outputs}": docker load needs type=docker (manifest.json)`);
      }
      // zstd layers (a new Fargate task decompresses them faster), on every layer, in OCI media types (the Docker
      // manifest format has no zstd layer type).
      const options = outputs.split(',');
      for (const option of ['compression=zstd', 'force-compression=true', 'oci-mediatypes=true']) {
        if (outputs && !options.includes(option)) problems.push(`job ${id}: build outputs "${outputs}" lack ${option}`);
      }
    }
  }
  return problems;
}

/** Every `bash scripts/<file>` a workflow runs exists in the repository. */
export function scriptsCalled(wf: Workflow): string[] {
  return [
    ...new Set(
      jobEntries(wf).flatMap(([, job]) =>
        steps(job).flatMap((s) =>
          [...(s.run ?? '').matchAll(/bash (scripts\/[\w./-]+\.sh)/g)].map((m) => m[1] as string),
        ),
      ),
    ),
  ].sort();
}
