/** pino JSON logs on stderr; every service logs through a child carrying `service`. */
import { pino, destination, stdTimeFunctions, type Logger } from 'pino';
import { currentTrace } from './trace.ts';

export type { Logger };

let root: Logger | undefined;

function rootLogger(): Logger {
  root ??= pino(
    {
      level: process.env.LOG_LEVEL?.trim() || 'info',
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // The trace id of the work being logged, read when a line is written: no logger per request.
      mixin: () => {
        const trace = currentTrace();
        return trace ? { traceId: trace.traceId } : {};
      },
    },
    destination({ fd: 2, sync: false }),
  );
  return root;
}

export function createLogger(service: string): Logger {
  return rootLogger().child({ service });
}

/** Writes out what is buffered; called last on shutdown. */
export function flushLogs(): void {
  root?.flush();
}
