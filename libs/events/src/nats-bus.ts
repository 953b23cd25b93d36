/**
 * The bus on NATS JetStream: one file-backed stream for Delinkcious' subjects,
 * publishes deduplicated by event id (Nats-Msg-Id), durable pull consumers with
 * explicit ack (replicas of a service share one durable, so each event is
 * handled once) and redelivery with backoff (nak with a delay).
 *
 * The connection is made in the background and kept up by the client: a
 * service starts while NATS is down, publishes fail fast with UnavailableError
 * (the outbox keeps the events), and consumers start once NATS is there.
 *
 * NATS may come back without its store (a new pod without its volume): the
 * stream and consumers are then re-created on reconnect and whenever a publish
 * or a consumer finds them missing, and listeners of onStreamReplaced learn
 * since when events may have been lost with the old stream (the outbox
 * publishes those again; consumers dedupe by event id).
 */
// Types only: the client packages load with the first connection (loadNats), never in a process without NATS.
import type * as jetstreamModule from '@nats-io/jetstream';
import type { ConsumerConfig, JetStreamClient, JetStreamManager, StreamConfig, StreamInfo } from '@nats-io/jetstream';
import type * as natsModule from '@nats-io/transport-node';
import type { MsgHdrs, NatsConnection } from '@nats-io/transport-node';
import type { NatsConnectionSettings } from './nats-auth.ts';
import { UnavailableError } from '@delinkcious/object-model';
import {
  inMessageTrace,
  publishInTrace,
  redeliveryDelayMs,
  subjectMatches,
  type Bus,
  type BusEvent,
  type ConsumerHealth,
  type Handler,
  type StreamLossAware,
  type SubscribeOptions,
  type Subscription,
} from './bus.ts';

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
  /** Copies of the stream JetStream keeps (3 on a 3-server cluster); used when the stream is created. */
  streamReplicas?: number;
  /** User and password, token or credentials (./nats-auth.ts); none for an open server. */
  auth?: NatsConnectionSettings['auth'];
  log?: (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;
}

interface Connected {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  headers: () => MsgHdrs;
}

type NatsModules = [typeof natsModule, typeof jetstreamModule];
let loading: Promise<NatsModules> | undefined;

/** The NATS client packages, loaded once, by the first bus that connects: an embedded process never loads them (~25 ms of a start). */
function loadNats(): Promise<NatsModules> {
  loading ??= Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream')]);
  return loading;
}

/** JetStream's durations are nanoseconds. */
const nanos = (ms: number) => ms * 1_000_000;

/** One subscription's consume loop, as the bus sees it. */
interface Consuming {
  group: string;
  /** True while its consumer is open on the server; false while it is being (re)created. */
  active: boolean;
  /** Ends the current consume so the loop re-creates stream and consumer. */
  restart(): void;
}

