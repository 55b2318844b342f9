// Loads and validates the dated price table (prices.json): one data file, so a price change is one edit.
import { readFileSync } from 'node:fs';

export type PriceStatus = 'checked' | 'to verify';

export interface PriceEntry {
  /** A price in USD per `unit`, or… */
  usd?: number;
  /** …a model parameter (a count or a ratio) that turns a resource into priced units. */
  value?: number;
  unit: string;
  source: string;
  evidence: string;
  status: PriceStatus;
}

interface PriceFile {
  currency: string;
  asOf: string;
  hoursPerMonth: number;
  assumptions: Record<string, { value: number; note: string; source: string }>;
  regions: Record<string, Record<string, PriceEntry>>;
}

export interface PriceTable {
  region: string;
  asOf: string;
  hoursPerMonth: number;
  /** Fargate Spot discount (0..1), an explicit assumption. */
  spotDiscount: number;
  /** USD per unit for `key`; throws naming the key when the table lacks it. */
  usd(key: string): number;
  /** A model parameter (count/ratio) for `key`. */
  value(key: string): number;
  has(key: string): boolean;
  entry(key: string): PriceEntry;
}

const DEFAULT_FILE = new URL('./prices.json', import.meta.url);

function fail(message: string): never {
  throw new Error(`price table: ${message}`);
}

/** Validates the whole file up front so a typo in prices.json fails with the key's name, not a NaN later. */
function validate(file: PriceFile): void {
  if (typeof file.asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(file.asOf)) fail('asOf must be a YYYY-MM-DD date');
  if (!(file.hoursPerMonth > 0)) fail('hoursPerMonth must be a positive number');
  const spot = file.assumptions?.spotDiscount?.value;
  if (typeof spot !== 'number' || spot < 0 || spot >= 1) fail('assumptions.spotDiscount.value must be in [0, 1)');
  for (const [region, entries] of Object.entries(file.regions ?? {})) {
    for (const [key, e] of Object.entries(entries)) {
      const where = `regions.${region}["${key}"]`;
      const hasUsd = typeof e.usd === 'number' && Number.isFinite(e.usd) && e.usd >= 0;
      const hasValue = typeof e.value === 'number' && Number.isFinite(e.value) && e.value >= 0;
      if (hasUsd === hasValue) fail(`${where} needs exactly one of a non-negative "usd" or "value"`);
      if (!e.source?.startsWith('https://')) fail(`${where}.source must name the pricing page (https://...)`);
      if (e.status !== 'checked' && e.status !== 'to verify') fail(`${where}.status must be "checked" or "to verify"`);
      if (typeof e.unit !== 'string' || e.unit === '') fail(`${where}.unit is required`);
    }
  }
}

export function loadPriceTable(
  region: string,
  options: { spotDiscount?: number; file?: URL | string } = {},
): PriceTable {
  const file = JSON.parse(readFileSync(options.file ?? DEFAULT_FILE, 'utf8')) as PriceFile;
  validate(file);
  const entries = file.regions[region];
  if (!entries) fail(`no prices for region "${region}" (have: ${Object.keys(file.regions).join(', ')})`);
  const spotDiscount = options.spotDiscount ?? file.assumptions.spotDiscount?.value ?? 0;
  if (spotDiscount < 0 || spotDiscount >= 1) fail('spot discount must be in [0, 1)');
  const entry = (key: string): PriceEntry => entries[key] ?? fail(`no entry "${key}" for region ${region}`);
  return {
    region,
    asOf: file.asOf,
    hoursPerMonth: file.hoursPerMonth,
    spotDiscount,
    entry,
    has: (key) => key in entries,
    usd: (key) => entry(key).usd ?? fail(`"${key}" is a model parameter, not a price`),
    value: (key) => entry(key).value ?? fail(`"${key}" is a price, not a model parameter`),
  };
}
