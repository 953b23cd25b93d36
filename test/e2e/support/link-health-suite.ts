/**
 * Link health and page metadata end to end (docs/design.md §17), in both
 * deployments: the gateway, link-service, the link-checker and the bus, checking
 * a site served here (the SSRF guard lifted for 127.0.0.1) with a local stand-in
 * of the Wayback availability API. A link saved without a title gets the page's;
 * a dead link shows why, since when, and its archived copy.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { Deployment } from '@delinkcious/testing';
import { call, waitFor } from './http.ts';

/** A site to check (an article and 404s) and a stand-in of the Wayback availability API, on loopback. */
export async function startHealthSite(): Promise<{ siteUrl: string; waybackUrl: string; close: () => void }> {
  const site = createServer((request, response) => {
    if (request.url === '/article') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(`<!doctype html><html><head>
        <title>  The Article  </title>
        <meta name="description" content="All about it">
        <link rel="icon" href="/static/icon.png">
        </head><body>…</body></html>`);
      return;
    }
    response.writeHead(404, { 'content-type': 'text/html' }).end('<title>Not here</title>');
  });
  const wayback = createServer((request, response) => {
    const asked = new URL(request.url ?? '/', 'http://x').searchParams.get('url') ?? '';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ archived_snapshots: { closest: { available: true, status: '200', url: `http://archive.test/web/2026/${asked}`, timestamp: '20260101000000' } } }));
  });
  await Promise.all([site, wayback].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const waybackUrl = `http://127.0.0.1:${(wayback.address() as AddressInfo).port}/wayback/available`;
  return {
    siteUrl,
    waybackUrl,
    close: () => {
      site.close();
      wayback.close();
    },
  };
}

interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Status: string;
  CheckedAt: string | null;
  HttpStatus: number;
  CheckError: string;
  InvalidSince: string | null;
  ArchiveUrl: string;
  FaviconUrl: string;
}

/** The checker needs LINK_CHECKER_ALLOW_PRIVATE_NETWORKS=true and WAYBACK_API_URL=waybackUrl. */
export function linkHealthSuite(deployment: () => Deployment, siteUrl: string): void {
  const linkOf = async (token: string, url: string) => {
    const answer = await call(deployment().baseUrl, 'GET', '/v1/links', { token });
    return (answer.body as { links: WireLink[] }).links.find((link) => link.Url === url);
  };
  const until = (token: string, url: string, what: string, done: (link: WireLink) => boolean) =>
    waitFor(() => linkOf(token, url), { what, until: (link) => link !== undefined && done(link), timeoutMs: 20_000, intervalMs: 200 }) as Promise<WireLink>;

  test("saved without a title, a link gets the page's title and description once checked; followers' news shows it", async () => {
    const token = await deployment().signIn('health-titles');
    const follower = await deployment().signIn('health-follower');
    assert.equal((await call(deployment().baseUrl, 'POST', '/v1/following', { token: follower, json: { followed: 'health-titles' } })).status, 200);
    const url = `${siteUrl}/article`;
    const saved = await call(deployment().baseUrl, 'POST', '/v1/links', { token, json: { url } });
    assert.equal(saved.status, 200);
    assert.equal((saved.body as { link: WireLink }).link.Title, '', 'empty until the page says');
    const link = await until(token, url, 'the page title', (l) => l.Status === 'valid');
    assert.deepEqual(
      [link.Title, link.Description, link.HttpStatus, link.CheckError, link.InvalidSince, link.FaviconUrl],
      ['The Article', 'All about it', 200, '', null, `${siteUrl}/static/icon.png`],
    );
    assert.ok(link.CheckedAt && !Number.isNaN(Date.parse(link.CheckedAt)));
    // The filled-in title is a link.updated by the owner: the follower's news names the page.
    const news = await waitFor(
      async () => (await call(deployment().baseUrl, 'GET', '/v1/news', { token: follower })).body as { events: Array<{ event_type: string; url: string; title: string }> },
      { what: 'the titled news item', until: (body) => body.events.some((e) => e.event_type === 'LINK_UPDATED' && e.title === 'The Article'), timeoutMs: 20_000, intervalMs: 200 },
    );
    assert.deepEqual(
      news.events.filter((e) => e.url === url).map((e) => [e.event_type, e.title]),
      [
        ['LINK_UPDATED', 'The Article'],
        ['LINK_ADDED', ''],
      ],
    );
  });

  test('a dead link shows its reason, since when, and an archived copy; a recheck keeps the streak', async () => {
    const token = await deployment().signIn('health-dead');
    const url = `${siteUrl}/gone`;
    assert.equal((await call(deployment().baseUrl, 'POST', '/v1/links', { token, json: { url, title: 'Gone' } })).status, 200);
    const dead = await until(token, url, 'the dead link', (l) => l.Status === 'invalid');
    assert.deepEqual([dead.CheckError, dead.HttpStatus, dead.ArchiveUrl, dead.Title], ['404 Not Found', 404, `http://archive.test/web/2026/${url}`, 'Gone']);
    assert.ok(dead.InvalidSince);
    assert.equal(dead.InvalidSince, dead.CheckedAt, 'the streak starts at the first invalid check');

    const rechecked = await call(deployment().baseUrl, 'POST', '/v1/links/recheck', { token, json: { url } });
    assert.equal(rechecked.status, 200);
    const after = await until(token, url, 'the recheck result', (l) => l.CheckedAt !== dead.CheckedAt);
    assert.ok(Date.parse(after.CheckedAt!) > Date.parse(dead.CheckedAt!), 'checked again, though the result was fresh');
    assert.equal(after.InvalidSince, dead.InvalidSince, 'still the same invalid streak');

    const others = await deployment().signIn('health-other');
    assert.equal((await call(deployment().baseUrl, 'POST', '/v1/links/recheck', { token: others, json: { url } })).status, 404);
  });
}
