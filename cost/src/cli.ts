// `npm run cost -- [options]`: the monthly cost estimate of every environment, from the synthesized stacks.
import { parseArgs } from 'node:util';
import { loadServiceContract, serviceFolderFromEnv } from '@nodeapp/contract';
import { loadConfig } from '@nodeapp/infra/config/environments';
import { markdownTable } from 'markdown-table';
import { defaultUsage, PER_REQUEST, parseAmount, USAGE_FIELDS, type Usage, usageOverrides } from './assumptions.ts';
import { readCdkOut, SHARED } from './cdk-out.ts';
import { type Estimate, estimateEnvironment } from './estimate.ts';
import { leverOptions, withEnvironment } from './levers.ts';
import { type PerMillion, perMillion } from './per-million.ts';
import { loadPriceTable } from './price-table.ts';
import { renderEstimate, renderPerMillion, renderTotals, usd } from './report.ts';
import type { StackTemplate } from './template.ts';

const HELP = `Usage: npm run cost -- [options]

  --env <name>           only this environment (default: all, plus the shared stacks)
  --levers               also price each cost lever (synthesizes one variant per option)
  --json                 machine-readable output
  --cdk-out <dir>        read templates from a cdk synth output instead of synthesizing
  --spot-discount <0..1> Fargate Spot discount assumption (default from prices.json)
${Object.values(USAGE_FIELDS)
  .map((f) => `  --${f.flag.padEnd(21)}${f.what} (env ${f.env})`)
  .join('\n')}
`;

interface Options {
  env?: string;
  levers: boolean;
  json: boolean;
  cdkOut?: string;
  spotDiscount?: number;
  usage: Partial<Usage>;
}

function parse(argv: string[]): Options {
  const usageFlags = Object.fromEntries(Object.values(USAGE_FIELDS).map((f) => [f.flag, { type: 'string' as const }]));
  const { values } = parseArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      levers: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'cdk-out': { type: 'string' },
      'spot-discount': { type: 'string' },
      help: { type: 'boolean', default: false },
      ...usageFlags,
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const spot = values['spot-discount'];
  return {
    env: values.env as string | undefined,
    levers: values.levers === true,
    json: values.json === true,
    cdkOut: values['cdk-out'] as string | undefined,
    spotDiscount: spot === undefined ? undefined : parseAmount('--spot-discount', spot as string),
    usage: usageOverrides(values as unknown as Record<string, string | undefined>),
  };
}

function estimateAll(templates: Map<string, StackTemplate[]>, opts: Options, names: string[]): Estimate[] {
  return names
    .filter((name) => templates.has(name))
    .map((name) => {
      const stacks = templates.get(name) ?? [];
      const prices = loadPriceTable(stacks[0]?.region ?? 'us-east-1', { spotDiscount: opts.spotDiscount });
      return estimateEnvironment(name, stacks, prices, { ...defaultUsage(name), ...opts.usage });
    });
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  const config = loadConfig();
  const known = config.environments.map((e) => e.name);
  if (opts.env && !known.includes(opts.env)) throw new Error(`--env ${opts.env}: expected one of ${known.join(', ')}`);
  const names = opts.env ? [opts.env] : [...known, SHARED];
  // aws-cdk-lib takes seconds to load: imported only when synthesizing.
  const templates = opts.cdkOut ? readCdkOut(opts.cdkOut) : (await import('./synth.ts')).synthesize(config, opts.env);
  const estimates = estimateAll(templates, opts, names);
  const contract = loadServiceContract(serviceFolderFromEnv());
  const perMillionRows: PerMillion[] = estimates.flatMap((e) => {
    const envConfig = config.environments.find((c) => c.name === e.env);
    const prices = loadPriceTable(e.region, { spotDiscount: opts.spotDiscount });
    // The service's contract may set the request target; infra deploys that value (lib/constructs/app-service.ts).
    const requestsPerTarget = contract.autoscaling.requestsPerTarget ?? envConfig?.service.targetRequestsPerTarget;
    return envConfig ? [perMillion(e, envConfig, prices, PER_REQUEST, requestsPerTarget)] : [];
  });

  const leverRows: { env: string; lever: string; option: string; total: number; delta: number }[] = [];
  if (opts.levers) {
    for (const base of estimates.filter((e) => e.env !== SHARED)) {
      const envConfig = config.environments.find((e) => e.name === base.env);
      if (!envConfig) continue;
      const { synthesize } = await import('./synth.ts');
      for (const option of leverOptions(envConfig)) {
        const variant = synthesize(withEnvironment(config, option.apply(envConfig)), base.env);
        const [estimate] = estimateAll(variant, opts, [base.env]);
        if (!estimate) continue;
        leverRows.push({
          env: base.env,
          lever: option.lever,
          option: option.option,
          total: estimate.total,
          delta: estimate.total - base.total,
        });
      }
    }
  }

  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ estimates, perMillion: perMillionRows, levers: leverRows }, null, 2)}\n`);
    return;
  }
  const out = estimates.map(renderEstimate);
  out.push(`### Totals\n\n${renderTotals(estimates)}`);
  if (perMillionRows.length > 0) out.push(renderPerMillion(perMillionRows));
  if (leverRows.length > 0) {
    const signed = (n: number) => `${n > 0 ? '+' : n < 0 ? '−' : '±'}${usd(Math.abs(n))}`;
    out.push(
      `### Levers (each option synthesized and estimated; delta against the configured environment)\n\n${markdownTable(
        [
          ['environment', 'lever', 'option', 'monthly total', 'delta'],
          ...leverRows.map((r) => [r.env, r.lever, r.option, usd(r.total), signed(r.delta)]),
        ],
        { align: ['l', 'l', 'l', 'r', 'r'] },
      )}`,
    );
  }
  process.stdout.write(`${out.join('\n\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`cost: ${(error as Error).message}\n`);
  process.exit(1);
});
