// A test that needs a tool or server the machine may lack (PostgreSQL, Chromium, promtool, curl, root…):
// outside CI it is skipped, saying how to get what is missing; in CI (CI=true) it fails, because CI must prove it.
// Every skip message has the one form `<what is missing>; to run this test: <how to get it>`.
import type { TestContext } from 'node:test';

export interface Requirement {
  /** what is missing, e.g. `promtool not found` or `no Chromium at /usr/bin/chromium` */
  missing: string;
  /** how to get it, e.g. `apt-get install prometheus` */
  howToGet: string;
}

/** CI as GitHub Actions (and most CI services) set it. */
export function inCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

export function requirementMessage(requirement: Requirement): string {
  return `${requirement.missing}; to run this test: ${requirement.howToGet}`;
}

function failInCI(requirement: Requirement): never {
  throw new Error(`${requirementMessage(requirement)} (CI=true: required here, never skipped)`);
}

/**
 * Inside a test: true when `available`; otherwise skips the test (outside CI) and returns false, or throws (in CI).
 *   if (!requireOrSkip(t, existsSync(CHROMIUM), CHROMIUM_REQUIREMENT)) return;
 */
export function requireOrSkip(t: TestContext, available: boolean, requirement: Requirement): boolean {
  if (available) return true;
  if (inCI()) failInCI(requirement);
  t.skip(requirementMessage(requirement));
  return false;
}

/**
 * For a suite's or test's `skip` option: false when `available`; otherwise the skip message (outside CI), or a
 * throw when the test file loads (in CI), which fails the file with the message.
 *   describe('deploy-smoke.sh', { skip: skipUnless(hasCommand('curl'), CURL) }, () => { … });
 */
export function skipUnless(available: boolean, requirement: Requirement): string | false {
  if (available) return false;
  if (inCI()) failInCI(requirement);
  return requirementMessage(requirement);
}
