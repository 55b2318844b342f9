// pino: JSON lines on stdout (what CloudWatch Logs and the tests read), or pino-pretty's readable
// output when stdout is a terminal and pino-pretty (a dev dependency) is installed.
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/** Secrets never reach the logs, wherever a request's headers are logged. */
export const redactPaths = [
  'request.headers.authorization',
  'request.headers.cookie',
  'request.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
];

/**
 * pino's isoTime, with the ISO string built once per millisecond: under load several lines share a
 * millisecond, and Date#toISOString per line showed in a CPU profile of GET /api/hello
 * (docs/benchmarks/2026-12-06-history.md, session 1).
 */
export function isoTimePerMillisecond(): () => string {
  let lastMs = -1;
  let last = '';
  return () => {
    const now = Date.now();
    if (now !== lastMs) {
      lastMs = now;
      last = `,"time":"${new Date(now).toISOString()}"`;
    }
    return last;
  };
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactPaths, censor: '[Redacted]' },
    timestamp: isoTimePerMillisecond(),
    formatters: { level: (label) => ({ level: label }) },
  };
}

function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * stdout through a buffer: lines are written in blocks of ~LOG_BUFFER_BYTES, not one write(2) per line (each
 * costs a system call and a pipe wake-up for the log reader). A quiet service still writes within LOG_FLUSH_MS.
 * Writes stay synchronous, so a block is in the pipe when the write returns.
 * What is buffered is flushed when the process ends: on exit (process.exit, a fatal start-up error), after the
 * SIGTERM drain, and on an uncaught exception (server.ts logs it, then exits through the same path). Only a
 * SIGKILL (or the kernel's OOM killer) can lose the last LOG_FLUSH_MS of lines.
 * Not sonic-boom's `minLength` (pino.destination): it measures the whole pending block's UTF-8 length again for
 * every line appended, which made a buffered line dearer than a line written on its own
 * (docs/benchmarks/2026-12-06-history.md).
 */
export const LOG_BUFFER_BYTES = 8 * 1024;
export const LOG_FLUSH_MS = 200;

export class BlockWriter implements DestinationStream {
  #chunks: string[] = [];
  #length = 0;
  readonly #fd: number;
  readonly #blockLength: number;

  constructor(fd: number, blockLength = LOG_BUFFER_BYTES, flushMs = LOG_FLUSH_MS) {
    this.#fd = fd;
    this.#blockLength = blockLength;
    setInterval(() => this.flushSync(), flushMs).unref();
  }

  write(line: string): void {
    this.#chunks.push(line);
    this.#length += line.length; // characters, not bytes: the block size only needs to be about right
    if (this.#length >= this.#blockLength) this.flushSync();
  }

  /** pino's `logger.flush()` */
  flush(callback?: (error?: Error) => void): void {
    this.flushSync();
    callback?.();
  }

  flushSync(): void {
    if (this.#length === 0) return;
    const block = Buffer.from(this.#chunks.join(''));
    this.#chunks = [];
    this.#length = 0;
    let offset = 0;
    while (offset < block.length) {
      try {
        offset += writeSync(this.#fd, block, offset);
      } catch (error) {
        // stdout set non-blocking by whoever holds the other end: wait for the reader, as sonic-boom does.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  }
}

export function bufferedStdout(): BlockWriter {
  const destination = new BlockWriter(1);
  // Runs for every exit that runs JavaScript: process.exit(), the end of the event loop, and after
  // close-with-grace's handler for signals and uncaught errors (which ends in process.exit).
  process.once('exit', () => destination.flushSync());
  return destination;
}

export function createLogger(level: string, destination?: DestinationStream): Logger {
  if (!destination && process.stdout.isTTY && prettyAvailable()) {
    return pino({
      ...loggerOptions(level),
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  // Writes do not wait on CloudWatch: ECS's awslogs driver runs in non-blocking mode with a 25 MiB buffer
  // (infra app-task-definition.ts), so stdout is always read.
  return pino(loggerOptions(level), destination ?? bufferedStdout());
}
