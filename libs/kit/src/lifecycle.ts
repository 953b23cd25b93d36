/**
 * Graceful shutdown: on SIGTERM or SIGINT, close what was registered in the
 * reverse order (servers first stop accepting and finish in-flight requests,
 * then consumers, relays and pools), and exit within the grace period.
 */
import { flushLogs, type Logger } from './logger.ts';

type Closer = { name: string; close: () => Promise<void> | void };

export class Lifecycle {
  private readonly closers: Closer[] = [];
  private closing: Promise<void> | undefined;

  /** Registers something to close; what is registered last closes first. */
  onClose(name: string, close: Closer['close']): void {
    this.closers.push({ name, close });
  }

  get isClosing(): boolean {
    return this.closing !== undefined;
  }

  close(logger?: Logger): Promise<void> {
    this.closing ??= (async () => {
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

  /** Exits the process after closing on SIGTERM/SIGINT; forces exit 1 when the grace period runs out. */
  exitOnSignals(logger: Logger, graceMs: number): void {
    const onSignal = (signal: NodeJS.Signals) => {
      logger.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        logger.error({ graceMs }, 'shutdown took longer than the grace period; exiting');
        flushLogs();
        process.exit(1);
      }, graceMs);
      timer.unref();
      void this.close(logger).then(() => {
        logger.info('stopped');
        flushLogs();
        process.exit(0);
      });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
}
