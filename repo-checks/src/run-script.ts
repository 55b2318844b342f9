// Runs a repository script with bash, asynchronously (the tests' own HTTP servers keep serving meanwhile).
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './repo.ts';

export interface ScriptResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<ScriptResult> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      [join(repoRoot, script), ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** For skipUnless (@nodeapp/test-support): the scripts call curl. */
export const curlRequirement = { missing: 'curl not found', howToGet: 'apt-get install curl' };
/** The workflow's image/push scripts read JSON with jq (on every GitHub runner image). */
export const jqRequirement = { missing: 'jq not found', howToGet: 'apt-get install jq' };

/** Whether a command is on PATH. */
export function hasCommand(name: string): boolean {
  try {
    execFileSync('bash', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
