// Shared types of the estimator: a line of the bill and what every extractor gets to work with.
import type { Usage } from './assumptions.ts';
import type { PriceTable } from './price-table.ts';
import type { Found, Inventory } from './template.ts';

export interface LineItem {
  /** compute, network, edge, data, security, observability, governance */
  group: string;
  resource: string;
  quantity: number;
  unit: string;
  /** USD per unit, full precision. */
  unitPrice: number;
  /** USD per month = round(quantity x unitPrice, cents). */
  monthly: number;
  priceKey: string;
  /** Logical IDs (stack/id) the line was derived from. */
  from: string[];
}

export interface Context {
  inv: Inventory;
  prices: PriceTable;
  usage: Usage;
  /** Records a line (rounded to the cent) and marks its resources as accounted for. */
  add(line: Omit<LineItem, 'monthly'>, resources: Found[]): void;
  /** Marks resources as accounted for without a line (free, or priced through another resource). */
  covered(resources: Found[]): void;
  note(text: string): void;
}

/** Rounds half up to the cent; toPrecision drops binary noise first (16.425 * 100 is 1642.4999999999998). */
export function cents(usd: number): number {
  return Math.round(Number((usd * 100).toPrecision(12))) / 100;
}

export function label(found: Found): string {
  const stack = found.stack.name.replace(/^Nodeapp-[^-]+-/, '');
  // CDK logical IDs end in an 8-hex-digit hash; it adds nothing for a reader.
  return `${stack}/${found.id.replace(/[0-9A-F]{8}$/, '')}`;
}

export function ref(found: Found): string {
  return `${found.stack.name}/${found.id}`;
}

/** The parts of a line that differ between lines priced straight from the price table. */
export type PricedLine = Omit<LineItem, 'monthly' | 'unitPrice' | 'from'>;

/** Records a line priced at `prices.usd(priceKey)`, derived from `resources` and marking them as accounted for. */
export function addPriced(ctx: Context, resources: Found[], line: PricedLine): void {
  const { group, resource, quantity, unit, priceKey } = line;
  ctx.add(
    { group, resource, quantity, unit, unitPrice: ctx.prices.usd(priceKey), priceKey, from: resources.map(ref) },
    resources,
  );
}
