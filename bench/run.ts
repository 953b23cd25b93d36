/**
 * `npm run bench`: drives Delinkcious on loopback, embedded and distributed,
 * and reports every figure next to a baseline measured in the same run (the
 * machine is shared and noisy: ratios travel, absolute numbers do not).
 * Prints a table and writes bench/results/<date>.json.
 *
 * BENCH_SECONDS (5) per load run, BENCH_LINKS (10000) links of the reading
 * user, BENCH_FOLLOWERS (10000) followers of the fan-out author, BENCH_MODES
 * (embedded,distributed) the deployments to measure, BENCH_IMPORT_LINKS (20000)
 * links of the embedded import and export figures (0 skips them).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { returnFreedMemory } from '@delinkcious/kit';
import { externalService, startEmbedded, startSeparate, type Deployment, type SeparateDeployment } from '@delinkcious/testing';
import { prebuild } from '../cli/src/prebuild.ts';
import { bareNodeCeiling, rawRedisFeedWriteRate } from './baselines.ts';
import { load, type LoadResult } from './load.ts';
import { diskUsageMB } from './measure.ts';
import { rawPostgresBaseline } from './raw-postgres.ts';
import { importExportFigures, importExportRows, type ImportExportFigures } from './import-export.ts';
import { searchFigures, searchRows, type SearchFigures } from './search.ts';
import {
  fanOut,
  checksSettled,
  feedCaughtUp,
  readLinks,
  readLinksFromLinkService,
  readNews,
  seedLinks,
  totalRss,
  writeLinks,
  type BenchTarget,
  type FanOutResult,
} from './scenarios.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const linkCount = Number(process.env.BENCH_LINKS ?? 10_000);
const followerCount = Number(process.env.BENCH_FOLLOWERS ?? 10_000);
const importLinks = Number(process.env.BENCH_IMPORT_LINKS ?? 20_000);
const modes = new Set((process.env.BENCH_MODES ?? 'embedded,distributed').split(',').map((mode) => mode.trim()));
const benchEnv = { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn' };
// Embedded as `npm start` runs it: with the allocator settings it sets (libs/kit allocator.ts).
const embeddedEnv = { ...benchEnv, ...returnFreedMemory };

interface ModeReport {
  mode: string;
  startupFreshMs: number;
  startupExistingMs?: number;
  rssIdleMiB: number;
  rssUnderReadLoadMiB: number;
  /** Idle again once the write runs' events were handled and their links checked (5 s later): does memory come back down? */
  rssAfterWritesMiB: number;
  /** Embedded: DATA_DIR on disk, just started, and after one user saved 50 links. */
  dataDirEmptyMB?: number;
  dataDir50LinksMB?: number;
  /** After the write runs, how long until their events were all handled (the consumers' backlog). */
  eventsDrainedMs: number;
  /** After the seeding's events, until every seeded link had its first check (reads wait for it). */
  seedChecksMs: number;
  bareNode: LoadResult;
  read: LoadResult;
  /**
   * Distributed: link-service's own GET /links of the same page, measured just
   * before and just after the gateway's read (their mean, so drift on a shared
   * machine counts on both sides), and the gateway hop, GET /v1/links ÷ that.
   */
  linkServiceRead?: LoadResult;
  gatewayHop?: number;
  write: LoadResult;
  news: LoadResult;
  fanOut: FanOutResult;
  /** GET /v1/links?q= over the reader's links, as a ratio to the plain first page of the same moment. */
  search: SearchFigures;
}

const log = (message: string) => console.error(`# ${message}`);
const elapsed = (started: number) => Math.round(performance.now() - started);

function asTarget(deployment: Deployment): BenchTarget {
  const target: BenchTarget = { mode: deployment.mode, baseUrl: deployment.baseUrl, signIn: (u) => deployment.signIn(u), pids: () => deployment.pids() };
  if (deployment.mode === 'separate') {
    const separate = deployment as SeparateDeployment;
    target.linkService = { url: separate.url('link-service'), callerToken: separate.callerToken('api-gateway') };
  }
  return target;
}

