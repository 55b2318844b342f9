// A typed view of the parts of a GitHub Actions workflow that the invariant rules read.
export interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string> | string;
  environment?: string | { name: string; url?: string };
  concurrency?: string | { group: string; 'cancel-in-progress'?: boolean | string };
  'timeout-minutes'?: number;
  container?: unknown;
  strategy?: { matrix?: unknown; 'fail-fast'?: boolean };
  env?: Record<string, unknown>;
  outputs?: Record<string, string>;
  uses?: string;
  steps?: Step[];
}

export interface Workflow {
  name?: string;
  on: unknown;
  permissions?: Record<string, string> | string;
  concurrency?: unknown;
  env?: Record<string, unknown>;
  jobs: Record<string, Job>;
}

export function asWorkflow(doc: unknown, path: string): Workflow {
  if (typeof doc !== 'object' || doc === null || !('jobs' in doc) || !('on' in doc)) {
    throw new Error(`${path}: not a workflow (needs "on" and "jobs")`);
  }
  return doc as Workflow;
}

export function needsOf(job: Job): string[] {
  if (job.needs === undefined) return [];
  return Array.isArray(job.needs) ? job.needs : [job.needs];
}

export function environmentName(job: Job): string | undefined {
  return typeof job.environment === 'string' ? job.environment : job.environment?.name;
}

/** The action a step uses, without its ref: "actions/checkout". */
export function actionName(step: Step): string | undefined {
  return step.uses?.split('@')[0];
}
