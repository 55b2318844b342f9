// Renders estimates as Markdown (readable in a terminal, pasteable into docs/finops.md).
import { markdownTable } from 'markdown-table';
import { USAGE_FIELDS } from './assumptions.ts';
import type { Estimate } from './estimate.ts';

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
