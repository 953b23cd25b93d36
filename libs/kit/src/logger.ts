/**
 * pino logs on stderr; every service logs through a child carrying `service`.
 * `LOG_FORMAT=json` (the default when stderr is not a terminal, as in a
 * container) writes a JSON line per event for log collectors; `pretty` (the
 * default in a terminal) writes one readable line per event, and there only
 * warnings and errors unless `LOG_LEVEL` asks for more, so `npm start` shows its
 * URL and what needs attention rather than a line per request.
 */
import { createRequire } from 'node:module';
import { pino, destination, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import type { PinoPretty } from 'pino-pretty';
import { currentTrace } from './trace.ts';

export type { Logger };

export type LogFormat = 'json' | 'pretty';

let root: Logger | undefined;

/** The format `LOG_FORMAT` asks for, else pretty in a terminal and JSON elsewhere. */
export function logFormatOf(env: Record<string, string | undefined>, isTerminal = Boolean(process.stderr.isTTY)): LogFormat {
  const asked = env.LOG_FORMAT?.trim();
  if (asked === 'json' || asked === 'pretty') return asked;
  return isTerminal ? 'pretty' : 'json';
}

/** One line per event: time, level, the service, the message, then any other fields. */
export function prettyStream(colorize: boolean, destinationStream?: NodeJS.WritableStream): DestinationStream {
  // Loaded only for a terminal (~20 ms of a start a container does not need); synchronously, as loggers are made.
  const pretty = (createRequire(import.meta.url)('pino-pretty') as { PinoPretty: typeof PinoPretty }).PinoPretty;
  return pretty({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service,traceId,reqId',
    messageFormat: '{service}: {msg}',
    sync: true,
    ...(destinationStream ? { destination: destinationStream } : { destination: 2 }),
  });
}

function rootLogger(): Logger {
  const format = logFormatOf(process.env);
  const level = process.env.LOG_LEVEL?.trim() || (format === 'pretty' ? 'warn' : 'info');
  root ??= pino(
    {
      level,
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      // The trace id of the work being logged, read when a line is written: no logger per request.
      mixin: () => {
        const trace = currentTrace();
        return trace ? { traceId: trace.traceId } : {};
      },
    },
    format === 'pretty' ? prettyStream(Boolean(process.stderr.isTTY)) : destination({ fd: 2, sync: false }),
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
