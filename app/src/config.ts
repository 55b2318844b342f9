// Configuration comes only from environment variables, validated once at start.
// A bad value is reported as one line per problem naming the variable (see server.ts),
// never as a stack trace: an operator must be able to fix the task definition from the log.
import { existsSync } from 'node:fs';
import { Ajv } from 'ajv';
import { maskCredentials } from './redact.ts';

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
  metricsHost: string;
  metricsPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  adminToken: string | undefined;
  trustProxy: TrustProxy;
  bodyLimitBytes: number;
  /** Posts per client per window; reads (and 404s) get their own, generous budget. */
  rateLimit: { max: number; readMax: number; windowMs: number; ipv6PrefixLength: number };
  shutdownDrainSeconds: number;
  keepAliveTimeoutMs: number;
  /** Longest a request may take to arrive (headers and body), and longest a connection may sit silent. */
  requestTimeoutMs: number;
  version: string;
  gitCommit: string;
  database: DatabaseConfig;
  /** MEMORY_LIMIT_BYTES; undefined: the cgroup's limit applies (memory-limit.ts) */
  memoryLimitBytes: number | undefined;
  /** Rounds of warm-up requests before listening (src/warmup.ts); 0: none. */
  warmUpRounds: number;
  /** MIGRATE_ON_START: apply pending migrations at start; false: refuse to start while any is pending. */
  migrateOnStart: boolean;
}

const ADMIN_TOKEN_MIN_LENGTH = 32;

// JSON schema of the environment (Ajv with type coercion and defaults, all errors reported at once).
export const configSchema = {
  type: 'object',
  properties: {
    HOST: { type: 'string', minLength: 1, default: '0.0.0.0' },
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    METRICS_PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 9464 },
    // Loopback unless told otherwise: in a container (compose, ECS) the image or task sets the address it needs.
    METRICS_HOST: { type: 'string', minLength: 1, default: '127.0.0.1' },
    LOG_LEVEL: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      default: 'info',
    },
    ADMIN_TOKEN: { type: 'string', minLength: ADMIN_TOKEN_MIN_LENGTH },
    TRUST_PROXY: {
      type: 'string',
      pattern: '^(true|false|[0-9]{1,2}|[0-9a-fA-F.:/]+(,[0-9a-fA-F.:/]+)*)$',
      default: 'false',
    },
    BODY_LIMIT_BYTES: { type: 'integer', minimum: 1024, maximum: 10485760, default: 16384 },
    RATE_LIMIT_MAX: { type: 'integer', minimum: 1, maximum: 1000000, default: 10 },
    RATE_LIMIT_READ_MAX: { type: 'integer', minimum: 1, maximum: 1000000, default: 600 },
    RATE_LIMIT_WINDOW_SECONDS: { type: 'integer', minimum: 1, maximum: 86400, default: 60 },
    RATE_LIMIT_IPV6_PREFIX: { type: 'integer', minimum: 16, maximum: 128, default: 56 },
    // Short for a local Ctrl-C; ECS (infra config) and compose set the drain their load balancer needs.
    SHUTDOWN_DRAIN_SECONDS: { type: 'number', minimum: 0, maximum: 20, default: 1 },
    KEEP_ALIVE_TIMEOUT_SECONDS: { type: 'integer', minimum: 1, maximum: 4000, default: 65 },
    // Below the ALB's 60 s idle timeout: a client trickling a request byte by byte is cut off here.
    REQUEST_TIMEOUT_SECONDS: { type: 'integer', minimum: 1, maximum: 59, default: 30 },
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
    // On a PostgreSQL server: rounds of warm-up requests before the port opens (src/warmup.ts); 0 (the default) turns
    // warm-up off: on a quiet machine a new task's first 10 s met the p99 target without it, and 50 rounds cost 20 MB
    // of idle RSS and 0.45 s of start (BENCHMARKS.md "Warm start", docs/decisions/0018-warm-up-off-by-default.md).
    WARMUP_ROUNDS: { type: 'integer', minimum: 0, maximum: 10000, default: 0 },
    // In AWS the deploy runs the migrations once, as a one-off task, before any new task starts.
    MIGRATE_ON_START: { type: 'string', enum: ['true', 'false'], default: 'true' },
  },
} as const;

