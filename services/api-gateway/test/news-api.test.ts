/** GET /v1/news: the caller's own feed in the original's envelope, from an in-memory NewsManager. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger, listen } from '@delinkcious/kit';
import { DefaultNewsManager, FeedFanOut, MemoryNewsStore } from '@delinkcious/news-service';
import { UnavailableError, type LinkEvent, type NewsManager, type SocialGraphManager } from '@delinkcious/object-model';
import { createGateway } from '../src/gateway.ts';
import { readApiGatewayConfig } from '../src/config.ts';
import { call, memoryManagers } from './support/harness.ts';

/** The real manager and fan-out on a memory store, reading followers from the gateway's own social graph; can be made to fail. */
function inMemoryNews(socialGraph: SocialGraphManager) {
  const store = new MemoryNewsStore({ feedMax: 1000 });
  const manager = new DefaultNewsManager({ store, pageSize: 2 });
  const fanOut = new FeedFanOut({ store, socialGraph });
  const state = { down: false, asked: [] as string[] };
  const news: NewsManager = {
    async getNews(username, startToken) {
      state.asked.push(username);
      if (state.down) throw new UnavailableError('news-service is unavailable (unreachable)');
      return manager.getNews(username, startToken);
    },
  };
  return { fanOut, news, state };
}

const event = (id: string, type: LinkEvent['type'], author: string, url: string, title: string, timestamp: string): LinkEvent => ({
  id,
  type,
  username: author,
  link: { url, title, description: '', status: 'pending', tags: [] },
  timestamp,
});

describe('GET /v1/news', () => {
  const managers = memoryManagers();
  const { fanOut, news, state } = inMemoryNews(managers.socialGraph);
  let url: string;
  let close: () => Promise<void>;
  let bob: string;
  let dave: string;

  before(async () => {
    const logger = createLogger('api-gateway-test');
    logger.level = 'silent';
    const config = readApiGatewayConfig({ DELINKCIOUS_MUTUAL_AUTH: 'false' });
    const server = await createGateway({ config, ...managers, news, logger });
    url = await listen(server, '127.0.0.1', 0);
    close = () => server.close();
    const signIn = async (username: string) => {
      await managers.users.register({ username, name: username, email: `${username}@example.com` });
      return (await managers.users.login(username)).token;
    };
    bob = await signIn('bob');
    dave = await signIn('dave');
    // Only people with an account can be followed.
    for (const author of ['alice', 'carol']) await managers.users.register({ username: author, name: author, email: '' });
    assert.equal((await call(url, 'POST', '/v1/following', { token: bob, json: { followed: 'alice' } })).status, 200);
    assert.equal((await call(url, 'POST', '/v1/following', { token: bob, json: { followed: 'carol' } })).status, 200);
    await fanOut.handleLinkEvent(event('e1', 'link.added', 'alice', 'https://a.example/1', 'One', '2026-03-01T12:00:01Z'));
    await fanOut.handleLinkEvent(event('e2', 'link.updated', 'carol', 'https://c.example/', 'See', '2026-03-01T12:00:02.5Z'));
    await fanOut.handleLinkEvent(event('e3', 'link.deleted', 'alice', 'https://a.example/1', 'One', '2026-03-01T12:00:03Z'));
  });
  after(() => close());

  test("answers the caller's feed in the original envelope, paged by start_token", async () => {
    const first = await call(url, 'GET', '/v1/news', { token: bob });
    assert.equal(first.status, 200, first.text);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    assert.deepEqual(first.body, {
      err: '',
      events: [
        { event_type: 'LINK_DELETED', username: 'alice', url: 'https://a.example/1', title: 'One', timestamp: '2026-03-01T12:00:03.000Z' },
        { event_type: 'LINK_UPDATED', username: 'carol', url: 'https://c.example/', title: 'See', timestamp: '2026-03-01T12:00:02.500Z' },
      ],
      next_token: first.body.next_token,
    });
    assert.notEqual(first.body.next_token, '');
    const second = await call(url, 'GET', '/v1/news', { token: bob, bearer: true, query: { start_token: first.body.next_token } });
    assert.deepEqual(second.body, {
      err: '',
      events: [{ event_type: 'LINK_ADDED', username: 'alice', url: 'https://a.example/1', title: 'One', timestamp: '2026-03-01T12:00:01.000Z' }],
      next_token: '',
    });
    assert.deepEqual(state.asked.slice(-2), ['bob', 'bob']);
  });

  test("always the caller's own feed (a username in the query is ignored); an empty feed is an empty list", async () => {
    const answer = await call(url, 'GET', '/v1/news', { token: dave, query: { username: 'bob' } });
    assert.deepEqual(answer.body, { err: '', events: [], next_token: '' });
    assert.equal(state.asked.at(-1), 'dave');
  });

  test('401 without a token; 400 for a bad start_token; 503 when news-service is down', async () => {
    const anonymous = await call(url, 'GET', '/v1/news');
    assert.equal(anonymous.status, 401);
    assert.deepEqual(anonymous.body, { err: 'Access Denied!' });
    const bad = await call(url, 'GET', '/v1/news', { token: bob, query: { start_token: 'nonsense' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.err, /start token/);
    state.down = true;
    const down = await call(url, 'GET', '/v1/news', { token: bob });
    state.down = false;
    assert.equal(down.status, 503);
    assert.match(down.body.err, /news-service is unavailable/);
  });

  test('described in /openapi.json', async () => {
    const doc = (await call(url, 'GET', '/openapi.json')).body;
    const operation = doc.paths['/v1/news'].get;
    assert.deepEqual(operation.tags, ['news']);
    assert.deepEqual(operation.parameters.map((p: { name: string }) => p.name), ['start_token']);
    const event = operation.responses['200'].content['application/json'].schema.properties.events.items;
    assert.deepEqual(Object.keys(event.properties).sort(), ['event_type', 'timestamp', 'title', 'url', 'username']);
    assert.ok(operation.security.length > 0);
  });
});

describe('GET /v1/news without a news-service wired', () => {
  test('answers 503, not a crash', async () => {
    const managers = memoryManagers();
    const logger = createLogger('api-gateway-test');
    logger.level = 'silent';
    const server = await createGateway({ config: readApiGatewayConfig({ DELINKCIOUS_MUTUAL_AUTH: 'false' }), ...managers, logger });
    const url = await listen(server, '127.0.0.1', 0);
    try {
      await managers.users.register({ username: 'bob', name: 'bob', email: 'bob@example.com' });
      const token = (await managers.users.login('bob')).token;
      const answer = await call(url, 'GET', '/v1/news', { token });
      assert.equal(answer.status, 503);
      assert.deepEqual(answer.body, { err: 'the news feed is not available' });
    } finally {
      await server.close();
    }
  });
});
