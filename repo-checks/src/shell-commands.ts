// The commands a shell script runs, read with a real bash parser (tree-sitter-bash): the scripts it runs
// (`bash x.sh`) and sources (`source x.sh`) are followed, and so are the root package.json scripts it starts
// (`npm test`, `npm run <name>`). A script that ends early for the environment it runs in (a top-level
// `if [ "${VAR:-}" = value ]; then … exit 0; fi` with VAR=value) is read up to that guard only.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix } from 'node:path';
import { Language, type Node, Parser } from 'web-tree-sitter';

/** Bash builtins and keywords: never a program to install. https://www.gnu.org/software/bash/manual/html_node/Shell-Builtin-Commands.html */
export const BASH_BUILTINS = new Set(
  (
    '. : [ [[ alias bg bind break builtin caller cd command compgen complete continue declare dirs disown echo enable ' +
    'eval exec exit export false fc fg getopts hash help history jobs kill let local logout mapfile popd printf pushd ' +
    'pwd read readarray readonly return set shift shopt source suspend test times trap true type typeset ulimit umask ' +
    'unalias unset wait'
  ).split(' '),
);

export interface CommandUse {
  readonly command: string;
  /** Where it is run: `path:line` relative to the repository root (package.json#scripts.<name> for npm scripts). */
  readonly at: string;
}

export interface ScriptScan {
  readonly commands: CommandUse[];
  /** Functions defined by the scanned scripts (callable like commands). */
  readonly functions: Set<string>;
  /** Every scanned file (repository-relative). */
  readonly files: string[];
  /** The literal arguments of `apt-get install` calls and of `PKGS=(…)` arrays, and of `pipx install` calls. */
  readonly aptPackages: Set<string>;
  readonly pipxPackages: Set<string>;
}

let parser: Parser | undefined;
async function bashParser(): Promise<Parser> {
  if (!parser) {
    await Parser.init();
    const require = createRequire(import.meta.url);
    const bash = await Language.load(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'));
    parser = new Parser();
    parser.setLanguage(bash);
  }
  return parser;
}

/** A word's literal text without quotes, or undefined when it holds an expansion. */
function literal(node: Node | null): string | undefined {
  if (!node) return undefined;
  if (node.type === 'word' || node.type === 'number') return node.text;
  if (node.type === 'raw_string') return node.text.slice(1, -1);
  if (node.type === 'string' && node.namedChildren.every((c) => c?.type === 'string_content')) {
    return node.text.slice(1, -1);
  }
  return undefined;
}

/** The program a command name runs: its literal, else the literal tail of `"$dir/name"` (name), else undefined. */
function programName(node: Node): string | undefined {
  const plain = literal(node.namedChildren[0] ?? node) ?? literal(node);
  if (plain !== undefined) return plain;
  const tail = /\/([\w.+-]+)"?$/.exec(node.text);
  return tail?.[1];
}

/** A path argument resolved from the script's folder when it starts with `$here/`, `$(dirname "$0")/` and the like. */
function scriptPath(word: Node, scriptDir: string, cwd: string): string | undefined {
  const plain = literal(word);
  if (plain !== undefined) return posix.normalize(posix.join(cwd, plain));
  const tail = /^"?\$(?:\w+|\{\w+\}|\(dirname "\$0"\))(\/[^"$]+)"?$/.exec(word.text);
  return tail ? posix.normalize(posix.join(scriptDir, tail[1] ?? '')) : undefined;
}

function earlyExit(statement: Node, env: Record<string, string>): boolean {
  if (statement.type !== 'if_statement') return false;
  const guard = /^if \[ "\$\{(\w+):-\}" = "?(\w+)"? \]; then\n[\s\S]*\bexit 0\s*\n\s*fi$/.exec(statement.text);
  return guard !== null && env[guard[1] ?? ''] === guard[2];
}

/**
 * Scans `entry` (repository-relative) as run from the repository root with `env` set, following what it runs.
 * `packageScripts`: the root package.json's scripts, for `npm test` / `npm run <name>`.
 */
