// Locating the external binaries the tests drive (promtool, amtool, prometheus, alertmanager).
// In CI (CI=true) a missing binary is a test failure; elsewhere the test is skipped, saying which package has it.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { requireOrSkip } from '@nodeapp/test-support';

export const MONITORING_DIR = join(import.meta.dirname, '..', '..');
export const REPO_DIR = dirname(MONITORING_DIR);

export function which(name: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The Debian package that ships each binary the tests drive. */
const DEBIAN_PACKAGE: Record<string, string> = {
  promtool: 'prometheus',
  prometheus: 'prometheus',
  amtool: 'prometheus-alertmanager',
  'prometheus-alertmanager': 'prometheus-alertmanager',
};

/** Resolves every binary, or skips the test (outside CI) / throws (in CI) naming the missing ones. */
export function requireTools<T extends string>(t: TestContext, names: T[]): Record<T, string> | undefined {
  const found = {} as Record<T, string>;
  const missing: string[] = [];
  for (const name of names) {
    const path = which(name);
    if (path) found[name] = path;
    else missing.push(name);
  }
  if (missing.length === 0) return found;
  const packages = [...new Set(missing.map((name) => DEBIAN_PACKAGE[name] ?? name))];
  const requirement = { missing: `${missing.join(', ')} not found`, howToGet: `apt-get install ${packages.join(' ')}` };
  return requireOrSkip(t, false, requirement) ? found : undefined;
}

/** Runs a command and returns its combined output; the error message carries the output when it fails. */
export function run(command: string, args: string[], cwd = MONITORING_DIR): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}\n${e.message}`);
  }
}
