/** Wires link-service: its database, store, manager and HTTP transport. */
import { fileURLToPath } from 'node:url';
import { countingWritesWhenAlone, migrateServiceDatabase, openServiceDatabase, type DatabaseChoice } from '@delinkcious/db';
import { OutboxRelay, subjects } from '@delinkcious/events';
import type { LinkCheckedEvent } from '@delinkcious/object-model';
import { LinkCheckerClient, managerOf } from '@delinkcious/clients';
import { ServiceMetrics, createServiceServer, serveUnlessInProcess, loadMutualAuth, serviceUrl, type Logger, type ServiceDefinition, type Env } from '@delinkcious/kit';
import { readLinkServiceConfig, type LinkServiceConfig } from './config.ts';
import { LinkCheckScheduler, type LinkCheckRequester, type ReconcileReport } from './check-scheduler.ts';
import { DefaultLinkManager } from './manager.ts';
import { AnsweredChecks, applyCheckResult, checkResultOf } from './link-health.ts';
import { ListingCache } from './stores/page-cache.ts';
import { SqlLinkStore } from './stores/sql-link-store.ts';
import { LinkStatistics } from './search/statistics.ts';
import { normalizeIdnHosts } from './idn-hosts.ts';
import { registerLinkRoutes } from './transport/http.ts';
import { CheckThrottle } from './check-throttle.ts';
import { registerImportRoutes } from './imports/http.ts';
import { startImports } from './imports/wiring.ts';

export const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export function databaseChoice(config: LinkServiceConfig): DatabaseChoice {
  return { database: 'link_manager', url: config.LINK_DATABASE_URL, serverUrl: config.DATABASE_URL, dataDir: config.DATA_DIR };
}


interface SchedulerExtras {
  reconcileEveryMs: number;
  throttle?: CheckThrottle;
  /** Results applied from answers, whose events are then skipped. */
  answered?: AnsweredChecks;
  /** A result changed links (a filled-in title may have written an event). */
  onChanged?: () => void;
}

function checkScheduler(config: LinkServiceConfig, store: SqlLinkStore, checker: LinkCheckRequester, logger: Logger, extras: SchedulerExtras) {
  const { reconcileEveryMs, throttle, answered, onChanged } = extras;
  return new LinkCheckScheduler({
    ...(throttle && { throttle }),
    store,
    checker,
    apply: async (result, source) => {
      // A result reused for a link saved later comes once, and is for that link: always applied.
      const apply = () => applyCheckResult(store, result);
      const changed = answered && source === 'answer' ? await answered.applyOnce(result, apply) : await apply();
      if (changed > 0) onChanged?.();
      return changed;
    },
    pendingAfterMs: config.LINK_RECHECK_PENDING_AFTER,
    revalidateAfterMs: config.LINK_REVALIDATE_AFTER,
    reconcileEveryMs,
    onError: (url, error) => logger.warn({ url, err: error instanceof Error ? error.message : String(error) }, 'link check not requested; the reconciler will retry'),
  });
}

/** One reconciliation pass (`delinkcious recheck`, a Kubernetes CronJob). */
export async function recheckLinks(env: Env, logger: Logger): Promise<ReconcileReport> {
  const config = readLinkServiceConfig(env);
  const mutualAuth = loadMutualAuth({ self: 'link-service', file: config.MUTUAL_AUTH_FILE, enabled: config.DELINKCIOUS_MUTUAL_AUTH });
  const db = await openServiceDatabase({ ...databaseChoice(config), poolSize: 4 }, migrationsDir, logger);
  const checker = new LinkCheckerClient({ baseUrl: config.LINK_CHECKER_URL ?? serviceUrl('link-checker', env), callerToken: mutualAuth.outboundToken });
  try {
    return await checkScheduler(config, new SqlLinkStore(db), checker, logger, { reconcileEveryMs: 0 }).reconcile();
  } finally {
    checker.close();
    await db.close();
  }
}

