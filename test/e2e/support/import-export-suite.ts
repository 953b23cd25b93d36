/**
 * Import and export end to end (issue 15), in both deployments: a seed file
 * imported, exported in each importable format and imported into a fresh user,
 * who then has the same links, tags, privacy, dates and descriptions, listed
 * by CreatedAt, newest first; a re-import duplicates nothing; a file larger
 * than the ordinary body limit goes through the import route's own limit;
 * and a follower's news gets nothing from an import.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment } from '@delinkcious/testing';
import { call } from './http.ts';
import { newRun, readFeed, userOf, waitForFeed } from './news-suite.ts';

interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Tags: Record<string, boolean> | null;
  Private: boolean;
  CreatedAt: string;
  UpdatedAt: string;
}

const second = (iso: string) => Math.floor(new Date(iso).getTime() / 1000);

/** A Netscape file as browsers write it: folders, TAGS, PRIVATE, dates in seconds, <DD> descriptions, a mailto. */
function seedFile(run: string): string {
  return `<!DOCTYPE NETSCAPE-Bookmark-file-1>
<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
  <DT><H3 ADD_DATE="1500000000">Work</H3>
  <DL><p>
    <DT><A HREF="https://${run}.example/a" ADD_DATE="1500000100" LAST_MODIFIED="1500000200" TAGS="alpha,beta">A &amp; B</A>
    <DD>Line one
    <DT><A HREF="https://${run}.example/b" ADD_DATE="1600000000" PRIVATE="1">Private B</A>
  </DL><p>
  <DT><A HREF="https://${run}.example/c?q=1" ADD_DATE="1700000000" TAGS="gamma">C</A>
  <DD>Café, "quoted"
  <DT><A HREF="mailto:x@${run}.example">Mail</A>
</DL><p>
`;
}

