/**
 * Tags, bulk edits, read later and one URL one link (docs/design.md §15) end
 * to end through the public API, in both deployments: embedded (one process,
 * PGlite, the in-process bus) and separate (six processes on PostgreSQL, Redis
 * and a private NATS; skipped without them, required in CI).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCalls } from './http.ts';
import { newRun, readFeed, userOf, waitForFeed, type NewsTarget } from './news-suite.ts';

export function organizeSuite(target: () => NewsTarget): void {
  const { api, ok } = apiCalls(() => target().baseUrl);

  test('a 50-link bulk edit and tag renames put nothing in followers’ news; links made private are retracted', async () => {
    const run = newRun();
    const [alice, bob] = ['alice', 'bob'].map((name) => userOf(run, `org-${name}`)) as [string, string];
    const [aliceToken, bobToken] = [await target().signIn(alice), await target().signIn(bob)];
    await ok('bob follows alice', api('POST', '/v1/following', bobToken, { json: { followed: alice } }));
    const urls = Array.from({ length: 50 }, (_, i) => `https://bulk-${run}.example/${i}`);
    for (const url of urls) await ok(`add ${url}`, api('POST', '/v1/links', aliceToken, { json: { url, title: `t ${url}`, tags: 'first' } }));
    const marker = `https://marker-${run}.example/`;
    await ok('marker', api('POST', '/v1/links', aliceToken, { json: { url: marker, title: 'marker' } }));
    await waitForFeed(target().baseUrl, bobToken, 'alice’s 51 links', (events) => events.filter((e) => e.event_type === 'LINK_ADDED').length === 51);

    const bulk = (json: Record<string, unknown>) => ok(`bulk ${JSON.stringify(json).slice(0, 80)}`, api('POST', '/v1/links/bulk', aliceToken, { json }));
    assert.equal((await bulk({ urls, action: 'add_tags', tags: ['reading', 'Later'] })).changed, 50);
    assert.equal((await bulk({ urls, action: 'mark_unread' })).changed, 50);
    assert.equal((await ok('rename', api('PUT', '/v1/tags/first', aliceToken, { json: { new_tag: 'reading' } }))).changed, 50);
    assert.equal((await ok('delete tag', api('DELETE', '/v1/tags/later', aliceToken))).changed, 50);
    const tags = await ok('tags', api('GET', '/v1/tags', aliceToken));
    assert.deepEqual(tags, { err: '', tags: [{ tag: 'reading', count: 50 }] });

    // Made private: each retracted from bob's news; the rest of the bulk edits made no item at all.
    const hidden = urls.slice(0, 5);
    assert.equal((await bulk({ urls: hidden, action: 'set_private' })).changed, 5);
    const after = `https://after-${run}.example/`;
    await ok('after', api('POST', '/v1/links', aliceToken, { json: { url: after, title: 'after' } }));
    const feed = await waitForFeed(target().baseUrl, bobToken, 'the retractions and the next link', (events) =>
      events.some((e) => e.url === after) && hidden.every((url) => events.some((e) => e.url === url && e.event_type === 'LINK_DELETED')),
    );
    const counts = new Map<string, number>();
    for (const event of feed.events) counts.set(event.event_type, (counts.get(event.event_type) ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(counts), { LINK_ADDED: 52, LINK_DELETED: 5 }, 'one item per save and per retraction, none per bulk change');
    // Not in her public profile or popular list any more.
    const profile = await ok('profile', api('GET', `/v1/users/${alice}/links`, bobToken, { query: { limit: '100' } }));
    assert.ok(!profile.links.some((link: { Url: string }) => hidden.includes(link.Url)));
    const own = await ok('own links', api('GET', '/v1/links', aliceToken, { query: { limit: '100' } }));
    assert.equal(own.links.filter((link: { Unread: boolean }) => link.Unread).length, 50);

    // Deleted in bulk: the public ones retracted too (the private ones were already).
    assert.equal((await bulk({ urls: urls.slice(0, 10), action: 'delete' })).changed, 10);
    await waitForFeed(target().baseUrl, bobToken, 'the deletions', (events) => events.filter((e) => e.event_type === 'LINK_DELETED').length === 10);
    assert.equal((await readFeed(target().baseUrl, bobToken)).events.length, 62);
  });

  test('read later, one URL one link, and the refusals', async () => {
    const token = await target().signIn(userOf(newRun(), 'org-one'));
    const saved = await ok('unread in a query string', api('POST', '/v1/links', token, { query: { url: 'https://Go.Dev:443/doc', title: 'Go', unread: 'yes' } }));
    assert.equal(saved.link.Url, 'https://go.dev/doc');
    assert.equal(saved.link.Unread, true);
    const again = await api('POST', '/v1/links', token, { json: { url: 'https://GO.DEV/doc', title: 'again' } });
    assert.equal(again.status, 409, again.text);
    assert.equal((await ok('read', api('PUT', '/v1/links', token, { json: { url: 'HTTPS://go.dev/doc', unread: false } }))).link.Unread, false);
    await ok('delete in another spelling', api('DELETE', '/v1/links', token, { query: { url: 'https://GO.DEV/doc' } }));

    const unknown = await api('POST', '/v1/links/bulk', token, { json: { urls: ['https://a.example/'], action: 'archive' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.err, /action "archive" is not one of/);
    const tooMany = await api('POST', '/v1/links/bulk', token, {
      json: { urls: Array.from({ length: 1001 }, (_, i) => `https://a.example/${i}`), action: 'delete' },
    });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.err, /at most 1000/);
    const badTag = await api('PUT', '/v1/tags/go', token, { json: { new_tag: 'two words' } });
    assert.equal(badTag.status, 400);
    assert.match(badTag.body.err, /new_tag must be one tag/);
    const badUnread = await api('POST', '/v1/links', token, { json: { url: 'https://b.example/', title: 'b', unread: 'perhaps' } });
    assert.equal(badUnread.status, 400);
    assert.match(badUnread.body.err, /^unread must be true or false/);
  });
}

