/**
 * The `delinkcious` command: start, migrate, recheck, rebuild-feeds, smoke. A configuration or start-up
 * error ends it with one line on stderr, never a stack trace.
 */
import { parseArgs } from 'node:util';
import { ConfigError, commonConfig, createLogger, flushLogs, readConfig } from '@delinkcious/kit';
import { stopTelemetry } from '@delinkcious/kit/telemetry';
import { DelinkciousError } from '@delinkcious/object-model';
import { recheckLinks } from '@delinkcious/link-service';
import { rebuildFeedsCommand } from './rebuild-feeds.ts';
import { importCommand } from './import.ts';
import { exportCommand } from './export.ts';
import { smoke, smokeOptions, SmokeFailure } from './smoke.ts';
import { resolveDefinitions, start } from './start.ts';

const usage = `Usage:
  delinkcious start                       every service in one process (embedded default)
  delinkcious start --service <name> ...  only those services, as in a Kubernetes pod
  delinkcious migrate --service <name>    apply that service's database migrations and exit
  delinkcious recheck                     one link re-check pass (pending and stale links), then exit
  delinkcious import --user NAME FILE [--format auto|netscape|pinboard|delinkcious] [--private] [--tags a,b]
                                          import a bookmark file into a user's links (embedded DATA_DIR or DATABASE_URL)
  delinkcious export --user NAME --format netscape|json|csv [--output FILE]
                                          write all of a user's links to FILE or stdout (embedded DATA_DIR or DATABASE_URL)
  delinkcious rebuild-feeds               rebuild every news feed from the links and the social graph
                                          (news-service's configuration: REDIS_URL, or embedded under DATA_DIR)
  delinkcious smoke --url URL --token=T --token2=T2 [--timeout 60s]
                                          check a deployment through its public API (two users'
                                          API tokens; SMOKE_URL, SMOKE_TOKEN, SMOKE_TOKEN2, SMOKE_TIMEOUT)`;

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      service: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
      url: { type: 'string' },
      token: { type: 'string' },
      token2: { type: 'string' },
      timeout: { type: 'string' },
      user: { type: 'string' },
      format: { type: 'string' },
      private: { type: 'boolean' },
      tags: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return;
  }
  const services = values.service ?? [];

  switch (command) {
    case 'start': {
      const { lifecycle, urls } = await start(services);
      // Closed first (closers run in reverse): the spans of the drained requests go out before the process ends.
      lifecycle.onClose('trace export', stopTelemetry);
      const logger = createLogger('delinkcious');
      const { SHUTDOWN_TIMEOUT, SHUTDOWN_DRAIN } = readConfig(commonConfig);
      lifecycle.exitOnSignals(logger, SHUTDOWN_TIMEOUT, SHUTDOWN_DRAIN);
      const entry = urls['api-gateway'] ?? Object.values(urls)[0];
      console.log(`Delinkcious is running at ${entry}`);
      for (const [name, url] of Object.entries(urls)) logger.info({ url }, `${name} listening`);
      return;
    }
    case 'migrate': {
      if (services.length === 0) throw new ConfigError('migrate needs --service <name>');
      for (const definition of resolveDefinitions(services)) {
        if (!definition.migrate) throw new ConfigError(`${definition.name} has no database to migrate`);
        definition.checkConfig(process.env);
        const applied = await definition.migrate({ env: process.env, logger: createLogger(definition.name) });
        console.log(`${definition.name}: ${applied.length ? `applied migrations ${applied.join(', ')}` : 'already up to date'}`);
      }
      return;
    }
    case 'recheck': {
      const report = await recheckLinks(process.env, createLogger('link-service'));
      // A command that ends by itself: export its spans before it does.
      await stopTelemetry();
      console.log(
        `recheck: ${report.examined} URLs due, ${report.requested} checks requested, ${report.reused} recent results reused, ${report.failed} failed`,
      );
      // A CronJob whose checks could not be requested should show as failed.
      if (report.failed > 0) process.exitCode = 1;
      return;
    }
    case 'import': {
      const code = await importCommand(
        { user: values.user, file: positionals[1], format: values.format, private: values.private, tags: values.tags },
        process.env,
        createLogger('link-service'),
        (line) => console.log(line),
      );
      await stopTelemetry();
      process.exitCode = code;
      return;
    }
    case 'export': {
      // The file may be stdout: the closing line goes to stderr then.
      const print = values.output ? (line: string) => console.log(line) : (line: string) => console.error(line);
      process.exitCode = await exportCommand({ user: values.user, format: values.format, output: values.output }, process.env, createLogger('link-service'), process.stdout, print);
      await stopTelemetry();
      return;
    }
    case 'rebuild-feeds': {
      try {
        await rebuildFeedsCommand(process.env, createLogger('news-service'), (line) => console.log(line));
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        // One line, exit 1: a Job that could not rebuild shows as failed.
        console.error(`rebuild-feeds failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      } finally {
        await stopTelemetry();
      }
      return;
    }
    case 'smoke': {
      const options = smokeOptions(values, process.env);
      try {
        const report = await smoke({ ...options, progress: (line) => console.log(`smoke: ${line}`) });
        console.log(`smoke: passed in ${(report.elapsedMs / 1000).toFixed(1)}s`);
      } catch (error) {
        if (!(error instanceof SmokeFailure)) throw error;
        // One line naming the step; exit 1, apart from 2 for a bad command line.
        console.error(error.message);
        process.exitCode = 1;
      }
      return;
    }
    default:
      throw new ConfigError(`unknown command "${command}"\n${usage}`);
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  const known = error instanceof ConfigError || error instanceof DelinkciousError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  const message = error instanceof Error ? error.message : String(error);
  console.error(`delinkcious: ${known ? message : `could not start: ${message}`}`);
  if (!known) createLogger('delinkcious').debug({ err: error }, 'start-up failed');
  flushLogs();
  process.exit(2);
}
