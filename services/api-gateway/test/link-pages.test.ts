/**
 * GET /v1/links over HTTP forwards link-service's page instead of parsing and
 * writing it again: the answer must be byte for byte what the gateway writes
 * from the manager in-process (embedded), for every filter, page and error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyReply } from 'fastify';
import { LinkClient } from '@delinkcious/clients';
import { immutable } from '@delinkcious/kit';
import { linkToWire, type GetLinksResult, type Link } from '@delinkcious/object-model';
import { sendLinkPage } from '../src/routes/link-page.ts';
import { gatewaysBothWays, memoryManagers, type GatewayHarness } from './support/harness.ts';

/** A LinkClient that may only forward pages: parsing one (getLinks) fails the test. */
class ForwardingOnly extends LinkClient {
  override getLinks(): never {
    throw new Error('the gateway parsed the page instead of forwarding it');
  }
}

describe('GET /v1/links forwarded from link-service', () => {
  const managers = memoryManagers();
  let gateways: Awaited<ReturnType<typeof gatewaysBothWays<ForwardingOnly>>>;
  let overHttp: GatewayHarness;
  let inProcess: GatewayHarness;
  let alice: string;

  before(async () => {
    gateways = await gatewaysBothWays(managers, (baseUrl) => new ForwardingOnly({ baseUrl }));
    ({ overHttp, inProcess } = gateways);
    alice = await overHttp.signIn('alice');
    for (let i = 0; i < 5; i++) {
      const saved = await inProcess.call('POST', '/v1/links', {
        token: alice,
        json: { url: `https://example.com/${i}`, title: `Title ${i} ✓`, description: 'tab\there', tags: i % 2 ? 'odd all' : 'even all', private: i === 3 },
      });
      assert.equal(saved.status, 200, saved.text);
    }
  });
  after(() => gateways.close());

  const both = async (query: Record<string, string>) => {
    const [forwarded, written] = [await overHttp.call('GET', '/v1/links', { token: alice, query }), await inProcess.call('GET', '/v1/links', { token: alice, query })];
    assert.equal(forwarded.status, written.status, `${JSON.stringify(query)}: ${forwarded.text} vs ${written.text}`);
    assert.equal(forwarded.text, written.text, JSON.stringify(query));
    assert.equal(forwarded.headers.get('content-type'), written.headers.get('content-type'));
    assert.equal(forwarded.headers.get('cache-control'), 'no-store');
    return forwarded;
  };

  test('pages, filters and the next page token are the same bytes as written in-process', async () => {
    const first = await both({ limit: '2' });
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.links.map((link: { Url: string }) => link.Url),
      ['https://example.com/4', 'https://example.com/3'],
    );
    assert.notEqual(first.body.next_page_token, '');
    await both({ limit: '2', start_token: first.body.next_page_token });
    await both({});
    await both({ tag: 'odd' });
    await both({ title_regex: '^Title [13]' });
    await both({ url_regex: 'example\\.com/0$', limit: '100' });
  });

  test('refusals are the same status and body, whichever side refuses', async () => {
    // link-service refuses the pattern; the gateway refuses the page size before calling.
    assert.equal((await both({ url_regex: '(' })).status, 400);
    assert.equal((await both({ limit: '1000' })).status, 400);
    assert.equal((await both({ start_token: 'not-a-token' })).status, 400);
  });

  test('without a valid token nothing is forwarded: 401 as always', async () => {
    const answer = await overHttp.call('GET', '/v1/links', { token: 'not-a-token' });
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.body, { err: 'Access Denied!' });
  });
});

describe('sendLinkPage', () => {
  /** A reply that keeps what was sent. */
  const reply = () => {
    const sent: { type: string; payload: string | Buffer } = { type: '', payload: '' };
    const fake = {
      type(value: string) {
        sent.type = value;
        return fake;
      },
      send(payload: string | Buffer) {
        sent.payload = payload;
        return fake;
      },
    };
    return { sent, fake: fake as unknown as FastifyReply };
  };
  const link = (n: number): Link => ({
    url: `https://example.com/${n}`,
    title: `Title ${n} ✓`,
    description: 'tab\there',
    status: 'valid',
    tags: ['all', `t${n}`],
    private: false,
    savedBy: n,
    unread: false,
    createdAt: new Date(Date.UTC(2026, 11, n, 1, 2, 3, 4)),
    updatedAt: new Date(Date.UTC(2026, 11, n, 5, 6, 7, 8)),
    checkedAt: null,
    httpStatus: 200,
    checkError: '',
    invalidSince: null,
    archiveUrl: '',
    faviconUrl: '',
  });
  const page = (): GetLinksResult => ({ links: [link(1), link(2)], nextPageToken: 'next' });
  const expected = JSON.stringify({ err: '', links: page().links.map(linkToWire), next_page_token: 'next' });

  test('an immutable page (a listing link-service keeps) is sent as the same bytes every time, as any other page is', () => {
    const shared = immutable(page());
    for (const sentPage of [page(), shared, shared, page()]) {
      const { sent, fake } = reply();
      sendLinkPage(fake, sentPage);
      assert.equal(sent.type, 'application/json; charset=utf-8');
      assert.equal(Buffer.from(sent.payload).toString('utf8'), expected);
    }
  });
});
