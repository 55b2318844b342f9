// pino: JSON lines on stdout (what CloudWatch Logs and the tests read), or pino-pretty's readable
// output when stdout is a terminal and pino-pretty (a dev dependency) is installed.
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
 * millisecond, and Date#toISOString was ~2.5% of the CPU of GET /api/hello in a profile.
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

export function createLogger(level: string, destination?: DestinationStream): Logger {
  if (!destination && process.stdout.isTTY && prettyAvailable()) {
    return pino({
      ...loggerOptions(level),
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l' } },
    });
  }
  // Synchronous writes, pino's default. Measured (`perf stat` on bench/floor-server.js, one line per
  // request to /dev/null): a line cost ~14 µs of CPU written synchronously and ~27 µs asynchronously, whose
  // fs.write hops through libuv's thread pool and back for nearly every line under load. And a line
  // written is never lost if the process dies. Writes do not wait on CloudWatch: ECS's awslogs driver
  // runs in non-blocking mode with a 25 MiB buffer (infra app-task-definition.ts), so stdout is always read.
  return pino(loggerOptions(level), destination ?? pino.destination({ dest: 1, sync: true }));
}