/** Every variable this service reads (documented in the root README's configuration table). */
export const configVariables = Object.keys(configSchema.properties);

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

/** A value as an error message may show it: secrets by name hidden, passwords inside URLs masked. */
function shown(name: string, value: string): string {
  return JSON.stringify(/PASSWORD|TOKEN|SECRET/.test(name) ? '***' : maskCredentials(value));
}

/**
 * A token an attacker cannot guess: at least 32 characters, not a short pattern repeated ("abab...") and not
 * drawn from a handful of characters. The token generated in AWS (48 random alphanumerics) passes.
 */
export function weakTokenReason(token: string): string | undefined {
  if (token.length < ADMIN_TOKEN_MIN_LENGTH) return `must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`;
  if (/^(.{1,16}?)\1+$/s.test(token)) return 'must not be a short pattern repeated';
  if (new Set(token).size < 10) return 'must use at least 10 different characters';
  return undefined;
}

function describe(error: AjvError, env: Env): string {
  const name = error.instancePath.replace(/^\//, '');
  const raw = env[name];
  if (name === 'ADMIN_TOKEN' && error.params.limit !== undefined) {
    return `ADMIN_TOKEN: must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters`;
  }
  const got = raw === undefined ? '' : ` (got ${shown(name, raw)})`;
  const allowed = Array.isArray(error.params.allowedValues) ? `: ${error.params.allowedValues.join(', ')}` : '';
  return `${name}: ${error.message ?? 'is invalid'}${allowed}${got}`;
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
  // Ajv directly, in an instance that is garbage once the configuration is read: env-schema (which wraps the same
  // Ajv) keeps a shared instance compiled at import for the process's lifetime (idle RSS:
  // docs/benchmarks/2026-12-06-history.md).
  // The schema is this file's constant, checked against the meta-schema by test/config.test.ts.
  const ajv = new Ajv({ allErrors: true, coerceTypes: true, useDefaults: true, strict: false, validateSchema: false });
  // Typed as a plain predicate: Ajv's type guard would narrow `v` to unknown.
  const validate: { (data: object): boolean; errors?: unknown[] | null } = ajv.compile(configSchema);
  // biome-ignore lint/suspicious/noExplicitAny: validated above by the schema; read field by field below
  const v: any = { ...env };
  if (!validate(v)) throw new ConfigError((validate.errors ?? []).map((e) => describe(e as AjvError, env)));

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
  const weak = v.ADMIN_TOKEN === undefined ? undefined : weakTokenReason(v.ADMIN_TOKEN);
  if (weak) problems.push(`ADMIN_TOKEN: ${weak}`);
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
    metricsHost: v.METRICS_HOST,
    metricsPort: v.METRICS_PORT,
    logLevel: v.LOG_LEVEL,
    adminToken: v.ADMIN_TOKEN,
    trustProxy: parseTrustProxy(v.TRUST_PROXY),
    bodyLimitBytes: v.BODY_LIMIT_BYTES,
    rateLimit: {
      max: v.RATE_LIMIT_MAX,
      readMax: v.RATE_LIMIT_READ_MAX,
      windowMs: v.RATE_LIMIT_WINDOW_SECONDS * 1000,
      ipv6PrefixLength: v.RATE_LIMIT_IPV6_PREFIX,
    },
    shutdownDrainSeconds: v.SHUTDOWN_DRAIN_SECONDS,
    keepAliveTimeoutMs: v.KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    requestTimeoutMs: v.REQUEST_TIMEOUT_SECONDS * 1000,
    version: v.APP_VERSION,
    gitCommit: v.GIT_COMMIT,
    database,
    memoryLimitBytes: v.MEMORY_LIMIT_BYTES,
    warmUpRounds: v.WARMUP_ROUNDS,
    migrateOnStart: v.MIGRATE_ON_START === 'true',
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
