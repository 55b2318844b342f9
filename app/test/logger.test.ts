import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { isoTimePerMillisecond, loggerOptions } from '../src/logger.ts';

test('log lines carry an ISO time that follows the clock', async () => {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(loggerOptions('info'), { write: (line: string) => lines.push(JSON.parse(line)) });
  const before = Date.now();
  logger.info('first');
  await sleep(5);
  logger.info('second');
  const after = Date.now();
  const times = lines.map((l) => l.time as string);
  for (const time of times) {
    assert.match(time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const ms = Date.parse(time);
    assert.ok(ms >= before && ms <= after, `${time} not within the test`);
  }
  assert.ok(Date.parse(times[1] as string) - Date.parse(times[0] as string) >= 4, `${times} did not advance`);
});

test('the time field is the JSON fragment pino splices into each line', () => {
  assert.match(isoTimePerMillisecond()(), /^,"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"$/);
});
