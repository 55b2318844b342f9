// The capacity benchmark's decisions (bench/capacity-search.ts): which rates it tries, what counts as served, how
// it reads its arguments. The benchmark itself is not run in the tests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { loadServiceContract } from '@nodeapp/contract';
import {
  capacity,
  mixFromFile,
  mixFromSmokeTests,
  nextRate,
  parseSizes,
  type Step,
  stepResult,
  stepVerdict,
} from '../../bench/capacity-search.ts';
import { quantile, window } from '../../bench/open-loop.ts';

const step = (rps: number, p99Ms: number, errors = 0): Step => ({ rps, p99Ms, errors, requests: rps * 10 });

describe('nextRate and capacity', () => {
  test('grows by the factor while steps pass, then halves the gap to the first failure', () => {
    const steps: Step[] = [];
    assert.equal(nextRate(steps, 20), 20);
    steps.push(step(20, 10));
    assert.equal(nextRate(steps, 20), 30);
    steps.push(step(30, 20), step(45, 40), step(68, 300));
    assert.equal(nextRate(steps, 20), 57); // between 45 (passed) and 68 (failed)
    steps.push(step(57, 90));
    assert.equal(nextRate(steps, 20), 63);
    steps.push(step(63, 101)); // p99 above 100 ms: a failure
    assert.equal(nextRate(steps, 20), 60);
    steps.push(step(60, 95));
    assert.equal(nextRate(steps, 20), undefined); // 60..63 is within 10 % of 60
    assert.equal(capacity(steps), 60);
  });

  test('an error fails a step even with a low p99', () => {
    assert.equal(capacity([step(20, 5), step(30, 5, 1)]), 20);
  });

  test('a first step that fails makes the rate go down, and gives up below 1 req/s', () => {
    assert.equal(nextRate([step(20, 500)], 20), 13);
    assert.equal(nextRate([step(1, 500)], 1), undefined);
    assert.equal(capacity([step(1, 500)]), 0);
  });
});

describe('stepVerdict: a step on a shared machine', () => {
  const attempt = (p99Ms: number, lagP99Ms: number) => ({ ...step(100, p99Ms), lagP99Ms });

  test('one passing attempt passes the step, and is the one reported', () => {
    const attempts = [attempt(300, 5), attempt(80, 5)];
    assert.equal(stepVerdict(attempts), 'pass');
    assert.equal(stepResult(attempts).p99Ms, 80);
  });

  test('fails after two failures with the generator on schedule, not after one', () => {
    assert.equal(stepVerdict([attempt(300, 5)]), 'again');
    assert.equal(stepVerdict([attempt(300, 5), attempt(250, 10)]), 'fail');
  });

  test('a failure while the generator itself lagged does not count, up to four attempts', () => {
    assert.equal(stepVerdict([attempt(300, 5), attempt(300, 200)]), 'again');
    assert.equal(stepVerdict([attempt(300, 200), attempt(300, 200), attempt(300, 200)]), 'again');
    const noisy = [attempt(300, 200), attempt(200, 200), attempt(300, 200), attempt(400, 200)];
    assert.equal(stepVerdict(noisy), 'fail');
    assert.equal(stepResult(noisy).p99Ms, 200);
  });
});

describe('arguments', () => {
  test('--sizes: vCPU:MiB items, a clear error otherwise', () => {
    assert.deepEqual(parseSizes('0.25:512,1:2048'), [
      { cpu: 0.25, memoryMiB: 512 },
      { cpu: 1, memoryMiB: 2048 },
    ]);
    assert.throws(() => parseSizes('0.25'), /--sizes: expected vCPU:MiB items such as 0.25:512, got "0.25"/);
  });

  test("the service's API mix file: 80 % list, 20 % valid posts", () => {
    const mix = mixFromFile(
      JSON.parse(readFileSync(new URL('../../bench/api-mix.json', import.meta.url), 'utf8')),
      'm',
    );
    assert.deepEqual(
      mix.map((m) => [m.method, m.path, m.weight, m.status]),
      [
        ['GET', '/api/messages', 80, 200],
        ['POST', '/api/messages', 20, 201],
      ],
    );
    assert.ok(mix[1]?.body, 'the POST has a body');
    assert.throws(
      () => mixFromFile([{ path: 'api' }], 'm.json'),
      /m.json: \[0\].path: expected a path starting with \//,
    );
  });

  test("without a mix file: the contract's smoke requests that reach the task, not the health checks", () => {
    const contract = loadServiceContract('app');
    const mix = mixFromSmokeTests(contract.smokeTests, [contract.health.readiness, contract.health.liveness]);
    assert.deepEqual(
      mix.map((m) => m.path),
      contract.smokeTests.filter((t) => !t.edgeOnly && !t.path.startsWith('/health/')).map((t) => t.path),
    );
    assert.throws(
      () =>
        mixFromSmokeTests([{ path: '/health/ready', method: 'GET', status: 200, edgeOnly: false }], ['/health/ready']),
      /smokeTests: no GET request/,
    );
  });
});

test('quantile (nearest rank) and windows by send time', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(values, 0.99), 99);
  assert.equal(quantile(values, 0.5), 50);
  assert.equal(quantile([], 0.99), 0);
  const samples = [0, 5000, 9999, 10000].map((sentMs) => ({ sentMs, latencyMs: 1, ok: true }));
  assert.equal(window(samples, 0, 10000).length, 3);
});