/** The mean of two load runs of one scenario (requests per second and latencies). */
function meanOf(a: LoadResult, b: LoadResult): LoadResult {
  const mean = (x: number, y: number) => Math.round((x + y) / 2);
  return {
    requestsPerSecond: mean(a.requestsPerSecond, b.requestsPerSecond),
    p50Ms: mean(a.p50Ms, b.p50Ms),
    p99Ms: mean(a.p99Ms, b.p99Ms),
    errors: a.errors + b.errors,
    non2xx: a.non2xx + b.non2xx,
  };
}

async function benchDeployment(mode: string, start: () => Promise<Deployment>, restart?: () => Promise<Deployment>, dataDir?: string): Promise<ModeReport> {
  log(`${mode}: starting`);
  let started = performance.now();
  const deployment = await start();
  const startupFreshMs = elapsed(started);
  const target = asTarget(deployment);
  try {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const rssIdleMiB = totalRss(target);
    const dataDirEmptyMB = dataDir ? diskUsageMB(dataDir) : undefined;
    if (dataDir) await seedLinks(target, await target.signIn('footprint'), 50);
    const dataDir50LinksMB = dataDir ? diskUsageMB(dataDir) : undefined;
    const reader = await target.signIn('reader');
    // newsreader follows reader before anything is saved, so reader's links fill its feed.
    const newsReader = await target.signIn('newsreader');
    await fetch(`${target.baseUrl}/v1/following`, {
      method: 'POST',
      headers: { 'access-token': newsReader, 'content-type': 'application/json' },
      body: JSON.stringify({ followed: 'reader' }),
    });
    log(`${mode}: seeding ${linkCount} links`);
    await seedLinks(target, reader, linkCount);
    // Measure on a quiet system: the seeding's events handled first.
    const seedDrainMs = await feedCaughtUp(target, newsReader, `https://seed.example/${linkCount - 1}`);
    log(`${mode}: the seeding's events were handled ${seedDrainMs} ms after the last link was saved`);
    const seedChecksMs = await checksSettled(target, reader);
    log(`${mode}: the seeded links were all checked ${seedChecksMs} ms later`);

    const page = await (await fetch(`${target.baseUrl}/v1/links?limit=10`, { headers: { 'access-token': reader } })).text();
    log(`${mode}: bare-Node ceiling with the same ${Buffer.byteLength(page)} bytes`);
    const bareNode = await bareNodeCeiling(page, seconds);
    // A second of the same reads first: the figures are of code the JIT has compiled, on both sides of the hop.
    await load({ url: `${target.baseUrl}/v1/links?limit=10`, headers: { 'access-token': reader }, durationSeconds: 1 });
    const linkService = target.linkService;
    let before: LoadResult | undefined;
    if (linkService) {
      log(`${mode}: link-service's own GET /links, before the gateway's read`);
      before = await readLinksFromLinkService(linkService, 'reader', seconds);
    }
    log(`${mode}: read`);
    const read = await readLinks(target, reader, seconds);
    let linkServiceRead: LoadResult | undefined;
    if (linkService && before) {
      log(`${mode}: link-service's own GET /links, after the gateway's read`);
      linkServiceRead = meanOf(before, await readLinksFromLinkService(linkService, 'reader', seconds));
    }
    log(`${mode}: search`);
    const search = await searchFigures(target.baseUrl, reader, seconds);
    log(`${mode}: write`);
    const write = await writeLinks(target, reader, seconds);

    // Every event written so far must be handled before the fan-out is timed, or it would queue behind them.
    const fill = await writeLinks(target, reader, 1);
    const drainMs = await feedCaughtUp(target, newsReader, fill.lastUrl);
    log(`${mode}: the events of the write runs were all handled ${drainMs} ms after the last write`);
    // Idle means the writes' background work done too: every link they saved has had its check.
    const writeChecksMs = await checksSettled(target, reader);
    log(`${mode}: the written links were all checked ${writeChecksMs} ms later`);
    // 5 s: the writes' end can bring the embedded autovacuum's round (every 10 s, ~0.3 s a table),
    // and the memory comes back at the first quiet second after it (libs/kit idle-collector.ts).
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const rssAfterWritesMiB = totalRss(target);
    log(`${mode}: news`);
    const news = await readNews(target, newsReader, seconds);
    log(`${mode}: fan-out to ${followerCount} followers`);
    const fanOutResult = await fanOut(target, followerCount, Math.min(100, followerCount));
    const report: ModeReport = {
      mode,
      startupFreshMs,
      rssIdleMiB,
      rssUnderReadLoadMiB: read.rssUnderLoad,
      rssAfterWritesMiB,
      ...(dataDirEmptyMB !== undefined && { dataDirEmptyMB, dataDir50LinksMB }),
      eventsDrainedMs: drainMs,
      seedChecksMs,
      bareNode,
      read: read.result,
      ...(linkServiceRead && {
        linkServiceRead,
        gatewayHop: Math.round((read.result.requestsPerSecond / linkServiceRead.requestsPerSecond) * 100) / 100,
      }),
      write,
      news,
      fanOut: fanOutResult,
      search,
    };
    await deployment.stop();
    if (restart) {
      log(`${mode}: restart with the existing data`);
      started = performance.now();
      const again = await restart();
      report.startupExistingMs = elapsed(started);
      await again.stop();
    }
    return report;
  } catch (error) {
    await deployment.stop();
    throw error;
  }
}

