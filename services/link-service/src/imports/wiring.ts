/** Wires import jobs into link-service (main.ts): the store, the importer for the manager, the worker. */
import type { Database } from '@delinkcious/db';
import type { Lifecycle, Logger } from '@delinkcious/kit';
import type { LinkServiceConfig } from '../config.ts';
import { ImportWorker } from './import-worker.ts';
import { Importer } from './importer.ts';
import { SqlImportStore } from './sql-import-store.ts';

export interface ImportWiring {
  importer: Importer;
  worker: ImportWorker;
}

/** The worker starts at once (it resumes jobs a stop left running) and stops before the database closes. */
export function startImports(options: {
  db: Database;
  config: LinkServiceConfig;
  logger: Logger;
  lifecycle: Lifecycle;
  /** The checks of imported links, in the throttled background queue. */
  requestCheck: (username: string, url: string) => void;
}): ImportWiring {
  const { config, logger } = options;
  const store = new SqlImportStore(options.db);
  const worker = new ImportWorker({
    store,
    maxLinksPerUser: config.MAX_LINKS_PER_USER,
    onAdded: (links) => {
      for (const { username, url } of links) options.requestCheck(username, url);
    },
    onError: (error) => logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'import batch failed; it is retried when its lease lapses'),
  });
  const importer = new Importer({ store, maxEntries: config.MAX_LINKS_PER_USER, onStarted: () => worker.notify() });
  worker.start();
  options.lifecycle.onClose('import worker', () => worker.stop());
  return { importer, worker };
}
