/**
 * The search figure (docs/design.md §14): over one user's links (10,000 in
 * `npm run bench`), GET /v1/links?q= with one word and with three terms, each
 * as a ratio to the plain first page measured in the same run, just before
 * and just after (their mean; the machine is shared and drifts). Target ≥ 0.5×.
 * Every request is a query of its own (a `-#bench<n>` that excludes nothing),
 * the plain page's too (`q=-#bench<n>`): embedded link-service keeps listings
 * between writes (docs/design.md §13), and this figure is the database's search.
 *
 * The links' text comes from seedText(), words drawn so that a word is in a
 * few percent of the links (as a topic in a real library is). Alone:
 * `node --import tsx bench/search.ts` saves BENCH_LINKS (10000) links straight
 * into a new embedded database, starts the deployment on it and prints the figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { openServiceDatabase } from '@delinkcious/db';
import { migrationsDir } from '@delinkcious/link-service';
import { startEmbedded } from '@delinkcious/testing';
import { load, type LoadResult } from './load.ts';

const adjectives = ['practical', 'advanced', 'modern', 'simple', 'fast', 'effective', 'scalable', 'reliable', 'secure', 'hidden', 'complete', 'tiny', 'visual'];
const topics = [
  'kubernetes', 'postgres', 'golang', 'rust', 'python', 'javascript', 'typescript', 'docker', 'linux', 'networking', 'security', 'databases',
  'testing', 'design', 'react', 'css', 'compilers', 'distributed', 'observability', 'caching', 'search', 'graphql', 'terraform', 'ansible',
  'redis', 'kafka', 'nats', 'grpc', 'http', 'tls', 'dns', 'git', 'vim', 'emacs', 'shell', 'performance', 'memory',
];
const kinds = ['tutorial', 'guide', 'notes', 'talk', 'paper', 'reference', 'cheatsheet', 'handbook', 'introduction', 'walkthrough', 'overview'];

/** The title, description and tags of the benchmark's i-th link: varied, deterministic. */
export function seedText(i: number): { title: string; description: string; tags: string } {
  const topic = topics[i % topics.length]!;
  return {
    title: `${adjectives[i % adjectives.length]} ${topic} ${kinds[i % kinds.length]}`,
    description: `Notes on ${topics[(i * 7 + 3) % topics.length]} and ${topics[(i * 11 + 5) % topics.length]}, saved while reading about ${topic}.`,
    tags: `${i % 2 ? 'odd' : 'even'} ${topic}`,
  };
}

/** The queries measured: one word (in ~8% of the links), and three terms that narrow it; newest first (the default), and the word by relevance. */
export const searchQueries = { oneWord: 'kubernetes', threeTerms: 'kubernetes tutorial -#odd' };

export interface SearchFigures {
  /** The plain first page (GET /v1/links?limit=10), the mean of the runs before and after. */
  plain: LoadResult;
  oneWord: LoadResult;
  threeTerms: LoadResult;
  /** The one word with sort=relevance: every match ranked. */
  oneWordRelevance: LoadResult;
  /** req/s of each query ÷ the plain page's. */
  oneWordRatio: number;
  threeTermsRatio: number;
  oneWordRelevanceRatio: number;
  /** How many links each query matches (the first page holds 10 of them). */
  matches: { oneWord: number; threeTerms: number };
}

const headers = (token: string) => ({ 'access-token': token });

interface Query {
  text?: string;
  sort?: string;
}

async function countMatches(baseUrl: string, token: string, q: string): Promise<number> {
  let count = 0;
  let start = '';
  for (;;) {
    const url = `${baseUrl}/v1/links?limit=100&sort=newest&q=${encodeURIComponent(q)}${start ? `&start_token=${start}` : ''}`;
    const page = (await (await fetch(url, { headers: headers(token) })).json()) as { links: unknown[]; next_page_token: string };
    count += page.links.length;
    if (!page.next_page_token) return count;
    start = encodeURIComponent(page.next_page_token);
  }
}

