// The contract for shell scripts and the workflow:
//   node contract/bin/contract.ts [--service <folder>] check        validate; exit 1 with one line per problem
//   node contract/bin/contract.ts [--service <folder>] json         the contract with defaults, as JSON
//   node contract/bin/contract.ts [--service <folder>] get <field>  one field (dotted path): strings raw, else JSON
// The folder defaults to NODEAPP_SERVICE, else `app`.
import { parseArgs } from 'node:util';
import { ContractError, loadServiceContract, serviceFolderFromEnv } from '../src/index.ts';

const usage = `usage: node contract/bin/contract.ts [--service <folder>] check | json | get <field>
  --service <folder>  the service folder holding service.json (default: NODEAPP_SERVICE, else app)`;

function main(argv: string[]): number {
  let parsed: ReturnType<
    typeof parseArgs<{ options: { service: { type: 'string' }; help: { type: 'boolean' } }; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: { service: { type: 'string' }, help: { type: 'boolean' } },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`contract: ${(error as Error).message}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(usage);
    return 0;
  }
  const [command, field, ...rest] = parsed.positionals;
  if (
    !command ||
    !['check', 'json', 'get'].includes(command) ||
    (command === 'get') !== (field !== undefined) ||
    rest.length > 0
  ) {
    console.error(`contract: expected check, json or get <field>\n${usage}`);
    return 2;
  }
  let contract: ReturnType<typeof loadServiceContract>;
  try {
    contract = loadServiceContract(parsed.values.service ?? serviceFolderFromEnv());
  } catch (error) {
    if (error instanceof ContractError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  if (command === 'check') {
    console.log(`${contract.folder}/service.json: valid (service ${contract.name})`);
  } else if (command === 'json') {
    console.log(JSON.stringify(contract, null, 2));
  } else {
    let value: unknown = contract;
    for (const key of (field as string).split('.')) {
      value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    if (value === undefined) {
      console.error(`contract: ${field}: not set in ${contract.folder}/service.json`);
      return 1;
    }
    console.log(typeof value === 'string' ? value : JSON.stringify(value));
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
