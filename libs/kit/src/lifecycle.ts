/**
 * Graceful shutdown: on SIGTERM or SIGINT, first drain (every server says it
 * is not ready and asks kept-alive clients to reconnect, while still serving),
 * then close what was registered in the reverse order (servers stop accepting
 * and finish in-flight requests, then consumers, relays and pools), and exit
 * within the grace period.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { flushLogs, type Logger } from './logger.ts';

type Closer = { name: string; close: () => Promise<void> | void };
/** Starts draining; resolves when there is nothing left to drain (no open connections), which may end the drain early. */
type Drainer = { name: string; drain: () => Promise<void> };

export interface CloseOptions {
  logger?: Logger | undefined;
  /** The longest the drain lasts before closing starts; 0 starts closing at once. */
  drainMs?: number;
}

export class Lifecycle {
  private readonly closers: Closer[] = [];
  private readonly drainers: Drainer[] = [];
  private closing: Promise<void> | undefined;

  /** Registers something to close; what is registered last closes first. */
  onClose(name: string, close: Closer['close']): void {
    this.closers.push({ name, close });
  }

  /** Registers something to drain before anything closes; every drain runs at once. */
  onDrain(name: string, drain: Drainer['drain']): void {
    this.drainers.push({ name, drain });
  }

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  close(options: CloseOptions | Logger = {}): Promise<void> {
    const { logger, drainMs = 0 } = isLogger(options) ? { logger: options } : options;
    this.closing ??= (async () => {
      await this.drain(drainMs, logger);
      for (const closer of [...this.closers].reverse()) {
        try {
          await closer.close();
        } catch (error) {
          logger?.error({ err: error, closing: closer.name }, 'error while closing');
        }
      }
    })();
    return this.closing;
  }

  /** Exits the process after draining and closing on SIGTERM/SIGINT; forces exit 1 when the grace period runs out. */
  exitOnSignals(logger: Logger, graceMs: number, drainMs = 0): void {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal, drainMs }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error({ graceMs }, 'shutdown took longer than the grace period; exiting');
        flushLogs();
        process.exit(1);
      }, graceMs);
      timer.unref();
      void this.close({ logger, drainMs }).then(() => {
        logger.info('stopped');
        flushLogs();
        process.exit(0);
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }

  private async drain(drainMs: number, logger: Logger | undefined): Promise<void> {
    if (this.drainers.length === 0) return;
    const drained = Promise.all(
      this.drainers.map(({ name, drain }) =>
        drain().catch((error: unknown) => logger?.error({ err: error, draining: name }, 'error while draining')),
      ),
    );
    const period = new AbortController();
    await Promise.race([drained, sleep(drainMs, undefined, { signal: period.signal }).catch(() => undefined)]);
    period.abort();
  }
}

function isLogger(value: CloseOptions | Logger): value is Logger {
  return typeof (value as Logger).info === 'function';
}