/** Two decimals, three under 0.1: a ratio of 0.046 is not rounded onto a target of 0.05. */
function ratio(value: number, base: number): string {
  const share = value / base;
  return `${share.toFixed(share < 0.1 ? 3 : 2)}×`;
}

function table(reports: ModeReport[], baselines: { rawPostgresPagesPerSecond?: number; rawRedisFeedWritesPerSecond?: number }): string {
  const rows: string[][] = [['figure', ...reports.map((r) => r.mode)]];
  const add = (name: string, cell: (r: ModeReport) => string) => rows.push([name, ...reports.map(cell)]);
  add('bare node:http, same page bytes (req/s)', (r) => `${r.bareNode.requestsPerSecond}`);
  add('GET /v1/links page of 10 (req/s, × bare)', (r) => `${r.read.requestsPerSecond} (${ratio(r.read.requestsPerSecond, r.bareNode.requestsPerSecond)})`);
  add('GET /v1/links p50 / p99 (ms)', (r) => `${r.read.p50Ms} / ${r.read.p99Ms}`);
  if (reports.some((r) => r.linkServiceRead)) {
    add("link-service's own GET /links, same page (req/s)", (r) => (r.linkServiceRead ? `${r.linkServiceRead.requestsPerSecond}` : '—'));
    add('gateway hop: GET /v1/links × link-service GET /links', (r) => (r.gatewayHop !== undefined ? `${r.gatewayHop.toFixed(2)}×` : '—'));
  }
  if (baselines.rawPostgresPagesPerSecond) {
    add('GET /v1/links × raw pg page query', (r) => ratio(r.read.requestsPerSecond, baselines.rawPostgresPagesPerSecond!));
  }
  for (const [i, [name]] of searchRows(reports[0]!.search).entries()) add(name, (r) => searchRows(r.search)[i]![1]);
  add('POST /v1/links (req/s, × bare)', (r) => `${r.write.requestsPerSecond} (${ratio(r.write.requestsPerSecond, r.bareNode.requestsPerSecond)})`);
  add('POST /v1/links p50 / p99 (ms)', (r) => `${r.write.p50Ms} / ${r.write.p99Ms}`);
  add('GET /v1/news (req/s, × bare)', (r) => `${r.news.requestsPerSecond} (${ratio(r.news.requestsPerSecond, r.bareNode.requestsPerSecond)})`);
  add('GET /v1/news p50 / p99 (ms)', (r) => `${r.news.p50Ms} / ${r.news.p99Ms}`);
  add(`fan-out to ${followerCount} followers: p50 / p99 / max (ms)`, (r) => `${r.fanOut.p50Ms} / ${r.fanOut.p99Ms} / ${r.fanOut.maxMs}`);
  add('write backlog handled, after the last write (ms)', (r) => `${r.eventsDrainedMs}`);
  add(`first checks of the seeded links, after their events (ms)`, (r) => `${r.seedChecksMs}`);
  add('start to /readyz, fresh / existing data (ms)', (r) => `${r.startupFreshMs} / ${r.startupExistingMs ?? '—'}`);
  add('RSS idle / under read load / idle after writes (MiB, all processes)', (r) => `${r.rssIdleMiB} / ${r.rssUnderReadLoadMiB} / ${r.rssAfterWritesMiB}`);
  add('data directory, empty / 50 links (MB)', (r) => (r.dataDirEmptyMB !== undefined ? `${r.dataDirEmptyMB} / ${r.dataDir50LinksMB}` : '—'));
  add('errors (read, write, news)', (r) => `${r.read.errors + r.read.non2xx}, ${r.write.errors + r.write.non2xx}, ${r.news.errors + r.news.non2xx}`);
  if (reports.some((r) => r.linkServiceRead)) {
    add("errors of link-service's own reads", (r) => (r.linkServiceRead ? `${r.linkServiceRead.errors + r.linkServiceRead.non2xx}` : '—'));
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const benchStarted = performance.now();
const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
const reports: ModeReport[] = [];
let importExport: ImportExportFigures | undefined;
const baselines: { rawPostgresPagesPerSecond?: number; rawRedisFeedWritesPerSecond?: number } = {};

// Embedded: one process, PGlite, the in-process bus.
if (modes.has('embedded')) {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'delinkcious-bench-'));
  try {
    // What `npm start` runs: the prebuilt bundle (its prestart builds it), not the sources through tsx.
    log(`embedded: the command's bundle ${await prebuild()}`);
    const embedded = () => startEmbedded({ extraEnv: { ...embeddedEnv, DATA_DIR: dataDir } });
    reports.push(await benchDeployment('embedded', embedded, embedded, dataDir));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  // Import and export (issue 15) in a fresh embedded system of their own; BENCH_IMPORT_LINKS=0 skips it.
  if (importLinks > 0) {
    const importDir = mkdtempSync(join(os.tmpdir(), 'delinkcious-bench-import-'));
    const deployment = await startEmbedded({ extraEnv: { ...embeddedEnv, DATA_DIR: importDir } });
    try {
      log(`embedded: import and export of ${importLinks} links`);
      importExport = await importExportFigures(deployment, importLinks);
    } finally {
      await deployment.stop();
      rmSync(importDir, { recursive: true, force: true });
    }
  }
}

// Distributed: a process per service on PostgreSQL, Redis and NATS JetStream.
const [postgres, redis] = [await externalService('TEST_DATABASE_URL'), await externalService('TEST_REDIS_URL')];
if (!modes.has('distributed')) {
  log('distributed mode skipped: not in BENCH_MODES');
} else if (postgres.url && redis.url) {
  log('raw PostgreSQL and Redis baselines');
  baselines.rawPostgresPagesPerSecond = await rawPostgresBaseline(postgres.url, linkCount, seconds);
  baselines.rawRedisFeedWritesPerSecond = await rawRedisFeedWriteRate(redis.url, 1000, 20);
  reports.push(await benchDeployment('distributed', () => startSeparate({ databaseUrl: postgres.url!, redisUrl: redis.url!, extraEnv: benchEnv })));
} else {
  log(`distributed mode skipped: ${postgres.skip || redis.skip}`);
}

const output = table(reports, baselines);
const extra = [
  baselines.rawPostgresPagesPerSecond ? `raw pg page query, pool of 10: ${baselines.rawPostgresPagesPerSecond} pages/s` : '',
  baselines.rawRedisFeedWritesPerSecond ? `raw Redis pipelined feed writes (ZADD + trim): ${baselines.rawRedisFeedWritesPerSecond} items/s` : '',
]
  .filter(Boolean)
  .join('\n');
console.log(`Delinkcious benchmark — ${new Date().toISOString()} — ${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}\n`);
console.log(output);
if (extra) console.log(`\n${extra}`);
if (importExport) console.log(`\n| import and export (embedded) | |\n|---|---|\n${importExportRows(importExport)}`);
console.log(`\n(${Math.round((performance.now() - benchStarted) / 1000)} s in all; ${seconds} s per load run, ${linkCount} links, ${followerCount} followers)`);

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const file = new URL(`${new Date().toISOString().slice(0, 10)}.json`, resultsDir);
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, settings: { seconds, linkCount, followerCount, importLinks }, baselines, reports, importExport }, null, 2)}\n`);
log(`written ${file.pathname}`);
