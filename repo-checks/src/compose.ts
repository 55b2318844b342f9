// compose.yaml checks: validation against the official compose-spec JSON schema, and the app's hardening.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';

const require = createRequire(import.meta.url);

/**
 * The compose-spec schema (github.com/compose-spec/compose-spec, schema/compose-spec.json) as shipped by the
 * maintained compose linter `dclint`; the package exports no subpath for it, so it is read from the package folder.
 */
export function composeSpecSchema(): Record<string, unknown> {
  const packageDir = dirname(require.resolve('dclint/package.json'));
  return JSON.parse(readFileSync(join(packageDir, 'schemas', 'compose.schema.json'), 'utf8'));
}

/** Schema violations of a parsed compose document ([] = valid). */
export function validateCompose(doc: unknown): string[] {
  const schema = composeSpecSchema();
  // The schema names draft-07 by its https URI; ajv (draft-07 by default) knows the meta-schema by its http id.
  if (!String(schema.$schema).includes('json-schema.org/draft-07/schema')) {
    throw new Error(`compose schema draft changed: ${schema.$schema}`);
  }
  // strict off: the schema uses annotations outside the JSON Schema vocabulary (deprecated, x-* patterns).
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile({ ...schema, $schema: 'http://json-schema.org/draft-07/schema#' });
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}

interface Service {
  read_only?: boolean;
  cap_drop?: string[];
  tmpfs?: string | string[];
  user?: string;
  security_opt?: string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, string> | string[];
}

/** The settings that make the app service as locked-down as the ECS task ([] = all present). */
export function hardeningProblems(doc: unknown, serviceName = 'app'): string[] {
  const services = (doc as { services?: Record<string, Service> }).services ?? {};
  const app = services[serviceName];
  if (!app) return [`no service "${serviceName}"`];
  const problems: string[] = [];
  if (app.read_only !== true) problems.push('read_only must be true');
  if (!app.cap_drop?.includes('ALL')) problems.push('cap_drop must include ALL');
  const tmpfs = typeof app.tmpfs === 'string' ? [app.tmpfs] : (app.tmpfs ?? []);
  if (!tmpfs.some((t) => t.split(':')[0] === '/tmp')) problems.push('tmpfs must mount /tmp');
  const uid = app.user?.split(':')[0];
  if (uid === undefined || !/^\d+$/.test(uid) || uid === '0') problems.push('user must be a numeric non-root uid');
  if (!app.security_opt?.some((o) => /^no-new-privileges(:true)?$/.test(o))) {
    problems.push('security_opt must set no-new-privileges');
  }
  const dependsOn = app.depends_on;
  const postgres = Array.isArray(dependsOn) ? undefined : dependsOn?.postgres;
  if (postgres?.condition !== 'service_healthy') problems.push('depends_on postgres must wait for service_healthy');
  return problems;
}
