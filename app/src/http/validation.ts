// Request validation. Fastify's default Ajv coerces types everywhere, so `{"name": 123}` would be stored
// as "123". Here only the URL parts (querystring, params, headers) are coerced - they are strings by
// nature - while JSON bodies must have the declared types. Errors name the field (see formatErrors).
import { Ajv, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchema } from 'fastify';

function makeAjv(coerceTypes: boolean | 'array'): Ajv {
  const ajv = new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
    verbose: true,
    // The route schemas are this code's own constants, checked against the JSON Schema meta-schema by
    // test/plugins/validation.test.ts; compiling the meta-schema in each of the two instances at every start
    // was a sizeable part of the start-up (docs/benchmarks/2026-12-06-history.md, session 1).
    validateSchema: false,
  });
  // biome-ignore lint/suspicious/noExplicitAny: ajv-formats' CJS default export is typed for CJS consumers
  (addFormats as any)(ajv);
  return ajv;
}

/** "body/name must NOT have more than 80 characters", "querystring/limit must be <= 100", ... */
export function formatErrors(errors: ErrorObject[], dataVar: string): string {
  return errors
    .map((e) => {
      const path = `${dataVar}${e.instancePath}`;
      if (e.keyword === 'additionalProperties') return `${path}/${e.params.additionalProperty} is not allowed`;
      if (e.keyword === 'required') return `${path}/${e.params.missingProperty} is required`;
      const custom = e.keyword === 'pattern' ? e.parentSchema?.['x-pattern-message'] : undefined;
      if (typeof custom === 'string') return `${path} ${custom}`;
      return `${path} ${e.message ?? 'is invalid'}`;
    })
    .join(', ');
}

export function configureValidation(app: FastifyInstance): void {
  const bodyAjv = makeAjv(false);
  const urlAjv = makeAjv('array');
  app.setValidatorCompiler(({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    (httpPart === 'body' ? bodyAjv : urlAjv).compile(schema),
  );
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(formatErrors(errors as ErrorObject[], dataVar)));
}
