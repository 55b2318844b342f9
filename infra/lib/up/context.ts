// What every step of `npm run up` / `npm run down` gets, and the step shape the runner walks (run.ts).

import type { ImageName } from '../../config/images.ts';
import type { EnvironmentConfig, NodeappConfig } from '../../config/types.ts';
import type { Cloud } from './aws.ts';

export interface UpOptions {
  readonly env: string;
  readonly dryRun: boolean;
  /** The service folder whose contract (service.json) the image and smoke scripts read (NODEAPP_SERVICE). */
  readonly service: string;
  /** AWS profile for the shared account's steps when it is not the environment's account. */
  readonly sharedProfile?: string;
}

/** The images this run deploys: a tag the pipeline never treats as a release (images.ts) and one digest each. */
export interface Release {
  readonly tag: string;
  /** Undefined in a dry run before the images step has pushed anything. */
  readonly digests?: Readonly<Record<ImageName, string>>;
}

export interface StepContext {
  readonly options: UpOptions;
  readonly config: NodeappConfig;
  readonly env: EnvironmentConfig;
  /** The repository root (scripts/, infra/). */
  readonly root: string;
  readonly print: (line: string) => void;
  /** The environment child processes inherit (PATH, credentials, settings). */
  readonly processEnv: NodeJS.ProcessEnv;
  /** Reads and writes in the environment's account, and in the shared account (the same Cloud in a trial). */
  readonly cloud: { readonly target: Cloud; readonly shared: Cloud };
  release?: Release;
}

export interface Step {
  readonly name: string;
  /** Runs in a dry run too: it only reads. */
  readonly readOnly?: boolean;
  /** Why the step has nothing to do (read from AWS), or undefined when it must run. */
  done?(ctx: StepContext): Promise<string | undefined>;
  /** The AWS changes it would make, one line each (dry run). */
  plan?(ctx: StepContext): Promise<string[]>;
  run(ctx: StepContext): Promise<void>;
}

/** A step's failure: its message is the cause, in one line. */
export class StepError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepError';
  }
}
