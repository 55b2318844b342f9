// Image rules: every architecture that is pushed is smoke-tested and scanned first, and the deploy jobs can only
// deploy the digest the publishing job pushed from the tested images (never a rebuild). Each rule returns
// human-readable violations ([] = compliant), so the tests show them failing on bad workflows too.
import { actionName, type Job, needsOf, type Step, type Workflow } from './workflow-model.ts';

const BUILD_ACTION = 'docker/build-push-action';
const ECR_LOGIN_ACTION = 'aws-actions/amazon-ecr-login';
const SCAN_ACTION = 'aquasecurity/trivy-action';
const SMOKE_SCRIPT = 'scripts/image-smoke.sh';
/** A `docker build` / `buildx build` / `podman build` in a run script: a build the smoke test never saw. */
const BUILD_COMMAND = /\b(?:docker|podman|buildah)\s+(?:buildx\s+)?build\b/;

export type Leg = Record<string, string>;

function steps(job: Job): Step[] {
  return job.steps ?? [];
}

/**
 * The matrix legs of a job: each `include` entry, or the cross product of its lists; [{}] without a matrix. A matrix
 * computed by another job (`${{ fromJSON(needs.plan.outputs.matrix) }}`) has the legs that job prints: `planned`.
 */
export function matrixLegs(job: Job, planned?: Leg[]): Leg[] {
  const matrix = job.strategy?.matrix;
  if (typeof matrix === 'string' && /fromJSON\(\s*needs\.[\w-]+\.outputs\.matrix\s*\)/.test(matrix)) {
    return planned ?? [];
  }
  if (typeof matrix !== 'object' || matrix === null) return [{}];
  const { include, ...axes } = matrix as Record<string, unknown>;
  let legs: Leg[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    if (!Array.isArray(values)) continue;
    legs = legs.flatMap((leg) => values.map((v) => ({ ...leg, [key]: String(v) })));
  }
  if (Array.isArray(include)) {
    const extra = include.map((entry) => Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, String(v)])));
    legs = Object.keys(axes).length === 0 ? extra : [...legs, ...extra];
  }
  return legs;
}

/** Substitutes `${{ matrix.x }}` with the leg's values. */
function resolve(value: unknown, leg: Leg): string {
  return String(value ?? '').replace(/\$\{\{\s*matrix\.([\w-]+)\s*\}\}/g, (_, key: string) => leg[key] ?? `<${key}>`);
}

