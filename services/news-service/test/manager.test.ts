/** Reading a feed: pages, newest first, with tokens that do not shift. */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ValidationError } from '@delinkcious/object-model';
import { DefaultSocialGraphManager, MemorySocialGraphStore } from '@delinkcious/social-graph-service';
import { FeedFanOut } from '../src/fanout.ts';
import { DefaultNewsManager } from '../src/manager.ts';
import { MemoryNewsStore } from '../src/stores/memory-news-store.ts';
import { linkEvent } from './support/news-harness.ts';

let graph: DefaultSocialGraphManager;
let fanOut: FeedFanOut;
let news: DefaultNewsManager;

function setup(options: { pageSize?: number } = {}) {
  const store = new MemoryNewsStore({ feedMax: 1000 });
  graph = new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() });
  fanOut = new FeedFanOut({ store, socialGraph: graph });
  news = new DefaultNewsManager({ store, ...options });
}

describe('NewsManager.getNews', () => {
  beforeEach(() => setup({ pageSize: 10 }));

  test('pages of 10, newest first, with an opaque next token, empty on the last page', async () => {
    await graph.follow('alice', 'bob');
    for (let n = 1; n <= 25; n++) await fanOut.handleLinkEvent(linkEvent('link.added', 'alice', `https://a.example/${n}`, n));
    const seen: string[] = [];
    const tokens: string[] = [];
    let token: string | undefined;
    do {
      const page = await news.getNews('bob', token);
      seen.push(...page.events.map((e) => e.url));
      tokens.push(page.nextToken);
      token = page.nextToken || undefined;
    } while (token);
    assert.equal(tokens.length, 3);
    assert.equal(tokens[2], '');
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `https://a.example/${25 - i}`));
  });

  test('a feed of exactly one page has no next token; news arriving between pages does not shift them', async () => {
    await graph.follow('alice', 'bob');
    for (let n = 1; n <= 20; n++) await fanOut.handleLinkEvent(linkEvent('link.added', 'alice', `https://a.example/${n}`, n));
    const first = await news.getNews('bob');
    assert.notEqual(first.nextToken, '');
    await fanOut.handleLinkEvent(linkEvent('link.added', 'alice', 'https://a.example/new', 100));
    const second = await news.getNews('bob', first.nextToken);
    assert.deepEqual(second.events.map((e) => e.url), Array.from({ length: 10 }, (_, i) => `https://a.example/${10 - i}`));
    assert.equal(second.nextToken, '');
  });

  test('unknown user: an empty list; bad input: ValidationError', async () => {
    assert.deepEqual(await news.getNews('stranger'), { events: [], nextToken: '' });
    await assert.rejects(news.getNews(''), ValidationError);
    await assert.rejects(news.getNews('bob', 'not-a-token'), /start token/);
    await assert.rejects(news.getNews('bob', Buffer.from('[1,2]').toString('base64url')), ValidationError);
  });
});