export async function scanScript(
  repoRoot: string,
  entry: string,
  env: Record<string, string>,
  packageScripts: Record<string, string> = {},
): Promise<ScriptScan> {
  const bash = await bashParser();
  const scan: ScriptScan = {
    commands: [],
    functions: new Set(),
    files: [],
    aptPackages: new Set(),
    pipxPackages: new Set(),
  };
  const seen = new Set<string>();

  const visit = (source: string, where: string, scriptDir: string, lineOffset = 0) => {
    const tree = bash.parse(source);
    if (!tree) throw new Error(`${where}: not parsed`);
    const statements: Node[] = [];
    for (const statement of tree.rootNode.namedChildren) {
      if (!statement) continue;
      if (earlyExit(statement, env)) break;
      statements.push(statement);
    }
    for (const statement of statements) {
      for (const fn of statement.descendantsOfType('function_definition')) {
        const name = fn?.childForFieldName('name')?.text;
        if (name) scan.functions.add(name);
      }
      for (const array of statement.descendantsOfType('variable_assignment')) {
        const value = array?.childForFieldName('value');
        if (array?.childForFieldName('name')?.text === 'PKGS' && value?.type === 'array') {
          for (const word of value.namedChildren) {
            const pkg = literal(word);
            if (pkg) scan.aptPackages.add(pkg);
          }
        }
      }
      for (const command of statement.descendantsOfType('command')) {
        const nameNode = command?.childForFieldName('name');
        if (!command || !nameNode) continue;
        const program = programName(nameNode);
        if (program === undefined) continue;
        const at = `${where}:${command.startPosition.row + 1 + lineOffset}`;
        scan.commands.push({ command: program, at });
        const args = command.childrenForFieldName('argument').filter((a): a is Node => a !== null);
        const words = args.map(literal);
        if (program === 'apt-get' && words.includes('install')) {
          for (const w of words) if (w && !w.startsWith('-') && w !== 'install') scan.aptPackages.add(w);
        }
        if (program === 'pipx' && words[0] === 'install') {
          for (const arg of args.slice(1)) {
            const spec = literal(arg) ?? arg.text.replace(/^"|"$/g, '');
            if (!spec.startsWith('-')) scan.pipxPackages.add(spec.replace(/[=<>~!].*$/, ''));
          }
        }
        if ((program === 'bash' || program === 'source' || program === '.') && args[0]) {
          const path = scriptPath(args[0], scriptDir, '.');
          if (path?.endsWith('.sh')) follow(path);
        }
        if (program === 'npm' && args.length > 0 && !words.some((w) => w === '-w' || w?.startsWith('--workspace'))) {
          const name = words[0] === 'test' ? 'test' : words[0] === 'run' ? words[1] : undefined;
          const script = name === undefined ? undefined : packageScripts[name];
          if (name !== undefined && script !== undefined && !seen.has(`npm:${name}`)) {
            seen.add(`npm:${name}`);
            visit(script, `package.json#scripts.${name}`, '.');
          }
        }
      }
    }
  };
  const follow = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const file = join(repoRoot, path);
    if (!existsSync(file)) throw new Error(`${path}: run or sourced by a scanned script, but not found`);
    scan.files.push(path);
    visit(readFileSync(file, 'utf8'), path, posix.dirname(path));
  };
  follow(posix.normalize(entry));
  return scan;
}

/** The programs npm puts on PATH for package.json scripts (node_modules/.bin of the root, after `npm ci`). */
export function npmBins(repoRoot: string): Set<string> {
  const bins = new Set<string>();
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { bin?: Record<string, string> }>;
  };
  for (const [path, pkg] of Object.entries(lock.packages)) {
    // Only top-level packages of the root node_modules are linked into its .bin.
    if (!/^node_modules\/(@[^/]+\/)?[^/]+$/.test(path)) continue;
    for (const bin of Object.keys(pkg.bin ?? {})) bins.add(bin);
  }
  return bins;
}
