/** /v1/tags, /v1/links/bulk and `unread` over HTTP (docs/design.md §15): answers, encodings, refusals. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayHarness } from './support/harness.ts';

describe('tags, bulk edits and read later over /v1', () => {
  let gateway: GatewayHarness;
  let alice: string;
  let bob: string;

  before(async () => {
    gateway = await startGateway();
    [alice, bob] = [await gateway.signIn('alice'), await gateway.signIn('bob')];
    for (const [i, tags] of [['go', 'web'], ['go', 'c++'], ['go', 'a/b']].entries()) {
      const answer = await gateway.call('POST', '/v1/links', { token: alice, json: { url: `https://t.example/${i}`, title: `${i}`, tags } });
      assert.equal(answer.status, 200, answer.text);
    }
    await gateway.call('POST', '/v1/links', { token: bob, json: { url: 'https://t.example/0', title: 'bob', tags: 'go gopher' } });
  });
  after(() => gateway.close());

  test('GET /v1/tags: the caller’s tags with counts, most used first; q a prefix; limit checked', async () => {
    const all = await gateway.call('GET', '/v1/tags', { token: alice });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body, {
      err: '',
      tags: [
        { tag: 'go', count: 3 },
        { tag: 'a/b', count: 1 },
        { tag: 'c++', count: 1 },
        { tag: 'web', count: 1 },
      ],
    });
    assert.equal(all.headers.get('cache-control'), 'no-store');
    assert.deepEqual((await gateway.call('GET', '/v1/tags', { token: bob, query: { q: 'gop' } })).body.tags, [{ tag: 'gopher', count: 1 }]);
    assert.deepEqual((await gateway.call('GET', '/v1/tags', { token: alice, query: { limit: '1' } })).body.tags, [{ tag: 'go', count: 3 }]);
    const bad = await gateway.call('GET', '/v1/tags', { token: alice, query: { limit: 'lots' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.err, /^limit must be a whole number/);
    assert.equal((await gateway.call('GET', '/v1/tags')).status, 401);
  });

  test('PUT and DELETE /v1/tags/{tag}: URL-encoded names, JSON or form, the count changed; only the caller’s links', async () => {
    const renamed = await gateway.call('PUT', `/v1/tags/${encodeURIComponent('c++')}`, { token: alice, form: { new_tag: 'cpp' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual(renamed.body, { err: '', changed: 1 });
    const merged = await gateway.call('PUT', '/v1/tags/web', { token: alice, json: { new_tag: 'GO' } });
    assert.deepEqual(merged.body, { err: '', changed: 1 });
    const slash = await gateway.call('DELETE', `/v1/tags/${encodeURIComponent('a/b')}`, { token: alice });
    assert.deepEqual(slash.body, { err: '', changed: 1 });
    assert.deepEqual((await gateway.call('GET', '/v1/tags', { token: alice })).body.tags, [
      { tag: 'go', count: 3 },
      { tag: 'cpp', count: 1 },
    ]);
    assert.deepEqual((await gateway.call('DELETE', '/v1/tags/go', { token: alice })).body, { err: '', changed: 3 });
    assert.deepEqual((await gateway.call('GET', '/v1/tags', { token: bob })).body.tags, [
      { tag: 'go', count: 1 },
      { tag: 'gopher', count: 1 },
    ], 'bob’s tags untouched');
    const missing = await gateway.call('PUT', '/v1/tags/go', { token: alice, json: {} });
    assert.equal(missing.status, 400);
    assert.match(missing.body.err, /^new_tag is required/);
  });

  test('POST /v1/links/bulk: every action by urls, answers changed; refusals name the problem', async () => {
    const urls = ['https://t.example/0', 'HTTPS://T.EXAMPLE/1', 'https://t.example/2'];
    const bulk = (json: unknown) => gateway.call('POST', '/v1/links/bulk', { token: alice, json });
    assert.deepEqual((await bulk({ urls, action: 'add_tags', tags: 'x, y' })).body, { err: '', changed: 3 });
    assert.deepEqual((await bulk({ urls, action: 'remove_tags', tags: ['y'] })).body, { err: '', changed: 3 });
    assert.deepEqual((await bulk({ urls, action: 'mark_unread' })).body, { err: '', changed: 3 });
    assert.deepEqual((await bulk({ urls: urls.slice(0, 1), action: 'mark_read' })).body, { err: '', changed: 1 });
    assert.deepEqual((await bulk({ urls, action: 'set_private' })).body, { err: '', changed: 3 });
    assert.deepEqual((await bulk({ urls, action: 'set_public' })).body, { err: '', changed: 3 });
    const listed = await gateway.call('GET', '/v1/links', { token: alice });
    assert.deepEqual(
      listed.body.links.map((link: { Url: string; Unread: boolean; Tags: Record<string, boolean> }) => [link.Url, link.Unread, Object.keys(link.Tags)]),
      [
        ['https://t.example/2', true, ['x']],
        ['https://t.example/1', true, ['cpp', 'x']],
        ['https://t.example/0', false, ['x']],
      ],
    );
    // By query: the links GET /v1/links?q= would list.
    assert.deepEqual((await bulk({ q: '#cpp', action: 'mark_read' })).body, { err: '', changed: 1 });
    const badQuery = await bulk({ q: 'OR', action: 'mark_read' });
    assert.equal(badQuery.status, 400, badQuery.text);
    assert.match(badQuery.body.err, /^q: OR needs a term before it/);
    assert.deepEqual((await bulk({ urls: urls.slice(1), action: 'delete' })).body, { err: '', changed: 2 });
    assert.equal((await gateway.call('GET', '/v1/links', { token: alice })).body.links.length, 1);

    const refusals: Array<[unknown, RegExp]> = [
      [{ urls, action: 'archive' }, /^action "archive" is not one of add_tags, remove_tags, set_private, set_public, mark_read, mark_unread, delete/],
      [{ urls }, /^action is required/],
      [{ action: 'delete' }, /^urls or q is required/],
      [{ urls: 'https://t.example/0', action: 'delete' }, /^urls must be a JSON array/],
      [{ urls, q: 'go', action: 'delete' }, /^give urls or q, not both/],
      [{ urls: Array.from({ length: 1001 }, (_, i) => `https://t.example/${i}`), action: 'mark_read' }, /^urls names 1001 links; at most 1000 per call/],
      [{ urls, action: 'add_tags' }, /^tags is required/],
    ];
    for (const [json, message] of refusals) {
      const answer = await bulk(json);
      assert.equal(answer.status, 400, JSON.stringify(json).slice(0, 100));
      assert.match(answer.body.err, message);
    }
  });

  test('unread on POST and PUT /v1/links: JSON boolean or yes/no; Unread on every LINK', async () => {
    const saved = await gateway.call('POST', '/v1/links', { token: bob, query: { url: 'https://later.example/', title: 'later', unread: 'yes' } });
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.link.Unread, true);
    const read = await gateway.call('PUT', '/v1/links', { token: bob, form: { url: 'https://later.example/', unread: 'no' } });
    assert.equal(read.body.link.Unread, false);
    const plain = await gateway.call('POST', '/v1/links', { token: bob, json: { url: 'https://plain.example/', title: 'plain' } });
    assert.equal(plain.body.link.Unread, false);
    const bad = await gateway.call('PUT', '/v1/links', { token: bob, json: { url: 'https://plain.example/', unread: 2 } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.err, /^unread must be true or false/);
  });
});
