// The service contract: one `service.json` per service folder, checked against ../service.schema.json (the schema
// documents every field). The platform (infra, monitoring, scripts, the workflow, `npm run up`) reads a service only
// through `loadServiceContract`, so a bad contract stops every one of them with the same one-line-per-field errors.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// ajv is CommonJS; createRequire keeps its default export typed without esModuleInterop games.
const require = createRequire(import.meta.url);
const Ajv = require('ajv') as typeof import('ajv').default;

/** The service folder used when none is selected (`-c service=<folder>`, `--service`, NODEAPP_SERVICE). */
export const DEFAULT_SERVICE_FOLDER = 'app';
/** The contract's file name inside a service folder. */
export const CONTRACT_FILE = 'service.json';
/** The repository root (this workspace sits directly below it). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCHEMA_PATH = join(REPO_ROOT, 'contract', 'service.schema.json');

export type GeneratedSecret = { readonly generate: { readonly length?: number }; readonly description?: string };
export type ExistingSecret = { readonly secretsManager: string; readonly description?: string };
export type SecretSource = GeneratedSecret | ExistingSecret;

export interface SmokeTest {
  readonly path: string;
  readonly method: 'GET' | 'HEAD';
  readonly status: number;
  readonly contentType?: string;
  readonly edgeOnly: boolean;
}

/** A validated contract with every default applied (the schema's `default`s). */
export interface ServiceContract {
  /** The folder the contract was read from, relative to the repository root (e.g. `app`). */
  readonly folder: string;
  readonly name: string;
  readonly image: { readonly dockerfile: string; readonly context: string };
  readonly port: number;
  readonly health: { readonly readiness: string; readonly liveness: string; readonly command?: readonly string[] };
  readonly metrics?: {
    readonly port: number;
    readonly path: string;
    readonly httpHistogram?: string;
    readonly nodeRuntime: boolean;
  };
  readonly publicPaths: readonly string[];
  readonly staticSite?: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, SecretSource>>;
  readonly database?: { readonly migrate?: readonly string[] };
  readonly stopTimeoutSeconds: number;
  readonly drainSeconds: number;
  readonly maxBodyBytes: number;
  readonly autoscaling: { readonly requestsPerTarget?: number };
  readonly smokeTests: readonly SmokeTest[];
}

/** A contract that cannot be used: `problems` holds one line per problem, each naming the field. */
export class ContractError extends Error {
  readonly problems: readonly string[];
  constructor(file: string, problems: readonly string[]) {
    super(`${file}: invalid service contract\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContractError';
    this.problems = problems;
  }
}

/** Variables the platform sets itself: a contract may not set them. */
const PLATFORM_VARIABLES = [
  'PORT',
  'METRICS_PORT',
  'NODE_ENV',
  'DATABASE_URL',
  'DATABASE_HOST',
  'DATABASE_PORT',
  'DATABASE_NAME',
  'DATABASE_USER',
  'DATABASE_PASSWORD',
  'DATABASE_SSL',
  'DATA_DIR',
  'MIGRATE_ON_START',
  'SHUTDOWN_DRAIN_SECONDS',
  'TRUST_PROXY',
  'LOG_LEVEL',
  'APP_VERSION',
  'GIT_COMMIT',
  'MEMORY_LIMIT_BYTES',
];

let validator: import('ajv').ValidateFunction | undefined;
function validateSchema(data: unknown): string[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')));
  }
  if (validator(data)) return [];
  return (validator.errors ?? []).map((e) => {
    const where = e.instancePath ? e.instancePath.slice(1).replaceAll('/', '.') : '(top level)';
    if (e.keyword === 'additionalProperties')
      return `${where === '(top level)' ? '' : `${where}.`}${String(e.params.additionalProperty)}: unknown field`;
    if (e.keyword === 'required')
      return `${where === '(top level)' ? '' : `${where}.`}${String(e.params.missingProperty)}: required`;
    return `${where}: ${e.message ?? e.keyword}`;
  });
}

/** Checks the schema cannot express: files that must exist, names the platform owns, ports that must differ. */
function semanticProblems(c: ServiceContract, repoRoot: string): string[] {
  const problems: string[] = [];
  const exists = (p: string) => existsSync(join(repoRoot, p));
  if (!exists(c.image.dockerfile)) problems.push(`image.dockerfile: ${c.image.dockerfile} not found`);
  if (!exists(c.image.context)) problems.push(`image.context: ${c.image.context} not found`);
  if (c.staticSite !== undefined && !exists(c.staticSite)) problems.push(`staticSite: ${c.staticSite} not found`);
  if (c.metrics && c.metrics.port === c.port) problems.push('metrics.port: must differ from port');
  for (const name of [...Object.keys(c.environment), ...Object.keys(c.secrets)]) {
    if (PLATFORM_VARIABLES.includes(name)) problems.push(`environment.${name}: set by the platform, remove it`);
  }
  for (const name of Object.keys(c.environment)) {
    if (name in c.secrets) problems.push(`environment.${name}: also a secret, keep one`);
  }
  return problems;
}

/**
 * Reads `<folder>/service.json` below the repository root, validates it (schema, then the checks above) and returns
 * it with every default applied. Throws ContractError naming each bad field, or when the file is missing.
 */
export function loadServiceContract(
  folder: string = DEFAULT_SERVICE_FOLDER,
  repoRoot: string = REPO_ROOT,
): ServiceContract {
  const file = join(folder, CONTRACT_FILE);
  const path = join(repoRoot, file);
  if (!/^[A-Za-z0-9._/-]+$/.test(folder) || folder.split('/').includes('..'))
    throw new ContractError(file, [`service folder: "${folder}" is not a folder name below the repository root`]);
  if (!existsSync(path)) throw new ContractError(file, [`${CONTRACT_FILE}: not found in ${folder}/`]);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ContractError(file, [`${CONTRACT_FILE}: not valid JSON (${(error as Error).message})`]);
  }
  const schemaProblems = validateSchema(data);
  if (schemaProblems.length > 0) throw new ContractError(file, schemaProblems);
  const raw = data as Omit<ServiceContract, 'folder'> & {
    image: { dockerfile: string; context?: string };
    health: { readiness: string; liveness?: string; command?: string[] };
  };
  const contract: ServiceContract = {
    ...raw,
    folder,
    image: { dockerfile: raw.image.dockerfile, context: raw.image.context ?? '.' },
    health: { ...raw.health, liveness: raw.health.liveness ?? raw.health.readiness },
    environment: raw.environment ?? {},
    secrets: raw.secrets ?? {},
    autoscaling: raw.autoscaling ?? {},
  };
  const problems = semanticProblems(contract, repoRoot);
  if (problems.length > 0) throw new ContractError(file, problems);
  return contract;
}

/** The service folder chosen by the environment (NODEAPP_SERVICE), else the default. */
export function serviceFolderFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.NODEAPP_SERVICE?.trim() || DEFAULT_SERVICE_FOLDER;
}