async function importFile(deployment: Deployment, token: string, body: string, contentType: string, query: Record<string, string> = {}) {
  const started = await call(deployment.baseUrl, 'POST', '/v1/import', { token, body, headers: { 'content-type': contentType }, query, timeoutMs: 60_000 });
  assert.equal(started.status, 202, started.text.slice(0, 300));
  for (let i = 0; i < 600; i++) {
    const status = await call(deployment.baseUrl, 'GET', `/v1/imports/${started.body.import_id}`, { token });
    assert.equal(status.status, 200, status.text);
    if (status.body.state !== 'running') return status.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the import did not finish in 60 s');
}

async function allLinks(deployment: Deployment, token: string): Promise<WireLink[]> {
  const links: WireLink[] = [];
  let start = '';
  do {
    const page = await call(deployment.baseUrl, 'GET', '/v1/links', { token, query: { limit: '100', ...(start && { start_token: start }) } });
    assert.equal(page.status, 200, page.text);
    links.push(...(page.body.links as WireLink[]));
    start = page.body.next_page_token;
  } while (start);
  return links;
}

const tagsOf = (link: WireLink) => Object.keys(link.Tags ?? {}).sort();

export function importExportSuite(deployment: () => Deployment): void {
  test('export → import into a fresh user gives the same links, for Netscape HTML and JSON; a re-import adds nothing', async () => {
    const run = newRun();
    const owner = await deployment().signIn(userOf(run, 'imp-owner'));
    const seeded = await importFile(deployment(), owner, seedFile(run), 'text/html');
    assert.deepEqual([seeded.state, seeded.total, seeded.imported, seeded.skipped], ['done', 4, 3, 1]);
    assert.match(seeded.errors[0].err, /mailto/);
    // And one saved the ordinary way, with today's date.
    const saved = await call(deployment().baseUrl, 'POST', '/v1/links', { token: owner, json: { url: `https://${run}.example/d`, title: 'D', description: 'multi\nline', tags: 'delta', private: true } });
    assert.equal(saved.status, 200, saved.text);
    const original = await allLinks(deployment(), owner);
    assert.equal(original.length, 4);
    const a = original.find((link) => link.Url === `https://${run}.example/a`)!;
    assert.deepEqual([a.Title, a.Description, tagsOf(a), a.CreatedAt, a.UpdatedAt], ['A & B', 'Line one', ['alpha', 'beta', 'work'], '2017-07-14T02:41:40.000Z', '2017-07-14T02:43:20.000Z']);

    for (const [format, contentType] of [
      ['netscape', 'text/html'],
      ['json', 'application/json'],
    ] as const) {
      const exported = await call(deployment().baseUrl, 'GET', '/v1/export', { token: owner, query: { format } });
      assert.equal(exported.status, 200, exported.text.slice(0, 300));
      assert.match(exported.headers.get('content-disposition') ?? '', /^attachment; filename=/);
      const fresh = await deployment().signIn(userOf(run, `imp-${format}`));
      const status = await importFile(deployment(), fresh, exported.text, contentType);
      assert.deepEqual([status.state, status.imported, status.skipped], ['done', 4, 0], `${format}: ${JSON.stringify(status.errors)}`);
      const copied = await allLinks(deployment(), fresh);
      // Dates in a Netscape file are whole seconds; JSON keeps them exactly.
      const when = (iso: string) => (format === 'netscape' ? second(iso) : iso);
      const shape = (link: WireLink) => ({ url: link.Url, title: link.Title, description: link.Description, tags: tagsOf(link), private: link.Private, created: when(link.CreatedAt), updated: when(link.UpdatedAt) });
      const byUrl = (x: { url: string }, y: { url: string }) => (x.url < y.url ? -1 : 1);
      assert.deepEqual(copied.map(shape).sort(byUrl), original.map(shape).sort(byUrl), format);
      // Listed by CreatedAt, newest first.
      const created = copied.map((link) => new Date(link.CreatedAt).getTime());
      assert.deepEqual(created, [...created].sort((x, y) => y - x), `${format}: newest first`);

      const again = await importFile(deployment(), fresh, exported.text, contentType);
      assert.deepEqual([again.imported, again.updated, again.unchanged], [0, 0, 4], `${format}: nothing new the second time`);
      assert.equal((await allLinks(deployment(), fresh)).length, 4);
    }
  });

  test('a file over the ordinary body limit imports through the route’s own limit', async () => {
    const run = newRun();
    const token = await deployment().signIn(userOf(run, 'imp-big'));
    const rows = Array.from({ length: 700 }, (_, i) => `<DT><A HREF="https://big-${run}.example/${i}" ADD_DATE="${1600000000 + i}" TAGS="bulk">Link number ${i} with a longer title to make the file bigger</A>`);
    const file = `<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n${rows.join('\n')}\n</DL>\n`;
    assert.ok(file.length > 64 * 1024, 'larger than BODY_LIMIT');
    const status = await importFile(deployment(), token, file, 'text/html');
    assert.deepEqual([status.state, status.processed, status.imported], ['done', 700, 700]);
  });

  test('an import gives a follower no news', async () => {
    const run = newRun();
    const [author, follower] = [userOf(run, 'imp-author'), userOf(run, 'imp-follower')];
    const [authorToken, followerToken] = [await deployment().signIn(author), await deployment().signIn(follower)];
    const followed = await call(deployment().baseUrl, 'POST', '/v1/following', { token: followerToken, json: { followed: author } });
    assert.equal(followed.status, 200, followed.text);
    const status = await importFile(deployment(), authorToken, seedFile(run), 'text/html');
    assert.equal(status.imported, 3);
    // A save after the import is news: once it arrived, anything the import made would have too.
    const marker = `https://marker-${run}.example/`;
    const saved = await call(deployment().baseUrl, 'POST', '/v1/links', { token: authorToken, json: { url: marker, title: 'marker' } });
    assert.equal(saved.status, 200, saved.text);
    await waitForFeed(deployment().baseUrl, followerToken, 'the marker', (events) => events.some((event) => event.url === marker));
    const feed = await readFeed(deployment().baseUrl, followerToken);
    assert.deepEqual(feed.events.map((event) => event.url), [marker], 'only the marker');
  });
}
