// The command-line conventions every infra command shares: `--help` prints usage and exits 0; a wrong argument
// exits 1 with one line naming it. Each command describes itself as data (CommandSpec) and parses with
// node:util parseArgs (https://nodejs.org/api/util.html#utilparseargsconfig).
import { parseArgs } from 'node:util';
import { settingsHelp } from '../config/settings.ts';
import { UsageError } from './app.ts';

export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** For --help: `--env <name>  the environment`. */
  readonly help: string;
  readonly value?: string;
}

export interface CommandSpec {
  /** `npm run up -- --env <name> [options]` */
  readonly usage: string;
  /** One or two sentences. */
  readonly summary: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** Arguments after the known options are passed on (to cdk); otherwise an unknown one is an error. */
  readonly passThrough?: boolean;
  /** List the settings (config/settings.ts) in --help. */
  readonly settings?: boolean;
}

export function helpText(spec: CommandSpec): string {
  const options = Object.entries(spec.options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ` <${o.value ?? 'value'}>` : ''}`;
    return `  ${flag.padEnd(34)} ${o.help}`;
  });
  return [
    `usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'options:',
    `  ${'--help'.padEnd(34)} this text`,
    ...options,
    ...(spec.settings ? ['', 'settings (environment variables, docs/deploy.md "Settings"):', settingsHelp()] : []),
  ].join('\n');
}

export function wantsHelp(args: readonly string[]): boolean {
  return args.includes('--help') || args.includes('-h');
}

export type Parsed = { values: Record<string, string | boolean | undefined>; rest: string[] };

/** Parses `args` by `spec`; throws a one-line UsageError naming the wrong argument. */
export function parseCommand(spec: CommandSpec, args: readonly string[]): Parsed {
  const options = Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, { type: o.type }]));
  try {
    const { values, positionals, tokens } = parseArgs({
      args: [...args],
      options,
      strict: !spec.passThrough,
      allowPositionals: true,
      tokens: true,
    });
    if (!spec.passThrough && positionals.length > 0) {
      throw new UsageError(`unexpected argument ${positionals[0]} (see ${spec.usage.split(' --')[0]} -- --help)`);
    }
    // Pass-through: everything that is not one of ours, in order (for cdk).
    const ours = new Set(Object.keys(spec.options));
    const rest: string[] = [];
    for (const token of tokens ?? []) {
      if (token.kind === 'option' && ours.has(token.name)) continue;
      if (token.kind === 'option') rest.push(token.rawName, ...(token.value === undefined ? [] : [token.value]));
      else if (token.kind === 'positional') rest.push(token.value);
      else rest.push('--');
    }
    return { values: values as Parsed['values'], rest };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // parseArgs' errors name the option: "Unknown option '--evn'", "Option '--env <value>' argument missing".
    const first = (error as Error).message.split('\n')[0] ?? '';
    throw new UsageError(`${first.split('. To specify')[0]} (see --help)`);
  }
}
