/**
 * GET /v1/links and /v1/users/{u}/links with q, sort and several tags (docs/design.md §14):
 * in-process and forwarded from link-service over HTTP, byte for byte the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LinkClient } from '@delinkcious/clients';
import { gatewaysBothWays, memoryManagers, type GatewayHarness } from './support/harness.ts';

describe('GET /v1/links?q=&sort=&tag=', () => {
  const managers = memoryManagers();
  let gateways: Awaited<ReturnType<typeof gatewaysBothWays<LinkClient>>>;
  let overHttp: GatewayHarness;
  let inProcess: GatewayHarness;
  let alice: string;

  before(async () => {
    gateways = await gatewaysBothWays(managers, (baseUrl) => new LinkClient({ baseUrl }));
    ({ overHttp, inProcess } = gateways);
    alice = await overHttp.signIn('alice');
    const links = [
      { url: 'https://www.postgresql.org/docs/', title: 'PostgreSQL documentation', tags: 'db sql' },
      { url: 'https://go.dev/doc/', title: 'Go documentation', tags: 'go lang' },
      { url: 'https://blog.example.org/café', title: 'Le café', description: 'Crème brûlée', tags: 'food', private: true },
      { url: 'https://sqlite.org/', title: 'SQLite', tags: 'db' },
    ];
    for (const link of links) {
      const saved = await inProcess.call('POST', '/v1/links', { token: alice, json: { private: false, ...link } });
      assert.equal(saved.status, 200, saved.text);
    }
  });
  after(() => gateways.close());

  /** The same request both ways: same status, same bytes. */
  const both = async (path: string, query: Record<string, string> = {}) => {
    const forwarded = await overHttp.call('GET', path, { token: alice, query });
    const written = await inProcess.call('GET', path, { token: alice, query });
    assert.equal(forwarded.status, written.status, `${path} ${JSON.stringify(query)}: ${forwarded.text} vs ${written.text}`);
    assert.equal(forwarded.text, written.text, `${path} ${JSON.stringify(query)}`);
    return forwarded;
  };
  const urls = (answer: { body: { links: Array<{ Url: string }> } }) => answer.body.links.map((link) => link.Url);

  test('q finds words case- and accent-insensitively, with the original envelope', async () => {
    const answer = await both('/v1/links', { q: 'CREME brulee' });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.err, '');
    assert.deepEqual(urls(answer), ['https://blog.example.org/café']);
    assert.equal(answer.body.next_page_token, '');
  });

  test('operators: #tag, -word, site:, is:, OR', async () => {
    assert.deepEqual(urls(await both('/v1/links', { q: '#db -sqlite' })), ['https://www.postgresql.org/docs/']);
    assert.deepEqual(urls(await both('/v1/links', { q: 'site:example.org' })), ['https://blog.example.org/café']);
    assert.deepEqual(urls(await both('/v1/links', { q: 'is:private' })), ['https://blog.example.org/café']);
    assert.deepEqual(urls(await both('/v1/links', { q: 'sqlite OR #go', sort: 'oldest' })), ['https://go.dev/doc/', 'https://sqlite.org/']);
  });

  test('tag=a,b and a repeated tag mean links with all of them', async () => {
    assert.deepEqual(urls(await both('/v1/links', { tag: 'db,sql' })), ['https://www.postgresql.org/docs/']);
    assert.deepEqual(urls(await both('/v1/links?tag=db&tag=sql')), ['https://www.postgresql.org/docs/']);
    assert.deepEqual(urls(await both('/v1/links', { tag: 'db' })), ['https://sqlite.org/', 'https://www.postgresql.org/docs/']);
  });

  test('sort=title pages with tokens that carry the sort', async () => {
    const first = await both('/v1/links', { sort: 'title', limit: '3' });
    assert.deepEqual(urls(first), ['https://go.dev/doc/', 'https://blog.example.org/café', 'https://www.postgresql.org/docs/']);
    const second = await both('/v1/links', { sort: 'title', limit: '3', start_token: first.body.next_page_token });
    assert.deepEqual(urls(second), ['https://sqlite.org/']);
    const mixed = await both('/v1/links', { sort: 'newest', start_token: first.body.next_page_token });
    assert.equal(mixed.status, 400);
    assert.equal(mixed.body.err, 'start_token belongs to another sort order than newest');
  });

  test('a malformed query is a 400 saying what is wrong and where', async () => {
    const quote = await both('/v1/links', { q: 'full "text' });
    assert.equal(quote.status, 400);
    assert.equal(quote.body.err, 'q: unclosed quote at character 6');
    const is = await both('/v1/links', { q: 'go is:starred' });
    assert.equal(is.status, 400);
    assert.match(is.body.err, /^q: unknown is: value "starred" .* at character 7$/);
    const long = await both('/v1/links', { q: 'x'.repeat(501) });
    assert.equal(long.status, 400);
    assert.match(long.body.err, /q/);
    const sort = await both('/v1/links', { sort: 'random' });
    assert.equal(sort.status, 400);
    assert.match(sort.body.err, /sort/);
  });

  test("a profile's links take q too; private links are never found there", async () => {
    const bobToken = await overHttp.signIn('bob');
    for (const harness of [overHttp, inProcess]) {
      const answer = await harness.call('GET', '/v1/users/alice/links', { token: bobToken, query: { q: 'is:private OR café' } });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(urls(answer), []);
      const db = await harness.call('GET', '/v1/users/alice/links', { token: bobToken, query: { q: '#db', sort: 'title' } });
      assert.deepEqual(urls(db), ['https://www.postgresql.org/docs/', 'https://sqlite.org/']);
    }
  });

  test('OpenAPI documents q, sort and tag', async () => {
    const spec = (await inProcess.call('GET', '/openapi.json')).body;
    const parameters = spec.paths['/v1/links'].get.parameters as Array<{ name: string; schema: { enum?: string[] } }>;
    const names = parameters.map((p) => p.name);
    for (const name of ['q', 'sort', 'tag']) assert.ok(names.includes(name), name);
    assert.deepEqual(parameters.find((p) => p.name === 'sort')!.schema.enum, ['newest', 'oldest', 'title', 'relevance']);
  });
});
