// `npm run bootstrap -- --env <dev|staging|prod|shared>`: `cdk bootstrap` of one account with this project's
// settings (lib/bootstrap/bootstrap-command.ts); environment accounts get the bounded execution role
// (lib/bootstrap/execution-boundary.ts). A usage problem exits 1 with one line, before cdk runs.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isOneAccountTrial, ONE_ACCOUNT_TRADE_OFF } from '../config/account-model.ts';
import { bootstrapArguments } from '../lib/bootstrap/bootstrap-command.ts';
import { boundedBootstrapTemplate } from '../lib/bootstrap/execution-boundary.ts';
import { BOOTSTRAP } from '../lib/commands.ts';
import { runCdk } from '../lib/run-cdk.ts';

await runCdk(BOOTSTRAP, (args, config) => {
  const templatePath = join(mkdtempSync(join(tmpdir(), 'nodeapp-bootstrap-')), 'bootstrap-template.yaml');
  const cdkArgs = bootstrapArguments(args, config, templatePath);
  if (cdkArgs.includes(templatePath)) writeFileSync(templatePath, stringify(boundedBootstrapTemplate()));
  // An environment bootstrapped as the shared account: the one-account trial, whose trade-off is said once.
  const env = args.join(' ').match(/--env[= ](\S+)/)?.[1] ?? '';
  if (isOneAccountTrial(config, env)) console.log(`note: ${ONE_ACCOUNT_TRADE_OFF}`);
  return cdkArgs;
});
