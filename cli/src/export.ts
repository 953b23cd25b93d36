/**
 * `delinkcious export --user NAME --format netscape|json|csv [--output FILE]` (docs/design.md §19 A):
 * writes every one of a user's links, private ones included, from link-service's database
 * (embedded under DATA_DIR, or LINK_DATABASE_URL / DATABASE_URL), a page at a time, to FILE or
 * to stdout. A file is written under a temporary name and renamed once complete, so a failed
 * export never leaves a complete-looking file; on stdout a failure is the exit code 1.
 */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { allLinks, requireExportFormat, writeExport } from '@delinkcious/bookmark-files';
import { embeddedFolder, openServiceDatabase } from '@delinkcious/db';
import { ConfigError, commonConfig, readConfig, type Env, type Logger } from '@delinkcious/kit';
import { DefaultLinkManager, SqlLinkStore, migrationsDir } from '@delinkcious/link-service';
import { canonicalUsername, type Link } from '@delinkcious/object-model';

export interface ExportCommandOptions {
  user?: string | undefined;
  format?: string | undefined;
  output?: string | undefined;
}

/** Counts the links as they pass. */
async function* counted(links: AsyncIterable<Link>, count: { links: number }): AsyncGenerator<Link> {
  for await (const link of links) {
    count.links++;
    yield link;
  }
}

/** Writes the export; `print` gets the closing line (on stderr when the file goes to stdout). Answers the exit code. */
export async function exportCommand(options: ExportCommandOptions, env: Env, logger: Logger, stdout: Writable, print: (line: string) => void): Promise<number> {
  if (!options.user) throw new ConfigError('export needs --user NAME');
  const username = canonicalUsername(options.user, '--user');
  if (!options.format) throw new ConfigError('export needs --format netscape|json|csv');
  const format = requireExportFormat(options.format, '--format');
  const { DATA_DIR } = readConfig(commonConfig, env);
  const url = env.LINK_DATABASE_URL?.trim() || undefined;
  const serverUrl = env.DATABASE_URL?.trim() || undefined;
  if (!url && !serverUrl && !existsSync(join(DATA_DIR, embeddedFolder))) {
    throw new ConfigError(`export: no embedded database under DATA_DIR (${DATA_DIR}); for PostgreSQL set DATABASE_URL`);
  }
  const db = await openServiceDatabase({ database: 'link_manager', url, serverUrl, dataDir: DATA_DIR, poolSize: 2 }, migrationsDir, logger);
  const partial = options.output ? `${options.output}.partial` : undefined;
  try {
    // Only read here: the per-user cap of new links does not apply.
    const links = new DefaultLinkManager({ store: new SqlLinkStore(db), maxLinksPerUser: Number.MAX_SAFE_INTEGER });
    const count = { links: 0 };
    const body = Readable.from(writeExport(format, counted(allLinks(links, username), count), { batchChars: 64 * 1024 }));
    if (partial && options.output) {
      await pipeline(body, createWriteStream(partial));
      await rename(partial, options.output);
      print(`export: ${count.links} links of ${username} written to ${options.output} (${format})`);
    } else {
      await pipeline(body, stdout, { end: false });
      print(`export: ${count.links} links of ${username} written (${format})`);
    }
    return 0;
  } catch (error) {
    if (partial) await rm(partial, { force: true });
    if (error instanceof ConfigError) throw error;
    print(`export failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await db.close();
  }
}