export const linkService: ServiceDefinition = {
  name: 'link-service',
  checkConfig: (env: Env) => void readLinkServiceConfig(env),

  async start(context) {
    const config = readLinkServiceConfig(context.env);
    const logger = context.logger;
    const opened = await openServiceDatabase({ ...databaseChoice(config), poolSize: config.DB_POOL_SIZE }, migrationsDir, logger);
    context.lifecycle.onClose('link database', () => opened.close());
    // Only one process can open a PGlite database: this one writes it alone, so listings may be kept
    // between its writes (stores/page-cache.ts). The outbox relay and ANALYZE change no listing.
    const counted = countingWritesWhenAlone(opened);
    const db = counted ?? opened;
    // IDN and percent-encoded hosts migration 006 could not rewrite (idn-hosts.ts); a failure is retried at the next start.
    await normalizeIdnHosts(db).then(
      (report) => report.users > 0 && logger.info(report, 'URLs with IDN hosts rewritten to their normal form'),
      (error: unknown) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'IDN hosts not rewritten; retried at the next start'),
    );

    const metrics = new ServiceMetrics('link-service');

    // Events leave through the outbox: the bus being down never fails a write.
    const relay = new OutboxRelay({
      db: opened,
      bus: context.bus,
      onPublished: (subject) => metrics.eventsPublished.inc({ subject }),
      onFailed: (subject, error) => {
        metrics.eventsPublishFailed.inc({ subject });
        logger.debug({ subject, err: error instanceof Error ? error.message : String(error) }, 'event not published yet');
      },
      onBacklog: (backlog) => metrics.outboxBacklog.set(backlog),
    });
    relay.start();
    context.lifecycle.onClose('outbox relay', () => relay.stop());

    const store = new SqlLinkStore(db, counted && new ListingCache(counted.generation));
    // PGlite runs no autovacuum: link-service keeps the links table's planner statistics there (search/statistics.ts).
    const statistics = new LinkStatistics(opened, (error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'links table maintenance (VACUUM/ANALYZE) failed'));
    void statistics.start();
    context.lifecycle.onClose('links statistics', () => statistics.stop());
    const remoteChecker = () => new LinkCheckerClient({ baseUrl: config.LINK_CHECKER_URL ?? context.urlOf('link-checker'), callerToken: context.mutualAuth.outboundToken });
    // A LINK_CHECKER_URL of its own is a checker elsewhere, even embedded.
    const checker = managerOf(config.LINK_CHECKER_URL ? { lifecycle: context.lifecycle } : context, 'link-checker', remoteChecker);
    const throttle = new CheckThrottle({ ratePerSecond: config.LINK_CHECK_RATE, hostGapMs: config.LINK_CHECK_HOST_GAP });
    const onChange = (change?: 'checks') => {
      relay.notify();
      if (change !== 'checks') statistics.changed();
    };
    const answered = new AnsweredChecks();
    const scheduler = checkScheduler(config, store, checker, logger, { reconcileEveryMs: config.LINK_RECONCILE_EVERY, throttle, answered, onChanged: () => onChange('checks') });
    scheduler.start();
    context.lifecycle.onClose('link checks', () => scheduler.stop());
    const manager = new DefaultLinkManager({
      store,
      maxLinksPerUser: config.MAX_LINKS_PER_USER,
      onChange,
      checks: scheduler,
      imports: startImports({ db, config, logger, lifecycle: context.lifecycle, requestCheck: (username, url) => scheduler.requestBackground(username, url) }).importer,
    });

    // Check results from the link-checker; stale ones are ignored by the manager.
    const checks = await context.bus.subscribe<LinkCheckedEvent>({ group: 'link-service', subjects: [subjects.linkChecked] }, async ({ data }) => {
      try {
        const result = checkResultOf(data);
        // Applied once, from the checker's answer (the scheduler's) or from here, whichever came first.
        await answered.applyOnce(result, () => manager.applyCheckResult(result));
        metrics.eventsConsumed.inc({ subject: subjects.linkChecked, result: 'ok' });
      } catch (error) {
        metrics.eventsConsumed.inc({ subject: subjects.linkChecked, result: 'failed' });
        throw error;
      }
    });
    context.lifecycle.onClose('link.checked consumer', () => checks.close());

    // The store only: with the outbox, link-service serves writes while the bus is down.
    const readiness = () => store.ping();
    context.local?.provide(manager, logger);
    context.local?.provideReadiness(readiness);
    const url = await serveUnlessInProcess(context, context.port, 'link-service', () => {
      const server = createServiceServer({ service: 'link-service', logger, metrics, mutualAuth: context.mutualAuth, readiness });
      registerLinkRoutes(server, manager);
      registerImportRoutes(server, manager, config.IMPORT_BODY_LIMIT);
      return server;
    });
    return { url };
  },

  migrate: (context) => migrateServiceDatabase(databaseChoice(readLinkServiceConfig(context.env)), migrationsDir),
};