/** JetStream's answer when the stream or consumer is not there (or nothing listens on a subject). */
function isMissingResource(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message} ${String((error as { code?: unknown }).code ?? '')}` : String(error);
  return /not found|no responders|NoResponders|503|10059|10014/i.test(text);
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class NatsBus implements Bus, ConsumerHealth, StreamLossAware {
  readonly kind = 'nats';
  private connected: Connected | undefined;
  private readonly ready: Promise<Connected>;
  /** Settles after the first connection attempt: rejected only when the server refused the credentials. */
  private readonly firstAttempt: Promise<void>;
  private settleFirstAttempt: (error?: Error) => void = () => undefined;
  private closing = false;
  private readonly stream: string;
  private readonly running = new Set<Promise<void>>();
  private readonly stops = new Set<() => void>();
  private readonly consuming = new Set<Consuming>();
  /** When the stream this bus last saw was created: a different answer later means it was replaced. */
  private streamCreated: string | undefined;
  private streamCheck: Promise<void> | undefined;
  private readonly streamReplacedListeners = new Set<(lostSince: Date) => void>();

  constructor(private readonly options: NatsBusOptions) {
    this.stream = options.stream ?? 'DELINKCIOUS';
    this.firstAttempt = new Promise<void>((resolve, reject) => {
      this.settleFirstAttempt = (error) => (error ? reject(error) : resolve());
    });
    this.firstAttempt.catch(() => undefined);
    this.ready = this.connectLoop();
    this.ready.catch(() => undefined);
  }

  /**
   * Waits for the first connection attempt (a few seconds at most). Wrong
   * credentials are a configuration error, so this throws them for start-up to
   * report; an unreachable server is not: the bus keeps connecting in the background.
   */
  async checkCredentials(): Promise<void> {
    await this.firstAttempt;
  }

  async publish(subject: string, event: BusEvent, headers: Record<string, string> = {}): Promise<void> {
    const connection = this.connected;
    if (!connection || connection.nc.isClosed()) throw new UnavailableError('the event bus (NATS) is unavailable');
    await publishInTrace('nats', subject, headers, (traced) => this.publishNow(connection, subject, event, traced));
  }

  private async publishNow(connection: Connected, subject: string, event: BusEvent, headers: Record<string, string>): Promise<void> {
    const h = connection.headers();
    for (const [key, value] of Object.entries(headers)) h.set(key, value);
    const send = () =>
      connection.js.publish(subject, JSON.stringify(event), {
        msgID: event.id,
        headers: h,
        timeout: this.options.publishTimeoutMs ?? 5000,
      });
    try {
      try {
        await send();
      } catch (error) {
        // NATS may be back without its store: no stream takes the subject until it is created again.
        if (!isMissingResource(error)) throw error;
        await this.ensureStream(connection.jsm);
        await send();
      }
    } catch (error) {
      throw new UnavailableError(`the event bus (NATS) did not take ${subject}: ${errorText(error)}`, { cause: error });
    }
  }

  async subscribe<T>(options: SubscribeOptions, handler: Handler<T>): Promise<Subscription> {
    let stopped = false;
    let stopCurrent: (() => void) | undefined;
    const stop = () => {
      stopped = true;
      stopCurrent?.();
    };
    const state: Consuming = { group: options.group, active: false, restart: () => stopCurrent?.() };
    this.stops.add(stop);
    this.consuming.add(state);
    const run = (async () => {
      // Consume until closed; if the consumer breaks (NATS restarted, perhaps without its store), start again.
      while (!stopped && !this.closing) {
        try {
          const { js, jsm } = await this.ready;
          await this.ensureStream(jsm);
          await this.ensureConsumer(jsm, options);
          const consumer = await js.consumers.get(this.stream, options.group);
          // A missing stream or consumer ends the consume with an error rather than waiting for it forever.
          const messages = await consumer.consume({ max_messages: 64, abort_on_missing_resource: true });
          stopCurrent = () => void messages.close();
          if (stopped) void messages.close();
          state.active = true;
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
              await inMessageTrace('nats', message.subject, headers, () => handler({ subject: message.subject, data: message.json<T>(), headers, deliveryCount }));
              message.ack();
            } catch (error) {
              this.options.log?.('warn', 'event handling failed; it will be redelivered', {
                subject: message.subject,
                deliveryCount,
                err: errorText(error),
              });
              message.nak(redeliveryDelayMs(deliveryCount));
            }
          }
          state.active = false;
        } catch (error) {
          state.active = false;
          if (stopped || this.closing) break;
          this.options.log?.('warn', 'event consumer stopped; restarting', { group: options.group, err: errorText(error) });
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
      state.active = false;
    })();
    this.running.add(run);
    void run.finally(() => {
      this.running.delete(run);
      this.consuming.delete(state);
    });
    return {
      close: async () => {
        stop();
        this.stops.delete(stop);
        await run;
      },
    };
  }

  /**
   * Throws unless every subscription of `group` in this process is consuming: its consume is open
   * and its durable consumer exists on the server (for readiness; NATS up is not enough).
   */
  async assertConsuming(group: string): Promise<void> {
    const states = [...this.consuming].filter((state) => state.group === group);
    if (states.length === 0) throw new UnavailableError(`no consumer of group ${group} runs`);
    const connection = this.connected;
    if (!connection || connection.nc.isClosed() || states.some((state) => !state.active)) {
      throw new UnavailableError(`the consumer ${group} is not consuming (NATS unreachable, or its consumer being re-created)`);
    }
    try {
      await connection.jsm.consumers.info(this.stream, group);
    } catch (error) {
      // Gone from the server: make the loop re-create it now rather than at its next heartbeat check.
      if (isMissingResource(error)) for (const state of states) state.restart();
      throw new UnavailableError(`the consumer ${group} is not on the event bus: ${errorText(error)}`, { cause: error });
    }
  }

  onStreamReplaced(listener: (lostSince: Date) => void): () => void {
    this.streamReplacedListeners.add(listener);
    return () => void this.streamReplacedListeners.delete(listener);
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
    let modules: NatsModules;
    try {
      modules = await loadNats();
    } catch (error) {
      // A broken install, not an unreachable server: the start reports it (checkCredentials) instead of waiting.
      const missing = new UnavailableError(`the NATS client could not be loaded (${errorText(error)})`, { cause: error });
      this.settleFirstAttempt(missing);
      throw missing;
    }
    const [core, { jetstream, jetstreamManager }] = modules;
    const { creds, ...auth } = this.options.auth ?? {};
    for (let attempt = 1; ; attempt++) {
      if (this.closing) throw new UnavailableError('the event bus is closed');
      let nc: Awaited<ReturnType<typeof core.connect>> | undefined;
      try {
        nc = await core.connect({
          servers: this.options.url,
          name: this.options.name,
          maxReconnectAttempts: -1,
          reconnectTimeWait: 1000,
          timeout: 3000,
          ...auth,
          ...(creds && { authenticator: core.credsAuthenticator(creds) }),
        });
        this.settleFirstAttempt();
        const jsm = await jetstreamManager(nc);
        await this.ensureStream(jsm);
        // close() ran meanwhile and drained nothing: this connection is closed below, not kept.
        if (this.closing) throw new UnavailableError('the event bus is closed');
        this.connected = { nc, js: jetstream(nc), jsm, headers: core.headers };
        void this.watchReconnects(this.connected);
        this.options.log?.('info', 'connected to NATS', { attempt });
        return this.connected;
      } catch (error) {
        // A connection made before the failure would reconnect forever in the background and keep the process alive.
        await nc?.close().catch(() => undefined);
        if (this.closing) throw new UnavailableError('the event bus is closed');
        if (error instanceof core.AuthorizationError || (error as Error | undefined)?.cause instanceof core.AuthorizationError) {
          // Retrying cannot help: the credentials are wrong until someone changes them.
          const refused = new UnavailableError(`NATS refused this process's credentials (${errorText(error)}): check NATS_URL, NATS_USER/NATS_PASSWORD, NATS_TOKEN or NATS_CREDS_FILE`, { cause: error });
          this.settleFirstAttempt(refused);
          throw refused;
        }
        this.settleFirstAttempt();
        if (attempt === 1 || attempt % 30 === 0) {
          this.options.log?.('warn', 'NATS unreachable; retrying', { attempt, err: error instanceof Error ? error.message : String(error) });
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * attempt)));
      }
    }
  }

  /** After each reconnect: the server may have come back without its store, so check the stream and every consumer. */
  private async watchReconnects(connection: Connected): Promise<void> {
    for await (const status of connection.nc.status()) {
      if (status.type !== 'reconnect' || this.closing) continue;
      try {
        await this.ensureStream(connection.jsm);
      } catch (error) {
        this.options.log?.('warn', 'event stream not checked after reconnecting; the next publish or consume will', { err: errorText(error) });
      }
      for (const state of this.consuming) {
        connection.jsm.consumers.info(this.stream, state.group).then(
          () => undefined,
          (error: unknown) => {
            if (isMissingResource(error)) state.restart();
          },
        );
      }
    }
  }

  /** Creates the stream when it is missing; one check at a time however many callers ask. */
  private ensureStream(jsm: JetStreamManager): Promise<void> {
    this.streamCheck ??= this.checkStream(jsm).finally(() => (this.streamCheck = undefined));
    return this.streamCheck;
  }

  private async checkStream(jsm: JetStreamManager): Promise<void> {
    const config: Partial<StreamConfig> & { name: string; num_replicas: number } = {
      name: this.stream,
      subjects: this.options.streamSubjects ?? ['link.>'],
      storage: 'file',
      retention: 'limits',
      max_age: nanos(7 * 24 * 3_600_000),
      duplicate_window: nanos(2 * 60_000),
      num_replicas: this.options.streamReplicas ?? 1,
    };
    let info: StreamInfo;
    try {
      info = await jsm.streams.info(this.stream);
    } catch {
      info = await jsm.streams.add(config).catch(async (error: unknown) => {
        // Another replica created it in between.
        return jsm.streams.info(this.stream).catch(() => {
          throw error;
        });
      });
    }
    const replicas = config.num_replicas;
    if (info.config.num_replicas !== replicas) {
      // Changing the copies of a live stream is an operator's step (docs/operations.md), not a side effect of a start.
      this.options.log?.('warn', `the event stream keeps ${info.config.num_replicas} copies, not the ${replicas} configured (NATS_STREAM_REPLICAS)`, {
        stream: this.stream,
      });
    }
    const previous = this.streamCreated;
    this.streamCreated = info.created;
    if (previous !== undefined && previous !== info.created) {
      this.options.log?.('warn', 'the event stream was replaced (NATS lost its store): events since its creation may be gone', {
        stream: this.stream,
        lostSince: previous,
      });
      for (const listener of this.streamReplacedListeners) listener(new Date(previous));
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
    const config: Partial<ConsumerConfig> = {
      durable_name: options.group,
      ack_policy: 'explicit',
      deliver_policy: 'all',
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