export async function searchFigures(baseUrl: string, token: string, seconds: number): Promise<SearchFigures> {
  let n = 0;
  /** GET /v1/links with `text` and a term of its own that excludes nothing: never a cached answer. */
  const path = ({ text = '', sort = '' }: Query) =>
    `/v1/links?limit=10&q=${encodeURIComponent(`${text} -#bench${n++}`.trim())}${sort && `&sort=${sort}`}`;
  const run = (query: Query = {}, durationSeconds = seconds) =>
    load({ url: `${baseUrl}/v1/links`, path: () => path(query), headers: headers(token), durationSeconds });
  const queries: Record<'oneWord' | 'threeTerms' | 'relevance', Query> = {
    oneWord: { text: searchQueries.oneWord },
    threeTerms: { text: searchQueries.threeTerms },
    relevance: { text: searchQueries.oneWord, sort: 'relevance' },
  };
  for (const query of [{}, ...Object.values(queries)]) {
    const probe = await fetch(`${baseUrl}${path(query)}`, { headers: headers(token) });
    if (!probe.ok) throw new Error(`GET ${path(query)} answered ${probe.status}: ${await probe.text()}`);
  }
  // A second of each first: compiled code on every path.
  for (const query of [{}, ...Object.values(queries)]) await run(query, 1);
  const before = await run();
  const oneWord = await run(queries.oneWord);
  const threeTerms = await run(queries.threeTerms);
  const oneWordRelevance = await run(queries.relevance);
  const after = await run();
  const mean = (x: number, y: number) => Math.round((x + y) / 2);
  const plain: LoadResult = {
    requestsPerSecond: mean(before.requestsPerSecond, after.requestsPerSecond),
    p50Ms: mean(before.p50Ms, after.p50Ms),
    p99Ms: mean(before.p99Ms, after.p99Ms),
    errors: before.errors + after.errors,
    non2xx: before.non2xx + after.non2xx,
  };
  const ratio = (result: LoadResult) => Math.round((result.requestsPerSecond / plain.requestsPerSecond) * 100) / 100;
  return {
    plain,
    oneWord,
    threeTerms,
    oneWordRatio: ratio(oneWord),
    threeTermsRatio: ratio(threeTerms),
    oneWordRelevance,
    oneWordRelevanceRatio: ratio(oneWordRelevance),
    matches: {
      oneWord: await countMatches(baseUrl, token, searchQueries.oneWord),
      threeTerms: await countMatches(baseUrl, token, searchQueries.threeTerms),
    },
  };
}

/** The figure's rows, for the benchmark's table and for this module alone. */
export function searchRows(figures: SearchFigures): Array<[string, string]> {
  const row = (result: LoadResult, ratio?: number) =>
    `${result.requestsPerSecond} req/s${ratio === undefined ? '' : ` (${ratio.toFixed(2)}×)`}, p50 ${result.p50Ms} / p99 ${result.p99Ms} ms`;
  return [
    ['GET /v1/links?q=-#bench<n>, a new query each time (search baseline)', row(figures.plain)],
    [`q=${searchQueries.oneWord} (${figures.matches.oneWord} matches, × plain)`, row(figures.oneWord, figures.oneWordRatio)],
    [`q=${searchQueries.threeTerms} (${figures.matches.threeTerms} matches, × plain)`, row(figures.threeTerms, figures.threeTermsRatio)],
    [`q=${searchQueries.oneWord}&sort=relevance (× plain)`, row(figures.oneWordRelevance, figures.oneWordRelevanceRatio)],
  ];
}

/**
 * Saves `count` links of `username` straight into link-service's embedded database (one
 * statement; the search columns are generated as for any insert), before the deployment
 * starts: through the API this took over 20 minutes on the shared 2-core machine.
 */
async function seedEmbedded(dataDir: string, username: string, count: number): Promise<void> {
  const db = await openServiceDatabase({ database: 'link_manager', dataDir }, migrationsDir);
  try {
    const rows = Array.from({ length: count }, (_, i) => seedText(i));
    const started = Date.now();
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO links (username, url, title, description, tags, created_at, updated_at)
         SELECT $1, 'https://seed.example/' || (n - 1), title, description, string_to_array(tags, ' '),
           to_timestamp($5::double precision / 1000 + n), to_timestamp($5::double precision / 1000 + n)
         FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS seed(title, description, tags, n)`,
        [username, rows.map((r) => r.title), rows.map((r) => r.description), rows.map((r) => r.tags), started - count * 1000],
      );
      await tx.query(
        `INSERT INTO link_counts (username, links, public_links) VALUES ($1, $2, $2)
         ON CONFLICT (username) DO UPDATE SET links = link_counts.links + $2, public_links = link_counts.public_links + $2`,
        [username, count],
      );
    });
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const links = Number(process.env.BENCH_LINKS ?? 10_000);
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const dataDir = mkdtempSync(join(os.tmpdir(), 'delinkcious-bench-search-'));
  try {
    const started = performance.now();
    await seedEmbedded(dataDir, 'searcher', links);
    console.error(`# ${links} links saved in ${Math.round(performance.now() - started)} ms`);
    const deployment = await startEmbedded({ extraEnv: { RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn', DATA_DIR: dataDir } });
    try {
      const token = await deployment.signIn('searcher');
      for (const [name, value] of searchRows(await searchFigures(deployment.baseUrl, token, seconds))) console.log(`${name}: ${value}`);
    } finally {
      await deployment.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