function platformsOf(step: Step, leg: Leg): string[] {
  return resolve(step.with?.platforms, leg)
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** The job that builds the image: the one with a build-push-action step. */
function builderJob(wf: Workflow): [string, Job] | undefined {
  return Object.entries(wf.jobs).find(([, job]) => steps(job).some((s) => actionName(s) === BUILD_ACTION));
}

/**
 * The job that publishes to ECR: one that logs into it and needs the builder (a job that only reads ECR before the
 * build, like the plan job, publishes nothing); without a builder, the first that logs in.
 */
export function publishJob(wf: Workflow): [string, Job] | undefined {
  const builder = builderJob(wf)?.[0];
  const logsIn = Object.entries(wf.jobs).filter(([, job]) =>
    steps(job).some((s) => actionName(s) === ECR_LOGIN_ACTION),
  );
  return logsIn.find(([, job]) => builder !== undefined && needsOf(job).includes(builder)) ?? logsIn[0];
}

/**
 * Platforms the builder proves: per matrix leg, the platform of its build, when that leg unconditionally runs the
 * container smoke test and a Trivy scan that fails the job (exit-code 1). A build of several platforms at once
 * cannot be loaded and run, so it proves none.
 */
export function testedPlatforms(wf: Workflow, planned?: Leg[]): { tested: Set<string>; problems: string[] } {
  const tested = new Set<string>();
  const problems: string[] = [];
  const builder = builderJob(wf);
  if (!builder) return { tested, problems: ['no job builds the image'] };
  const [id, job] = builder;
  const smoke = steps(job).find((s) => s.run?.includes(SMOKE_SCRIPT));
  const scan = steps(job).find((s) => actionName(s) === SCAN_ACTION);
  if (!smoke || smoke.if) problems.push(`job ${id}: the container smoke test must run unconditionally`);
  if (!scan || scan.if || String(scan.with?.['exit-code']) !== '1') {
    problems.push(`job ${id}: the Trivy scan must run unconditionally and fail the job (exit-code 1)`);
  }
  for (const leg of matrixLegs(job, planned)) {
    for (const build of steps(job).filter((s) => actionName(s) === BUILD_ACTION && s.with?.push !== true)) {
      const platforms = platformsOf(build, leg);
      if (platforms.length !== 1) {
        problems.push(
          `job ${id}: build "${build.name ?? build.uses}" makes [${platforms.join(', ')}]; a test needs one`,
        );
      } else if (smoke && !smoke.if && scan && !scan.if) {
        const smokePlatform = resolve(smoke.env?.SMOKE_PLATFORM, leg);
        if (smokePlatform === platforms[0]) tested.add(smokePlatform);
        else
          problems.push(
            `job ${id}: the smoke test checks platform "${smokePlatform}", the build makes ${platforms[0]}`,
          );
      }
    }
  }
  return { tested, problems };
}

/** Platforms that reach the registry: any build that pushes, and the publish job's PUSH_PLATFORMS. */
export function pushedPlatforms(wf: Workflow): string[] {
  const pushed = new Set<string>();
  for (const job of Object.values(wf.jobs)) {
    for (const leg of matrixLegs(job)) {
      for (const step of steps(job).filter((s) => s.with?.push === true)) {
        for (const p of platformsOf(step, leg)) pushed.add(p);
      }
    }
  }
  const publish = publishJob(wf)?.[1];
  for (const p of String(publish?.env?.PUSH_PLATFORMS ?? '').split(/[\s,]+/)) if (p) pushed.add(p);
  return [...pushed].sort();
}

/** Every architecture pushed is one the builder smoke-tested and scanned. */
export function everyPushedPlatformTested(wf: Workflow, planned?: Leg[]): string[] {
  const { tested, problems } = testedPlatforms(wf, planned);
  const pushed = pushedPlatforms(wf);
  if (pushed.length === 0) problems.push('no pushed platform found (a push step or the publish job PUSH_PLATFORMS)');
  for (const p of pushed) {
    if (!tested.has(p)) problems.push(`${p} is pushed but never smoke-tested and scanned`);
  }
  return problems;
}

/**
 * Deploys use the tested digest: no step builds and pushes in one go (that pushes a new build); the publish job
 * needs the builder, builds nothing itself, and exports the digest of one of its own steps; every deploy job needs
 * the publish job and takes its digest from there only.
 */
export function deploysUseTestedDigest(wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [id, job] of Object.entries(wf.jobs)) {
    for (const step of steps(job).filter((s) => actionName(s) === BUILD_ACTION && s.with?.push === true)) {
      problems.push(`job ${id}: "${step.name ?? step.uses}" builds and pushes: the pushed image is not the tested one`);
    }
  }
  const builder = builderJob(wf)?.[0];
  const publish = publishJob(wf);
  if (!publish) return [...problems, 'no publish job (a job that logs into ECR)'];
  const [pid, pjob] = publish;
  if (pid === builder) problems.push(`job ${pid} both builds and publishes: publish only the tested images`);
  else if (!builder || !needsOf(pjob).includes(builder)) problems.push(`publish job ${pid} must need ${builder}`);
  if (steps(pjob).some((s) => actionName(s) === BUILD_ACTION || BUILD_COMMAND.test(s.run ?? ''))) {
    problems.push(`publish job ${pid} builds an image: it may only push the tested archives`);
  }
  const output = /^\$\{\{\s*steps\.([\w-]+)\.outputs\.digests\s*\}\}$/.exec(String(pjob.outputs?.digests ?? ''));
  if (!output || !steps(pjob).some((s) => s.id === output[1])) {
    problems.push(`publish job ${pid}: outputs.digests must be the digests one of its steps reports`);
  }
  for (const [id, job] of Object.entries(wf.jobs).filter(([, j]) => j.environment !== undefined)) {
    if (!needsOf(job).includes(pid)) problems.push(`deploy job ${id} must need ${pid}`);
    // Any input or variable that names a digest, by its key or by its value.
    const entries = steps(job).flatMap((s) => [...Object.entries(s.env ?? {}), ...Object.entries(s.with ?? {})]);
    const digestValues = entries
      .filter(([k, v]) => /digest/i.test(`${k} ${String(v)}`) || /sha256:/.test(String(v)))
      .map(([, v]) => String(v));
    if (!digestValues.some((v) => v.includes(`needs.${pid}.outputs.digests`))) {
      problems.push(`deploy job ${id} does not deploy needs.${pid}.outputs.digests`);
    }
    for (const v of digestValues.filter((d) => d !== `\${{ needs.${pid}.outputs.digests }}`)) {
      problems.push(`deploy job ${id} uses another digest: ${v}`);
    }
  }
  return problems;
}
