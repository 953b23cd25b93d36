/**
 * The scenarios of the benchmark, run against one deployment (embedded or
 * distributed) through the public API, as users would drive it.
 */
import { randomBytes } from 'node:crypto';
import { waitFor } from '@delinkcious/testing';
import { load, type LoadResult } from './load.ts';
import { inParallel, percentile, rssMiB } from './measure.ts';
import { seedText } from './search.ts';

export interface BenchTarget {
  mode: string;
  baseUrl: string;
  signIn(username: string): Promise<string>;
  /** The processes that make up the deployment, for memory figures. */
  pids(): number[];
  /** Distributed: link-service itself and the caller token the gateway presents to it, to measure the gateway hop. */
  linkService?: { url: string; callerToken: string };
}

const json = (token: string) => ({ 'access-token': token, 'content-type': 'application/json' });

async function post(target: BenchTarget, path: string, token: string, body: unknown): Promise<void> {
  const response = await fetch(`${target.baseUrl}${path}`, { method: 'POST', headers: json(token), body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
}

export async function seedLinks(target: BenchTarget, token: string, count: number): Promise<void> {
  await inParallel(
    Array.from({ length: count }, (_, i) => i),
    16,
    // Varied words (bench/search.ts): the search figure queries these links.
    (i) => post(target, '/v1/links', token, { url: `https://seed.example/${i}`, ...seedText(i) }),
  );
}

export const totalRss = (target: BenchTarget) => Math.round(target.pids().reduce((sum, pid) => sum + rssMiB(pid), 0));

/** GET /v1/links, a page of 10 of a user's 10,000 links; also the page's bytes (for the bare-Node baseline) and RSS under load. */
export async function readLinks(target: BenchTarget, token: string, seconds: number): Promise<{ result: LoadResult; page: string; rssUnderLoad: number }> {
  const url = `${target.baseUrl}/v1/links?limit=10`;
  const page = await (await fetch(url, { headers: json(token) })).text();
  let rssUnderLoad = 0;
  const sampler = setInterval(() => (rssUnderLoad = Math.max(rssUnderLoad, totalRss(target))), 500);
  try {
    const result = await load({ url, headers: json(token), durationSeconds: seconds });
    return { result, page, rssUnderLoad };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * link-service's own GET /links, the same page of 10 the gateway asks it for
 * GET /v1/links (with the gateway's caller token): what the gateway hop costs
 * is the ratio of the two in the same run.
 */
export async function readLinksFromLinkService(
  linkService: NonNullable<BenchTarget['linkService']>,
  username: string,
  seconds: number,
): Promise<LoadResult> {
  const url = `${linkService.url}/links?username=${encodeURIComponent(username)}&limit=10`;
  const headers = { 'delinkcious-caller-token': linkService.callerToken };
  const probe = await fetch(url, { headers });
  if (!probe.ok) throw new Error(`link-service GET /links answered ${probe.status}: ${await probe.text()}`);
  return load({ url, headers, durationSeconds: seconds });
}

/** POST /v1/links, each request a new URL; also the URL written last. */
export async function writeLinks(target: BenchTarget, token: string, seconds: number): Promise<LoadResult & { lastUrl: string }> {
  const run = randomBytes(4).toString('hex');
  let n = 0;
  const result = await load({
    url: `${target.baseUrl}/v1/links`,
    method: 'POST',
    headers: json(token),
    body: () => JSON.stringify({ url: `https://write-${run}.example/${n++}`, title: 'written', tags: 'bench' }),
    durationSeconds: seconds,
  });
  return { ...result, lastUrl: `https://write-${run}.example/${n - 1}` };
}

/** Whether `url` is among the newest `pages` pages of `token`'s feed. */
async function inNewestPages(target: BenchTarget, token: string, url: string, pages: number): Promise<boolean> {
  let start = '';
  for (let page = 0; page < pages; page++) {
    const query = start ? `?start_token=${encodeURIComponent(start)}` : '';
    const news = (await (await fetch(`${target.baseUrl}/v1/news${query}`, { headers: json(token) })).json()) as {
      events?: Array<{ url: string }>;
      next_token?: string;
    };
    if (news.events?.some((event) => event.url === url)) return true;
    if (!news.next_token) return false;
    start = news.next_token;
  }
  return false;
}

/**
 * Waits until `url` is in `token`'s feed: events are published in order, so all before it are handled
 * too. The newest 3 pages are read: the writes in flight with the last one (16 at most) can carry the
 * same millisecond or a later one, and then the last is not on the first page.
 */
export async function feedCaughtUp(target: BenchTarget, token: string, url: string, timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  await waitFor(
    () => inNewestPages(target, token, url, 3),
    { what: `${url} in the feed`, timeoutMs, intervalMs: 100 },
  );
  return Math.round(performance.now() - started);
}

/**
 * Until none of the user's links waits for its first check (the link-checker answers each
 * seeded URL; here every one fails fast, with no internet): the reads are measured on a quiet
 * system, not against the checks' writes. Answers the time it took.
 */
export async function checksSettled(target: BenchTarget, token: string, timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  await waitFor(
    async () => {
      const pending = (await (await fetch(`${target.baseUrl}/v1/links?q=is:pending&limit=1`, { headers: json(token) })).json()) as { links?: unknown[] };
      return pending.links?.length === 0;
    },
    { what: 'every seeded link checked', timeoutMs, intervalMs: 500 },
  );
  return Math.round(performance.now() - started);
}

/** GET /v1/news of a reader following an author with many links. */
export async function readNews(target: BenchTarget, readerToken: string, seconds: number): Promise<LoadResult> {
  return load({ url: `${target.baseUrl}/v1/news`, headers: json(readerToken), durationSeconds: seconds });
}

export interface FanOutResult {
  followers: number;
  sampled: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * An author with `followers` followers adds a link: the time until it is in
 * their feeds, read through GET /v1/news for a random sample of followers
 * (reading every feed would load the system more than the fan-out does).
 */
export async function fanOut(target: BenchTarget, followers: number, sample: number): Promise<FanOutResult> {
  const run = randomBytes(3).toString('hex');
  const author = `author-${run}`;
  const authorToken = await target.signIn(author);
  const tokens: string[] = new Array(followers);
  await inParallel(
    Array.from({ length: followers }, (_, i) => i),
    16,
    async (i) => {
      tokens[i] = await target.signIn(`f${i}-${run}`);
      await post(target, '/v1/following', tokens[i]!, { followed: author });
    },
  );
  const sampled = [...tokens].sort(() => Math.random() - 0.5).slice(0, sample);
  const url = `https://fanout-${run}.example/`;
  const started = performance.now();
  await post(target, '/v1/links', authorToken, { url, title: 'fan-out' });
  const arrivals: number[] = [];
  let waiting = sampled;
  await waitFor(async () => {
    const still: string[] = [];
    await inParallel(waiting, 16, async (token) => {
      const news = (await (await fetch(`${target.baseUrl}/v1/news`, { headers: json(token) })).json()) as { events?: Array<{ url: string }> };
      if (news.events?.some((event) => event.url === url)) arrivals.push(performance.now() - started);
      else still.push(token);
    });
    waiting = still;
    return waiting.length === 0;
  }, { what: `${url} in every sampled follower's feed`, timeoutMs: 120_000, intervalMs: 10 });
  return {
    followers,
    sampled: sampled.length,
    p50Ms: Math.round(percentile(arrivals, 50)),
    p99Ms: Math.round(percentile(arrivals, 99)),
    maxMs: Math.round(Math.max(...arrivals)),
  };
}
