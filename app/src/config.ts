// Configuration comes only from environment variables, validated once at start.
// A bad value is reported as one line per problem naming the variable (see server.ts),
// never as a stack trace: an operator must be able to fix the task definition from the log.
import { existsSync } from 'node:fs';
import { envSchema } from 'env-schema';

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string }
  | {
      kind: 'postgres';
      /** connection string, or the discrete fields ECS injects from the RDS secret */
      connection:
        | { connectionString: string }
        | { host: string; port: number; database: string; user: string; password: string };
      ssl: 'disable' | 'verify-full';
      caFile: string | undefined;
      poolMax: number;
      statementTimeoutMs: number;
      connectTimeoutMs: number;
    };

export type TrustProxy = boolean | number | string[];

export interface Config {
  host: string;
  port: number;
  metricsPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminToken: string | undefined;
  trustProxy: TrustProxy;
  bodyLimitBytes: number;
  rateLimit: { max: number; windowMs: number };
  shutdownDrainSeconds: number;
  keepAliveTimeoutMs: number;
  version: string;
  gitCommit: string;
  database: DatabaseConfig;
  /** MEMORY_LIMIT_BYTES; undefined: the cgroup's limit applies (memory-limit.ts) */
  memoryLimitBytes: number | undefined;
}

// JSON schema for env-schema (ajv with type coercion, all errors reported at once).
const schema = {
  type: 'object',
  properties: {
    HOST: { type: 'string', minLength: 1, default: '0.0.0.0' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    METRICS_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 9464 },
    LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    ADMIN_TOKEN: { type: 'string', minLength: 16 },
    TRUST_PROXY: {
      type: 'string',
      pattern: '^(true|false|[0-9]{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$',
      default: 'false',
    },
    BODY_LIMIT_BYTES: { type: 'integer', minimum: 1024, maximum: 10485760, default: 16384 },
    RATE_LIMIT_MAX: { type: 'integer', minimum: 1, maximum: 1000000, default: 10 },
    RATE_LIMIT_WINDOW_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 60 },
    SHUTDOWN_DRAIN_SECONDS: { type: 'number', minimum: 0, maximum: 20, default: 5 },
    KEEP_ALIVE_TIMEOUT_SECONDS: { type: 'integer', minimum: 1, maximum: 4000, default: 65 },
    APP_VERSION: { type: 'string', minLength: 1, maxLength: 64, default: 'dev' },
    GIT_COMMIT: { type: 'string', minLength: 1, maxLength: 64, default: 'unknown' },
    DATA_DIR: { type: 'string', minLength: 1, default: './.data' },
    DATABASE_URL: { type: 'string', pattern: '^postgres(ql)?://' },
    DATABASE_HOST: { type: 'string', minLength: 1 },
    DATABASE_PORT: { type: 'integer', minimum: 1, maximum: 65535, default: 5432 },
    DATABASE_NAME: { type: 'string', minLength: 1 },
    DATABASE_USER: { type: 'string', minLength: 1 },
    DATABASE_PASSWORD: { type: 'string', minLength: 1 },
    DATABASE_SSL: { type: 'string', enum: ['disable', 'verify-full'], default: 'disable' },
    DATABASE_CA_FILE: { type: 'string', minLength: 1 },
    DATABASE_POOL_MAX: { type: 'integer', minimum: 1, maximum: 100, default: 10 },
    DATABASE_STATEMENT_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 600000, default: 5000 },
    DATABASE_CONNECT_TIMEOUT_MS: { type: 'integer', minimum: 100, maximum: 120000, default: 5000 },
    MEMORY_LIMIT_BYTES: { type: 'integer', minimum: 16777216 },
  },
} as const;

/** Every variable this service reads (documented in the root README's configuration table). */
export const configVariables = Object.keys(schema.properties);

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

