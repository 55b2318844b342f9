// The ECS deployment lifecycle hook of the app service (lib/constructs/smoke-hook.ts): at POST_TEST_TRAFFIC_SHIFT the
// new release's tasks hold 100 % of the test listener and 0 % of production; this sends the contract's smoke
// requests to the test listener and answers SUCCEEDED (ECS shifts production traffic) or FAILED (ECS rolls back).
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html (hookStatus values; a
// function that throws or returns no hookStatus also rolls back). Node built-ins only: it ships as one file.

/** One smoke request of the service contract (contract/service.schema.json `smokeTests`, edge-only ones left out). */
export interface SmokeRequest {
  readonly path: string;
  readonly method: 'GET' | 'HEAD';
  readonly status: number;
  readonly contentType?: string;
}

/** What ECS sends (the fields this hook logs): https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html */
export interface LifecycleHookEvent {
  readonly serviceArn?: string;
  readonly targetServiceRevisionArn?: string;
  readonly testTrafficWeights?: Record<string, number>;
  readonly productionTrafficWeights?: Record<string, number>;
}

export interface HookResponse {
  readonly hookStatus: 'SUCCEEDED' | 'FAILED';
}

export interface SmokeOptions {
  /** Tries per request before it counts as failed (the listener rule change takes seconds to reach every ALB node). */
  readonly attempts: number;
  readonly retryDelayMs: number;
  readonly timeoutMs: number;
}

const DEFAULTS: SmokeOptions = { attempts: 3, retryDelayMs: 3000, timeoutMs: 5000 };

/** Why one response does not match its request, or undefined when it does. */
function mismatch(test: SmokeRequest, response: Response): string | undefined {
  if (response.status !== test.status) return `status ${response.status}, expected ${test.status}`;
  const type = response.headers.get('content-type') ?? '';
  if (test.contentType && !type.startsWith(test.contentType))
    return `content-type "${type}", expected ${test.contentType}`;
  return undefined;
}

async function once(baseUrl: string, test: SmokeRequest, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(new URL(test.path, baseUrl), {
      method: test.method,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer();
    return mismatch(test, response);
  } catch (error) {
    if (!(error instanceof Error)) return String(error);
    const cause = (error.cause as { code?: string } | undefined)?.code;
    return `${error.name}: ${error.message}${cause ? ` (${cause})` : ''}`;
  }
}

/** Sends every request (each retried up to `attempts` times); returns one line per request that never matched. */
export async function runSmokeRequests(
  baseUrl: string,
  tests: readonly SmokeRequest[],
  options: Partial<SmokeOptions> = {},
): Promise<string[]> {
  const o = { ...DEFAULTS, ...options };
  const failures: string[] = [];
  for (const test of tests) {
    let problem: string | undefined;
    for (let attempt = 1; attempt <= o.attempts; attempt++) {
      problem = await once(baseUrl, test, o.timeoutMs);
      if (problem === undefined) break;
      if (attempt < o.attempts) await new Promise((resolve) => setTimeout(resolve, o.retryDelayMs));
    }
    if (problem !== undefined) failures.push(`${test.method} ${test.path}: ${problem}`);
  }
  return failures;
}

/** Reads TEST_LISTENER_URL and SMOKE_REQUESTS (JSON list); a bad value is one line naming the variable. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): { baseUrl: string; tests: SmokeRequest[] } {
  const baseUrl = env.TEST_LISTENER_URL ?? '';
  if (!/^https?:\/\/[^/]+/.test(baseUrl))
    throw new Error(`TEST_LISTENER_URL must be http(s)://host:port (got "${baseUrl}")`);
  let tests: unknown;
  try {
    tests = JSON.parse(env.SMOKE_REQUESTS ?? '');
  } catch {
    throw new Error('SMOKE_REQUESTS must be a JSON list of {path, method, status, contentType?}');
  }
  const valid = (t: unknown): t is SmokeRequest =>
    typeof t === 'object' &&
    t !== null &&
    typeof (t as SmokeRequest).path === 'string' &&
    ((t as SmokeRequest).method === 'GET' || (t as SmokeRequest).method === 'HEAD') &&
    Number.isInteger((t as SmokeRequest).status);
  if (!Array.isArray(tests) || tests.length === 0 || !tests.every(valid)) {
    throw new Error('SMOKE_REQUESTS must be a non-empty JSON list of {path, method, status, contentType?}');
  }
  return { baseUrl, tests };
}

export async function smokeHook(event: LifecycleHookEvent, options: Partial<SmokeOptions> = {}): Promise<HookResponse> {
  const log = (fields: Record<string, unknown>) =>
    console.log(JSON.stringify({ hook: 'smoke', revision: event.targetServiceRevisionArn, ...fields }));
  let settings: { baseUrl: string; tests: SmokeRequest[] };
  try {
    settings = settingsFromEnv(process.env);
  } catch (error) {
    // A hook that cannot test must not let the release through.
    log({ hookStatus: 'FAILED', error: (error as Error).message });
    return { hookStatus: 'FAILED' };
  }
  const failures = await runSmokeRequests(settings.baseUrl, settings.tests, options);
  const hookStatus = failures.length === 0 ? 'SUCCEEDED' : 'FAILED';
  log({ hookStatus, requests: settings.tests.length, failures, testTrafficWeights: event.testTrafficWeights });
  return { hookStatus };
}

/** The Lambda entry point (its second argument is Lambda's context, never options). */
export const handler = (event: LifecycleHookEvent): Promise<HookResponse> => smokeHook(event);
