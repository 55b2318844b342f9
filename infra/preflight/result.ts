// What one preflight check reports: a pass/fail (or skip, when the check does not apply to this environment) line
// that names what was read and, on failure, how to fix it.

export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  /** Short name of the check, e.g. `zones`. */
  readonly check: string;
  readonly status: CheckStatus;
  /** What was found, in one line. */
  readonly detail: string;
  /** How to fix a failure. */
  readonly fix?: string;
}

export function pass(check: string, detail: string): CheckResult {
  return { check, status: 'pass', detail };
}

export function fail(check: string, detail: string, fix: string): CheckResult {
  return { check, status: 'fail', detail, fix };
}

export function skip(check: string, detail: string): CheckResult {
  return { check, status: 'skip', detail };
}

/** `PASS zones: …`, `FAIL zones: … (fix: …)`: one line per check. */
export function formatResult(result: CheckResult): string {
  const line = `${result.status.toUpperCase()} ${result.check}: ${result.detail}`;
  return result.fix ? `${line} (fix: ${result.fix})` : line;
}

/** The name and message of an SDK error, for a failure line (never a stack trace). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** True for the SDK's "not allowed" errors (IAM says AccessDenied, most JSON services AccessDeniedException). */
export function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && /^(AccessDenied|AccessDeniedException|UnauthorizedOperation)$/.test(error.name);
}
