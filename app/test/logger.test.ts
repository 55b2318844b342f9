import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { BlockWriter, isoTimePerMillisecond, loggerOptions } from '../src/logger.ts';

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

test('BlockWriter: lines wait for a block (or a flush), then reach the file whole and in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodeapp-log-'));
  const file = join(dir, 'out.log');
  const fd = openSync(file, 'w');
  try {
    const writer = new BlockWriter(fd, 190, 60_000); // the lines are 40 characters: 5 make a block
    const lines = Array.from({ length: 7 }, (_, i) => `{"n":${i},"text":"é ${'x'.repeat(20)}"}\n`);
    for (const line of lines.slice(0, 3)) writer.write(line);
    assert.equal(readFileSync(file, 'utf8'), '', 'under a block: nothing written yet');
    for (const line of lines.slice(3, 5)) writer.write(line);
    assert.equal(readFileSync(file, 'utf8'), lines.slice(0, 5).join(''), 'a full block is written at once');
    for (const line of lines.slice(5)) writer.write(line);
    writer.flushSync();
    assert.equal(readFileSync(file, 'utf8'), lines.join(''));
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
