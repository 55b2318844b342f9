// The programs `up` and `down` run: the CDK CLI, Docker and the repository's scripts (the same scripts/*.sh the
// pipeline's jobs run). Each found by name on PATH, so a test puts recording stand-ins first on PATH.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export interface RunResult {
  readonly status: number;
  /** Standard output, also shown line by line as it comes. */
  readonly stdout: string;
}

export interface RunOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Written to the program's standard input (then closed); otherwise the terminal's. */
  readonly input?: string;
  /**
   * Read standard output (shown line by line, returned). Off: the terminal's, untouched, so a program's own prompt
   * (cdk's approval question ends without a newline) shows as it is written.
   * @default true
   */
  readonly capture?: boolean;
}

/** Runs a program; resolves with its exit status (never rejects on a non-zero exit). */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
  show: (line: string) => void = (line) => console.log(line),
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [
        options.input === undefined ? 'inherit' : 'pipe',
        options.capture === false ? 'inherit' : 'pipe',
        'inherit',
      ],
    });
    let stdout = '';
    let partial = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      stdout += chunk;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) show(`    ${line}`);
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on('error', reject);
    child.on('close', (code) => {
      if (partial) show(`    ${partial}`);
      resolve({ status: code ?? 1, stdout });
    });
  });
}

/** The first executable `name` on PATH, or undefined. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/**
 * The CDK CLI: `cdk` on PATH (npm run puts the workspace's node_modules/.bin first), else the workspace's aws-cdk.
 * Returned as a command and its leading arguments.
 */
export function cdkCommand(env: NodeJS.ProcessEnv = process.env): [string, ...string[]] {
  const found = onPath('cdk', env);
  if (found) return [found];
  return [process.execPath, createRequire(import.meta.url).resolve('aws-cdk/bin/cdk')];
}
