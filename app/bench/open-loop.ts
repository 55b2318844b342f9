// A fixed-rate (open-loop) load for the warm-start and capacity benchmarks, through loadtest's `requestsPerSecond`:
// a timer sends each request on schedule whether or not earlier ones have answered (a new client is added when
// all are busy: https://github.com/alexfernandez/loadtest/blob/main/lib/pool.js `makeRequest`), so a slow
// response does not hold the next requests back. That is what a closed loop (autocannon, wrk: N connections,
// each waiting for its answer) gets wrong: the requests a stall would have delayed are never sent, and the stall
// hides from the percentiles (coordinated omission). loadtest times a request from the moment it sends it
// (lib/httpClient.js `makeRequest` → `latency.begin()`), not from its scheduled time: the one gap left is the
// generator itself falling behind its schedule, which `lagMs` measures here (the send time minus the scheduled
// time, taken in loadtest's requestGenerator hook) so a run can say that it stayed small.
import { performance } from 'node:perf_hooks';
import { loadTest as loadTestWithCallback } from 'loadtest';

// Without a callback, loadTest returns a promise of its summary (lib/loadtest.js); its inferred type wants both.
const loadTest = loadTestWithCallback as unknown as (options: Record<string, unknown>) => Promise<unknown>;

export interface MixEntry {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Share of the total rate (the entries' weights are normalised). */
  weight: number;
  /** JSON body, made per request (e.g. a unique text). */
  body?: () => unknown;
  /** Status a request must get to count as a success. */
  status: number;
}

export interface Sample {
  /** When the request was sent, ms since the load began. */
  sentMs: number;
  latencyMs: number;
  ok: boolean;
}

export interface OpenLoopResult {
  samples: Sample[];
  /** How late the generator sent each request against its schedule, ms. */
  lagMs: number[];
  /** Requests that failed without a response (refused, reset, timed out). */
  connectionErrors: number;
}

interface LoadtestResult {
  statusCode?: number;
  requestElapsed?: number;
}

/** Runs `mix` at `rps` requests per second in total for `seconds` against `baseUrl`. */
export async function openLoop(
  baseUrl: string,
  mix: readonly MixEntry[],
  rps: number,
  seconds: number,
): Promise<OpenLoopResult> {
  const samples: Sample[] = [];
  const lagMs: number[] = [];
  let connectionErrors = 0;
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const startedAt = performance.now();
  await Promise.all(
    mix.map((entry) => {
      const rate = (rps * entry.weight) / total;
      let sent = 0;
      return loadTest({
        url: new URL(entry.path, baseUrl).toString(),
        method: entry.method,
        requestsPerSecond: rate,
        maxSeconds: seconds,
        agentKeepAlive: true,
        timeout: 10_000,
        ...(entry.body ? { body: () => JSON.stringify(entry.body?.()), contentType: 'application/json' } : {}),
        // Called as each request is made: its lateness against the schedule (the timer starts at once).
        requestGenerator(
          _options: unknown,
          params: Record<string, unknown>,
          request: (params: unknown, callback: unknown) => unknown,
          callback: unknown,
        ) {
          lagMs.push(performance.now() - startedAt - (sent++ * 1000) / rate);
          return request(params, callback);
        },
        statusCallback(error: unknown, result: LoadtestResult | undefined) {
          if (!result || result.requestElapsed === undefined) {
            if (error) connectionErrors++;
            return;
          }
          const now = performance.now() - startedAt;
          samples.push({
            sentMs: now - result.requestElapsed,
            latencyMs: result.requestElapsed,
            ok: result.statusCode === entry.status,
          });
        },
        quiet: true,
      });
    }),
  );
  return { samples, lagMs, connectionErrors };
}

/** The q-th quantile (0..1) of `values` (nearest rank); 0 when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

/** The samples sent in [fromMs, toMs). */
export function window(samples: readonly Sample[], fromMs: number, toMs: number): Sample[] {
  return samples.filter((s) => s.sentMs >= fromMs && s.sentMs < toMs);
}
