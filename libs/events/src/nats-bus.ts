/**
 * The bus on NATS JetStream: one file-backed stream for Delinkcious' subjects,
 * publishes deduplicated by event id (Nats-Msg-Id), durable pull consumers with
 * explicit ack (replicas of a service share one durable, so each event is
 * handled once) and redelivery with backoff (nak with a delay).
 *
 * The connection is made in the background and kept up by the client: a
 * service starts while NATS is down, publishes fail fast with UnavailableError
 * (the outbox keeps the events), and consumers start once NATS is there.
 */
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, headers as natsHeaders, nanos, type NatsConnection } from '@nats-io/transport-node';
import { UnavailableError } from '@delinkcious/object-model';
import { inMessageTrace, redeliveryDelayMs, subjectMatches, type Bus, type BusEvent, type Handler, type SubscribeOptions, type Subscription } from './bus.ts';

export interface NatsBusOptions {
  url: string;
  /** The client's name in NATS monitoring, e.g. the service name. */
  name: string;
  /** Stream name; tests use their own. */
  stream?: string;
  /** Subjects the stream holds. */
  streamSubjects?: string[];
  publishTimeoutMs?: number;
  /** How long a message may be handled before JetStream redelivers it. */
  ackWaitMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;
}

interface Connected {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export class NatsBus implements Bus {
  readonly kind = 'nats';
  private connected: Connected | undefined;
  private readonly ready: Promise<Connected>;
  private closing = false;
  private readonly stream: string;
  private readonly running = new Set<Promise<void>>();
  private readonly stops = new Set<() => void>();

  constructor(private readonly options: NatsBusOptions) {
    this.stream = options.stream ?? 'DELINKCIOUS';
    this.ready = this.connectLoop();
    this.ready.catch(() => undefined);
  }

  async publish(subject: string, event: BusEvent, headers: Record<string, string> = {}): Promise<void> {
    const connection = this.connected;
    if (!connection || connection.nc.isClosed()) throw new UnavailableError('the event bus (NATS) is unavailable');
    const h = natsHeaders();
    for (const [key, value] of Object.entries(headers)) h.set(key, value);
    try {
      await connection.js.publish(subject, JSON.stringify(event), {
        msgID: event.id,
        headers: h,
        timeout: this.options.publishTimeoutMs ?? 5000,
      });
    } catch (error) {
      throw new UnavailableError(`the event bus (NATS) did not take ${subject}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }

  async subscribe<T>(options: SubscribeOptions, handler: Handler<T>): Promise<Subscription> {
    let stopped = false;
    let stopCurrent: (() => void) | undefined;
    const stop = () => {
      stopped = true;
      stopCurrent?.();
    };
    this.stops.add(stop);
    const run = (async () => {
      // Consume until closed; if the consumer breaks (NATS restarted, say), start again.
      while (!stopped && !this.closing) {
        try {
          const { js, jsm } = await this.ready;
          await this.ensureConsumer(jsm, options);
          const consumer = await js.consumers.get(this.stream, options.group);
          const messages = await consumer.consume({ max_messages: 64 });
          stopCurrent = () => void messages.close();
          if (stopped) messages.close();
          for await (const message of messages) {
            // Servers before 2.10 filter on one subject only: the rest is filtered here.
            if (!options.subjects.some((pattern) => subjectMatches(pattern, message.subject))) {
              message.ack();
              continue;
            }
            const deliveryCount = message.info.deliveryCount;
            try {
              const headers: Record<string, string> = {};
              for (const key of message.headers?.keys() ?? []) headers[key] = message.headers!.get(key);
              await inMessageTrace(headers, () => handler({ subject: message.subject, data: message.json<T>(), headers, deliveryCount }));
              message.ack();
            } catch (error) {
              this.options.log?.('warn', 'event handling failed; it will be redelivered', {
                subject: message.subject,
                deliveryCount,
                err: error instanceof Error ? error.message : String(error),
              });
              message.nak(redeliveryDelayMs(deliveryCount));
            }
          }
        } catch (error) {
          if (stopped || this.closing) break;
          this.options.log?.('warn', 'event consumer stopped; restarting', { group: options.group, err: String(error) });
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return {
      close: async () => {
        stop();
        this.stops.delete(stop);
        await run;
      },
    };
  }

  /** Messages of `group` not yet delivered, for the consumer-lag metric. */
  async pending(group: string): Promise<number> {
    const connection = this.connected;
    if (!connection) return 0;
    try {
      const info = await connection.jsm.consumers.info(this.stream, group);
      return info.num_pending + info.num_ack_pending;
    } catch {
      return 0;
    }
  }

  async ping(): Promise<void> {
    const connection = this.connected;
    if (!connection || connection.nc.isClosed()) throw new UnavailableError('the event bus (NATS) is unavailable');
    await connection.nc.flush();
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const stop of this.stops) stop();
    await Promise.allSettled([...this.running]);
    await this.connected?.nc.drain().catch(() => undefined);
  }

  /** Deletes the stream: for tests that made their own. */
  async destroyStream(): Promise<void> {
    const { jsm } = await this.ready;
    await jsm.streams.delete(this.stream).catch(() => undefined);
  }

  private async connectLoop(): Promise<Connected> {
    for (let attempt = 1; ; attempt++) {
      if (this.closing) throw new UnavailableError('the event bus is closed');
      try {
        const nc = await connect({
          servers: this.options.url,
          name: this.options.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
          timeout: 3000,
        });
        const jsm = await jetstreamManager(nc);
        await this.ensureStream(jsm);
        this.connected = { nc, js: jetstream(nc), jsm };
        this.options.log?.('info', 'connected to NATS', { attempt });
        return this.connected;
      } catch (error) {
        if (attempt === 1 || attempt % 30 === 0) {
          this.options.log?.('warn', 'NATS unreachable; retrying', { attempt, err: error instanceof Error ? error.message : String(error) });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * attempt)));
      }
    }
  }

  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    const config = {
      name: this.stream,
      subjects: this.options.streamSubjects ?? ['link.>'],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      max_age: nanos(7 * 24 * 3_600_000),
      duplicate_window: nanos(2 * 60_000),
    };
    try {
      await jsm.streams.info(this.stream);
    } catch {
      await jsm.streams.add(config).catch(async (error: unknown) => {
        // Another replica created it in between.
        await jsm.streams.info(this.stream).catch(() => {
          throw error;
        });
      });
    }
  }

  private async ensureConsumer(jsm: JetStreamManager, options: SubscribeOptions): Promise<void> {
    const [major = 0, minor = 0] = (this.connected?.nc.info?.version ?? '0.0').split('.').map(Number);
    const manyFilters = major > 2 || (major === 2 && minor >= 10);
    const filter =
      options.subjects.length === 1
        ? { filter_subject: options.subjects[0] }
        : manyFilters
          ? { filter_subjects: options.subjects }
          : {};
    const config = {
      durable_name: options.group,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ...filter,
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
      max_ack_pending: 1000,
    };
    try {
      await jsm.consumers.info(this.stream, options.group);
    } catch {
      await jsm.consumers.add(this.stream, config).catch(async (error: unknown) => {
        await jsm.consumers.info(this.stream, options.group).catch(() => {
          throw error;
        });
      });
    }
  }
}