interface AjvError {
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

type Env = Record<string, string | undefined>;

function describe(error: AjvError, env: Env): string {
  const name = error.instancePath.replace(/^\//, '');
  const raw = env[name];
  const shown =
    raw === undefined
      ? ''
      : ` (got ${JSON.stringify(name.includes('PASSWORD') || name.includes('TOKEN') ? '***' : raw)})`;
  if (name === 'ADMIN_TOKEN' && error.params.limit !== undefined) return 'ADMIN_TOKEN: must be at least 16 characters';
  const allowed = Array.isArray(error.params.allowedValues) ? `: ${error.params.allowedValues.join(', ')}` : '';
  return `${name}: ${error.message ?? 'is invalid'}${allowed}${shown}`;
}

function parseTrustProxy(value: string): TrustProxy {
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^[0-9]+$/.test(value)) return Number(value);
  return value.split(',');
}

/** Validates the environment; throws ConfigError listing every problem. */
export function loadConfig(rawEnv: Env = process.env): Config {
  // An empty variable (e.g. `ADMIN_TOKEN=` in a compose file) means "not set".
  const env: Env = {};
  for (const name of configVariables) {
    const value = rawEnv[name];
    if (value !== undefined && value !== '') env[name] = value;
  }
  // biome-ignore lint/suspicious/noExplicitAny: env-schema returns an untyped object validated by the schema above
  let v: any;
  try {
    v = envSchema({ schema: structuredClone(schema) as object, data: [env], env: false, dotenv: false });
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors ?? [];
    throw new ConfigError(errors.map((e) => describe(e, env)));
  }

  const problems: string[] = [];
  const discrete = ['DATABASE_HOST', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'] as const;
  const anyDiscrete = discrete.some((n) => v[n] !== undefined);
  if (v.DATABASE_URL !== undefined && anyDiscrete) {
    problems.push('DATABASE_URL: set either DATABASE_URL or DATABASE_HOST/NAME/USER/PASSWORD, not both');
  } else if (anyDiscrete) {
    for (const n of discrete)
      if (v[n] === undefined) problems.push(`${n}: required when DATABASE_HOST/NAME/USER/PASSWORD is used`);
  }
  if (v.DATABASE_CA_FILE !== undefined && !existsSync(v.DATABASE_CA_FILE)) {
    problems.push(`DATABASE_CA_FILE: file not found (got ${JSON.stringify(v.DATABASE_CA_FILE)})`);
  }
  if (v.DATABASE_URL !== undefined && /[?&]sslmode=/.test(v.DATABASE_URL)) {
    // pg lets an sslmode in the URL silently override the TLS settings: one place only.
    problems.push('DATABASE_URL: remove sslmode from the URL; use DATABASE_SSL and DATABASE_CA_FILE');
  }
  if (v.PORT !== 0 && v.PORT === v.METRICS_PORT) problems.push('METRICS_PORT: must differ from PORT');
  if (problems.length > 0) throw new ConfigError(problems);

  const usesServer = v.DATABASE_URL !== undefined || anyDiscrete;
  const database: DatabaseConfig = usesServer
    ? {
        kind: 'postgres',
        connection:
          v.DATABASE_URL !== undefined
            ? { connectionString: v.DATABASE_URL }
            : {
                host: v.DATABASE_HOST,
                port: v.DATABASE_PORT,
                database: v.DATABASE_NAME,
                user: v.DATABASE_USER,
                password: v.DATABASE_PASSWORD,
              },
        ssl: v.DATABASE_SSL,
        caFile: v.DATABASE_CA_FILE,
        poolMax: v.DATABASE_POOL_MAX,
        statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
        connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS,
      }
    : { kind: 'pglite', dataDir: v.DATA_DIR };

  return {
    host: v.HOST,
    port: v.PORT,
    metricsPort: v.METRICS_PORT,
    logLevel: v.LOG_LEVEL,
    adminToken: v.ADMIN_TOKEN,
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    rateLimit: { max: v.RATE_LIMIT_MAX, windowMs: v.RATE_LIMIT_WINDOW_SECONDS * 1000 },
    shutdownDrainSeconds: v.SHUTDOWN_DRAIN_SECONDS,
    keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    version: v.APP_VERSION,
    gitCommit: v.GIT_COMMIT,
    database,
    memoryLimitBytes: v.MEMORY_LIMIT_BYTES,
  };
}

/** For entry points: prints one line per problem to stderr and exits 1 (no stack trace). */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`Configuration error: ${problem}\n`);
    process.exit(1);
  }
}
