/**
 * The archive fallback (docs/design.md §17): for a link found invalid, the
 * closest archived copy the Wayback Machine's availability API knows
 * (`WAYBACK_API_URL?url=<link>` → `{"archived_snapshots":{"closest":{"available":true,"url":"…"}}}`).
 * It runs once per check, and link-service checks a URL once per revalidation
 * interval for all who saved it, so lookups stay bounded. Any failure (slow,
 * down, odd JSON, a snapshot that is not http(s)) answers '': the link keeps
 * what it had.
 */
import { limits, pageUrl } from '@delinkcious/object-model';
import { userAgent } from './check-url.ts';

export interface ArchiveLookupOptions {
  /** The availability API; '' turns the lookup off. */
  apiUrl: string;
  timeoutMs: number;
  /** Injectable for tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** The largest answer read: the API's answer is a few hundred bytes. */
const maxAnswerBytes = 64 * 1024;

export type ArchiveLookup = (url: string) => Promise<string>;

export function archiveLookup(options: ArchiveLookupOptions): ArchiveLookup {
  const doFetch = options.fetch ?? fetch;
  return async (url) => {
    if (!options.apiUrl) return '';
    try {
      const request = new URL(options.apiUrl);
      request.searchParams.set('url', url);
      const answer = await doFetch(request, {
        headers: { accept: 'application/json', 'user-agent': userAgent },
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!answer.ok) return '';
      const text = await boundedText(answer, maxAnswerBytes);
      return snapshotUrl(JSON.parse(text));
    } catch {
      return '';
    }
  };
}

/** The closest available snapshot's URL in an availability answer, or ''. */
export function snapshotUrl(answer: unknown): string {
  const closest = (answer as { archived_snapshots?: { closest?: { available?: unknown; url?: unknown } } } | null)?.archived_snapshots?.closest;
  if (!closest || closest.available !== true || typeof closest.url !== 'string') return '';
  return pageUrl(closest.url, limits.urlLength);
}

async function boundedText(answer: Response, max: number): Promise<string> {
  if (!answer.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of answer.body as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new Error('archive answer too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
