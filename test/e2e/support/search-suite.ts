/**
 * Search end to end (docs/design.md §14), in both deployments: embedded (PGlite, the
 * managers in-process) and separate (link-service on PostgreSQL, the gateway
 * forwarding its pages). Only the public API is used.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Deployment } from '@delinkcious/testing';
import { call } from './http.ts';
import { newRun, userOf } from './news-suite.ts';

export function searchSuite(target: () => Deployment): void {
  const api = (method: string, path: string, token: string, options: { json?: unknown; query?: Record<string, string> } = {}) =>
    call(target().baseUrl, method, path, { token, ...options, timeoutMs: 30_000 });
  const urls = (body: { links: Array<{ Url: string }> }) => body.links.map((link) => link.Url);

  test('q with words, phrases, operators and OR; sorts and keyset pages; tag=a,b; 400 for a malformed query', async () => {
    const run = newRun();
    const alice = userOf(run, 'search-alice');
    const token = await target().signIn(alice);
    const links = [
      { url: `https://www.postgresql.org/${run}/textsearch`, title: 'PostgreSQL: Full Text Search', description: 'Running searches fast', tags: 'db,search' },
      { url: `https://go.dev/${run}/effective`, title: 'Effective Go', description: 'Idiomatic code', tags: 'go' },
      { url: `https://blog.example.org/${run}/creme`, title: 'Crème brûlée', description: 'Dessert', tags: 'food', private: true },
      { url: `https://nodejs.org/${run}/api`, title: 'Node.js API (fs)', description: 'File system', tags: 'db,node' },
    ];
    for (const link of links) {
      const saved = await api('POST', '/v1/links', token, { json: { private: false, ...link } });
      assert.equal(saved.status, 200, saved.text);
    }
    const find = async (query: Record<string, string>) => {
      const answer = await api('GET', '/v1/links', token, { query });
      assert.equal(answer.status, 200, `${JSON.stringify(query)}: ${answer.text}`);
      return answer.body as { links: Array<{ Url: string }>; next_page_token: string };
    };

    assert.deepEqual(urls(await find({ q: 'CREME brulee' })), [links[2]!.url], 'case and accents');
    assert.deepEqual(urls(await find({ q: 'run searches ' })), [links[0]!.url], 'inflection');
    assert.deepEqual(urls(await find({ q: 'postgre' })), [links[0]!.url], 'the last word is a prefix');
    assert.deepEqual(urls(await find({ q: 'SQL ' })), [links[0]!.url], 'a word of 3+ letters inside a word');
    assert.deepEqual(urls(await find({ q: 'ql ' })), [], 'shorter words: whole words only');
    assert.deepEqual(urls(await find({ q: '"full text search"' })), [links[0]!.url]);
    assert.deepEqual(urls(await find({ q: 'Node.js API (' })), [links[3]!.url], 'regex characters are text');
    assert.deepEqual(urls(await find({ q: '#db -#search' })), [links[3]!.url]);
    assert.deepEqual(urls(await find({ q: 'site:example.org is:private' })), [links[2]!.url]);
    assert.deepEqual(urls(await find({ q: 'effective OR dessert', sort: 'oldest' })), [links[1]!.url, links[2]!.url]);
    assert.deepEqual(urls(await find({ tag: 'db,node' })), [links[3]!.url]);

    const titles: string[] = [];
    let start = '';
    for (let page = 0; page < 5; page++) {
      const body = await find({ sort: 'title', limit: '3', ...(start ? { start_token: start } : {}) });
      titles.push(...urls(body));
      start = body.next_page_token;
      if (!start) break;
    }
    assert.deepEqual(titles, [links[2]!.url, links[1]!.url, links[3]!.url, links[0]!.url], 'title order, over two pages');

    const bad = await api('GET', '/v1/links', token, { query: { q: 'go "unclosed' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.err, 'q: unclosed quote at character 4');

    const other = await target().signIn(userOf(run, 'search-bob'));
    const profile = await api('GET', `/v1/users/${alice}/links`, other, { query: { q: 'is:private OR creme OR #db', sort: 'title' } });
    assert.equal(profile.status, 200, profile.text);
    assert.deepEqual(urls(profile.body), [links[3]!.url, links[0]!.url], 'a profile never shows private links');
  });
}

