// Renders estimates as Markdown (readable in a terminal, pasteable into docs/finops.md).
import { markdownTable } from 'markdown-table';
import { PER_REQUEST, USAGE_FIELDS } from './assumptions.ts';
import type { Estimate } from './estimate.ts';
import type { PerMillion } from './per-million.ts';

export function usd(n: number): string {
  return `$${n.toFixed(2)}`;
}

function quantity(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toLocaleString('en-US', { maximumFractionDigits: 3 });
}

function unitPrice(n: number): string {
  return `$${n < 0.01 && n > 0 ? n.toPrecision(4) : n.toFixed(4).replace(/0{1,2}$/, '')}`;
}

export function renderEstimate(e: Estimate): string {
  const rows = e.lines.map((l) => [
    l.resource,
    `${quantity(l.quantity)} ${l.unit}`,
    unitPrice(l.unitPrice),
    usd(l.monthly),
  ]);
  const table = markdownTable(
    [['resource', 'quantity / month', 'unit price', 'monthly'], ...rows, ['**total**', '', '', `**${usd(e.total)}**`]],
    { align: ['l', 'r', 'r', 'r'] },
  );
  const assumptions = (Object.keys(USAGE_FIELDS) as (keyof typeof USAGE_FIELDS)[])
    .map((k) => `${USAGE_FIELDS[k].what} ${e.usage[k].toLocaleString('en-US')} (--${USAGE_FIELDS[k].flag})`)
    .join('; ');
  const out = [
    `### ${e.env} (${e.region}) — ${usd(e.total)} per month`,
    '',
    `Stacks: ${e.stacks.join(', ')}. Prices as of ${e.pricesAsOf}; Fargate Spot discount assumed ${Math.round(e.spotDiscount * 100)} %.`,
    `Usage assumptions: ${assumptions}.`,
    '',
    table,
  ];
  if (e.notes.length > 0) out.push('', ...e.notes.map((n) => `- note: ${n}`));
  if (e.unpriced.length > 0) out.push('', `- not priced (unknown resource types): ${e.unpriced.join(', ')}`);
  return out.join('\n');
}

export function renderTotals(estimates: Estimate[]): string {
  return markdownTable([['environment', 'monthly estimate'], ...estimates.map((e) => [e.env, usd(e.total)])], {
    align: ['l', 'r'],
  });
}

/** A per-million figure: cents, or fractions of a cent below one. */
function perMillionUsd(n: number): string {
  return n > 0 && n < 0.01 ? `$${n.toPrecision(2)}` : usd(n);
}

export function renderPerMillion(rows: PerMillion[]): string {
  const summary = markdownTable(
    [
      ['environment', 'monthly fixed cost', 'per million API requests', 'largest line'],
      ...rows.map((r) => [r.env, usd(r.fixedMonthly), perMillionUsd(r.total), r.dominant]),
    ],
    { align: ['l', 'r', 'r', 'l'] },
  );
  const details = rows.map((r) =>
    markdownTable(
      [
        [`${r.env}: per million API requests`, 'USD', 'how'],
        ...r.lines.map((l) => [l.name, perMillionUsd(l.usd), l.detail]),
        ['**total**', `**${perMillionUsd(r.total)}**`, ''],
      ],
      { align: ['l', 'r', 'l'] },
    ),
  );
  const a = PER_REQUEST;
  return [
    '### Cost per million API requests',
    '',
    'The monthly fixed cost is the estimate without its request-driven lines (load balancer capacity units, CloudFront',
    'requests and data, WAF requests); each further million API requests adds the figure beside it.',
    `Assumptions (cost/src/assumptions.ts, PER_REQUEST): ${a.cpuMicros} µs of CPU per request (measured by npm run bench),`,
    `${a.requestBytes} B in and ${a.responseBytes} B out per request, one ${a.logBytes} B log line; tasks at the binding`,
    'autoscaling target (CPU or request count), on the capacity mix of the tasks beyond the FARGATE base; every request a',
    'new ALB connection.',
    '',
    summary,
    '',
    ...details.flatMap((d) => [d, '']),
  ]
    .join('\n')
    .trimEnd();
}
