/**
 * Private links through the public API only: they never reach followers' news,
 * the popular list or SavedBy counts; toggling retracts and publishes; the
 * default_private setting applies; bad input is a 400 naming the field.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiCalls } from './http.ts';
import { newRun, readFeed, userOf, waitForFeed, type NewsTarget } from './news-suite.ts';

export function privateLinksSuite(target: () => NewsTarget): void {
  const { api, ok } = apiCalls(() => target().baseUrl);

  test('a private link never reaches followers’ news, popular or SavedBy; toggling retracts and publishes it; the default applies', async () => {
    const run = newRun();
    const [alice, bob, carol] = ['alice', 'bob', 'carol'].map((name) => userOf(run, `priv-${name}`)) as [string, string, string];
    const [aliceToken, bobToken, carolToken] = [await target().signIn(alice), await target().signIn(bob), await target().signIn(carol)];
    await ok('bob follows alice', api('POST', '/v1/following', bobToken, { json: { followed: alice } }));
    const secret = `https://secret-${run}.example/`;
    const open = `https://open-${run}.example/`;
    const add = (token: string, url: string, extra: Record<string, unknown> = {}) =>
      ok(`add ${url}`, api('POST', '/v1/links', token, { json: { url, title: `title ${url}`, ...extra } }));

    assert.equal((await add(aliceToken, secret, { private: true })).link.Private, true);
    assert.equal((await add(aliceToken, open, { private: false })).link.Private, false);
    const seen = await waitForFeed(target().baseUrl, bobToken, 'bob sees alice’s public link', (events) => events.some((e) => e.url === open));
    assert.ok(!seen.events.some((e) => e.url === secret), 'the private link is not in bob’s news');

    const popular = await ok('popular', api('GET', '/v1/popular', bobToken, { query: { days: '7' } }));
    assert.deepEqual(
      popular.links.map((l: { Url: string }) => l.Url),
      [open],
      'only the public link is popular',
    );
    assert.deepEqual(popular.links[0].Usernames, [alice]);

    // SavedBy: carol's public save of the secret URL counts for alice; alice's private one does not count for carol.
    assert.equal((await add(carolToken, secret, { private: false })).link.SavedBy, 0);
    const aliceLinks = await ok('alice’s links', api('GET', '/v1/links', aliceToken, { query: { url_regex: `secret-${run}` } }));
    assert.equal(aliceLinks.links[0].SavedBy, 1);

    // Made private: retracted (a LINK_DELETED item), and gone from popular.
    await ok('make open private', api('PUT', '/v1/links', aliceToken, { json: { url: open, private: 'yes' } }));
    await waitForFeed(target().baseUrl, bobToken, 'the retraction', (events) => events.some((e) => e.url === open && e.event_type === 'LINK_DELETED'));
    assert.deepEqual((await ok('popular', api('GET', '/v1/popular', bobToken))).links, []);

    // Made public: published then.
    await ok('make secret public', api('PUT', '/v1/links', aliceToken, { json: { url: secret, private: false } }));
    await waitForFeed(target().baseUrl, bobToken, 'the publication', (events) => events.some((e) => e.url === secret && e.event_type === 'LINK_ADDED'));

    // The default: a link without `private` follows default_private.
    assert.equal((await ok('settings', api('PUT', '/v1/settings', aliceToken, { json: { default_private: true } }))).default_private, true);
    const defaulted = `https://default-${run}.example/`;
    assert.equal((await add(aliceToken, defaulted)).link.Private, true);
    const marker = `https://marker-${run}.example/`;
    await add(aliceToken, marker, { private: false });
    await waitForFeed(target().baseUrl, bobToken, 'the marker', (events) => events.some((e) => e.url === marker));
    assert.ok(!(await readFeed(target().baseUrl, bobToken)).events.some((e) => e.url === defaulted), 'the default-private link is not news');
  });

  test('bad input: private=maybe and days outside 1–90 are 400s naming the field', async () => {
    const token = await target().signIn(userOf(newRun(), 'priv-bad'));
    const maybe = await api('POST', '/v1/links', token, { query: { url: 'https://maybe.example/', title: 'maybe', private: 'maybe' } });
    assert.equal(maybe.status, 400);
    assert.match(maybe.body.err, /^private must be/);
    for (const days of ['0', '91']) {
      const answer = await api('GET', '/v1/popular', token, { query: { days } });
      assert.equal(answer.status, 400, days);
      assert.match(answer.body.err, /^days must be/);
    }
  });
}
