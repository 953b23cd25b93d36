/**
 * `delinkcious rebuild-feeds`: rebuilds every news feed from link-service's
 * links and the social graph (services/news-service/src/rebuild.ts), with
 * news-service's configuration. With REDIS_URL set (distributed) it writes
 * Redis and reads the two services over HTTP, safe beside the running system.
 * Without it (embedded) it opens the embedded database under DATA_DIR and
 * their managers in-process, as `delinkcious start` would: stop that process
 * first, since one PGlite folder takes one process.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { inProcess } from '@delinkcious/clients';
import { embeddedFolder, openServiceDatabase, type Database } from '@delinkcious/db';
import { ConfigError, commonConfig, readConfig, type Env, type Logger } from '@delinkcious/kit';
import { DefaultLinkManager, SqlLinkStore, migrationsDir as linkMigrations } from '@delinkcious/link-service';
import { remoteRebuildSources, runRebuildFeeds, type RebuildReport, type RebuildSources } from '@delinkcious/news-service';
import { DefaultSocialGraphManager, SqlSocialGraphStore, migrationsDir as socialGraphMigrations } from '@delinkcious/social-graph-service';

/** Embedded: link-service's and social-graph-service's managers on the embedded database, called as news-service may call them. */
async function embeddedSources(env: Env, logger: Logger): Promise<RebuildSources & { close(): Promise<void> }> {
  const { DATA_DIR } = readConfig(commonConfig, env);
  if (!existsSync(join(DATA_DIR, embeddedFolder))) {
    throw new ConfigError(`rebuild-feeds: no embedded database under DATA_DIR (${DATA_DIR}); for a distributed deployment set REDIS_URL`);
  }
  const opened: Database[] = [];
  const close = async () => {
    for (const db of opened.reverse()) await db.close();
  };
  try {
    const linkDb = await openServiceDatabase({ database: 'link_manager', dataDir: DATA_DIR }, linkMigrations, logger);
    opened.push(linkDb);
    const graphDb = await openServiceDatabase({ database: 'social_graph_manager', dataDir: DATA_DIR }, socialGraphMigrations, logger);
    opened.push(graphDb);
    // Only read here: the per-user cap of new links does not apply.
    const linkManager = new DefaultLinkManager({ store: new SqlLinkStore(linkDb), maxLinksPerUser: Number.MAX_SAFE_INTEGER });
    const socialGraphManager = new DefaultSocialGraphManager({ store: new SqlSocialGraphStore(graphDb) });
    return {
      links: inProcess('news-service', { name: 'link-service', manager: linkManager, logger }),
      socialGraph: inProcess('news-service', { name: 'social-graph-service', manager: socialGraphManager, logger }),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs the rebuild; `line` receives its progress and its last line. Throws on failure (the command prints one line). */
export async function rebuildFeedsCommand(env: Env, logger: Logger, line: (text: string) => void): Promise<RebuildReport> {
  const distributed = Boolean(env.REDIS_URL?.trim());
  const sources = distributed ? remoteRebuildSources(env) : await embeddedSources(env, logger);
  try {
    const report = await runRebuildFeeds({
      env,
      logger,
      sources,
      progress: (done) => line(`rebuild-feeds: ${done.feeds} feeds, ${done.items} items, ${(done.elapsedMs / 1000).toFixed(1)}s`),
    });
    line(`rebuild-feeds: done, ${report.feeds} feeds rebuilt in ${report.where} with ${report.items} items`);
    return report;
  } finally {
    await sources.close();
  }
}
