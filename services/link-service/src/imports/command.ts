/**
 * `delinkcious import` (docs/design.md §19 B): an operator's import of a file
 * into a user's links, on link-service's own database (embedded under DATA_DIR,
 * or LINK_DATABASE_URL / DATABASE_URL), with the same job, rules and batches as
 * POST /v1/import. The job is stored first and then run here; with a shared
 * database a running link-service may take part of it (leases keep them apart).
 * The new links stay pending: the service's reconciler checks them, paced.
 */
import { openServiceDatabase } from '@delinkcious/db';
import type { Env, Logger } from '@delinkcious/kit';
import type { ImportStatus, StartImportRequest } from '@delinkcious/object-model';
import { readLinkServiceConfig } from '../config.ts';
import { databaseChoice, migrationsDir } from '../main.ts';
import { ImportWorker } from './import-worker.ts';
import { Importer } from './importer.ts';
import { SqlImportStore } from './sql-import-store.ts';

export async function importLinks(
  env: Env,
  logger: Logger,
  request: StartImportRequest,
  progress: (status: ImportStatus) => void = () => {},
): Promise<ImportStatus> {
  const config = readLinkServiceConfig(env);
  const db = await openServiceDatabase({ ...databaseChoice(config), poolSize: 4 }, migrationsDir, logger);
  try {
    const store = new SqlImportStore(db);
    const importer = new Importer({ store, maxEntries: config.MAX_LINKS_PER_USER });
    const id = await importer.start(request);
    const worker = new ImportWorker({ store, maxLinksPerUser: config.MAX_LINKS_PER_USER, owner: `cli-import-${process.pid}` });
    // A progress line every 5 s while it runs.
    const timer = setInterval(() => void importer.get(request.username, id).then(progress, () => {}), 5000);
    try {
      for (;;) {
        // This job, or an older one still running: the worker takes them in order.
        await worker.runOne();
        const status = await importer.get(request.username, id);
        if (status.state !== 'running') return status;
        // Another process holds the lease: wait for it to go on (or lapse).
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      clearInterval(timer);
    }
  } finally {
    await db.close();
  }
}
