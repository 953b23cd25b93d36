/** POST /v1/links/recheck and title-less saves through the public API (docs/design.md §17). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DefaultLinkManager, LinkCheckScheduler, MemoryLinkStore } from '@delinkcious/link-service';
import { startGateway, type GatewayHarness } from './support/harness.ts';

describe('POST /v1/links/recheck', () => {
  let gateway: GatewayHarness;
  let alice: string;
  let bob: string;
  const requests: string[] = [];
  let answer: { status: 'valid' | 'invalid'; httpStatus: number; error: string } = { status: 'valid', httpStatus: 200, error: '' };

  before(async () => {
    const store = new MemoryLinkStore();
    // A checker stand-in answering the whole result, as LinkCheckerClient does.
    const checker = {
      async check(_username: string, url: string) {
        requests.push(url);
        return { ...answer, result: { url, checkedAt: new Date(), ...answer } };
      },
    };
    const scheduler = new LinkCheckScheduler({
      store,
      checker,
      apply: (result): Promise<number> => manager.applyCheckResult(result),
      pendingAfterMs: 60_000,
      revalidateAfterMs: 3_600_000,
    });
    const manager: DefaultLinkManager = new DefaultLinkManager({ store, maxLinksPerUser: 100, checks: scheduler });
    gateway = await startGateway({ links: manager, env: { RECHECK_PER_MINUTE: '3' } });
    alice = await gateway.signIn('alice');
    bob = await gateway.signIn('bob');
  });
  after(() => gateway?.close());

  test('a link saved without a title is accepted; its title is empty until the page says', async () => {
    const saved = await gateway.call('POST', '/v1/links', { token: alice, json: { url: 'https://untitled.example/' } });
    assert.equal(saved.status, 200);
    assert.equal((saved.body as { link: { Title: string } }).link.Title, '');
    const form = await gateway.call('POST', '/v1/links', { token: alice, form: { url: 'https://untitled-form.example/' } });
    assert.equal(form.status, 200);
  });

  test('checks the link now and answers it with its health', async () => {
    await gateway.call('POST', '/v1/links', { token: alice, json: { url: 'https://dead.example/', title: 'Dead' } });
    answer = { status: 'invalid', httpStatus: 404, error: '404 Not Found' };
    const from = requests.length;
    const rechecked = await gateway.call('POST', '/v1/links/recheck', { token: alice, json: { url: 'https://dead.example/' } });
    assert.equal(rechecked.status, 200);
    const link = (rechecked.body as { err: string; link: Record<string, unknown> }).link;
    assert.deepEqual([link.Url, link.Status, link.HttpStatus, link.CheckError], ['https://dead.example/', 'invalid', 404, '404 Not Found']);
    assert.equal(typeof link.InvalidSince, 'string');
    assert.equal(typeof link.CheckedAt, 'string');
    assert.ok(requests.slice(from).includes('https://dead.example/'));
  });

  test("someone else's link is 404; no url is 400; signed out is 401", async () => {
    const others = await gateway.call('POST', '/v1/links/recheck', { token: bob, json: { url: 'https://dead.example/' } });
    assert.equal(others.status, 404);
    assert.match((others.body as { err: string }).err, /no link with url https:\/\/dead\.example\//);
    const none = await gateway.call('POST', '/v1/links/recheck', { token: bob, json: {} });
    assert.deepEqual([none.status, (none.body as { err: string }).err], [400, 'url is required']);
    assert.equal((await gateway.call('POST', '/v1/links/recheck', { json: { url: 'https://dead.example/' } })).status, 401);
  });

  test('limited per user: past RECHECK_PER_MINUTE, 429 with Retry-After; other users unaffected', async () => {
    await gateway.call('POST', '/v1/links', { token: bob, json: { url: 'https://bob.example/', title: 'B' } });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 4; i++) {
      last = await gateway.call('POST', '/v1/links/recheck', { token: bob, json: { url: 'https://bob.example/' } });
      statuses.push(last.status);
    }
    // Bob spent one on the 404 and one on the 400 above: the limit counts requests, whatever their answer.
    assert.deepEqual(statuses, [200, 429, 429, 429]);
    assert.ok(Number(last!.headers.get('retry-after')) > 0, 'Retry-After says when');
    assert.match((last!.body as { err: string }).err, /too many requests/);
    const aliceStill = await gateway.call('POST', '/v1/links/recheck', { token: alice, json: { url: 'https://dead.example/' } });
    assert.equal(aliceStill.status, 200, "one user's limit is not another's");
  });
});
