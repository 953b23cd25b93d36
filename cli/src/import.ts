/**
 * `delinkcious import --user NAME FILE [--format F] [--private] [--tags a,b]`
 * (docs/design.md §19 B): reads a bookmark file and imports it into a user's
 * links on link-service's database (embedded under DATA_DIR, or DATABASE_URL),
 * waits for the job and prints its counts and the skipped entries with why.
 */
import { readFile } from 'node:fs/promises';
import { parseBookmarkFile, requireBookmarkFormat } from '@delinkcious/bookmark-files';
import { ConfigError, type Env, type Logger } from '@delinkcious/kit';
import { importLinks } from '@delinkcious/link-service';
import { tagItems, type ImportStatus } from '@delinkcious/object-model';

export interface ImportCommandOptions {
  user?: string | undefined;
  file?: string | undefined;
  format?: string | undefined;
  private?: boolean | undefined;
  tags?: string | undefined;
}

/** Prints as it goes; answers the exit code (1 when the job failed). */
export async function importCommand(options: ImportCommandOptions, env: Env, logger: Logger, print: (line: string) => void): Promise<number> {
  if (!options.user) throw new ConfigError('import needs --user NAME');
  if (!options.file) throw new ConfigError('import needs the FILE to import');
  const format = requireBookmarkFormat(options.format);
  let file: Buffer;
  try {
    file = await readFile(options.file);
  } catch (error) {
    throw new ConfigError(`cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const parsed = parseBookmarkFile(file, format);
  print(`import: ${options.file} read as ${parsed.format}: ${parsed.entries.length} links, ${parsed.skipped.length} skipped`);
  const status = await importLinks(
    env,
    logger,
    {
      username: options.user,
      entries: parsed.entries,
      skipped: parsed.skipped.map((skip) => ({ url: skip.url, reason: skip.reason })),
      private: options.private ?? false,
      tags: tagItems(options.tags),
    },
    (progress) => print(`import: ${progress.processed} of ${progress.total} done`),
  );
  print(summary(status));
  for (const error of status.errors) print(`  skipped ${error.url || '(no URL)'}: ${error.err}`);
  if (status.skipped > status.errors.length) print(`  … and ${status.skipped - status.errors.length} more`);
  return status.state === 'done' ? 0 : 1;
}

function summary(status: ImportStatus): string {
  return `import: ${status.state}, ${status.total} entries: ${status.imported} imported, ${status.updated} updated, ${status.unchanged} unchanged, ${status.skipped} skipped`;
}
