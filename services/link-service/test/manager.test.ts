import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '@delinkcious/object-model';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';

let clock = 0;
let store: MemoryLinkStore;
let changes = 0;
/** What each onChange said it was ('checks', or '' for a change of links). */
let changeKinds: string[] = [];
let manager: DefaultLinkManager;
/** The events committed with the changes, as the outbox holds them. */
const events = { get events() { return store.outbox; } };

function setup(options: { maxLinksPerUser?: number; scanBudget?: number } = {}) {
  clock = Date.parse('2026-03-01T00:00:00Z');
  store = new MemoryLinkStore();
  changes = 0;
  changeKinds = [];
  manager = new DefaultLinkManager({
    store,
    onChange: (change) => {
      changes++;
      changeKinds.push(change ?? '');
    },
    maxLinksPerUser: options.maxLinksPerUser ?? 1000,
    scanBudget: options.scanBudget,
    now: () => new Date((clock += 1000)),
  });
}

const add = (url: string, extra: Record<string, unknown> = {}) =>
  manager.addLink({ username: 'alice', url, title: `T ${url}`, ...extra });

describe('LinkManager.addLink', () => {
  beforeEach(() => setup());

  test('stores a pending link with trimmed fields and normalised tags, and emits link.added with the author', async () => {
    const link = await manager.addLink({
      username: ' alice ',
      url: ' https://example.com/a ',
      title: '  A title ',
      description: 'about a',
      tags: [' Go ', 'k8s', 'GO', ''],
    });
    assert.equal(link.url, 'https://example.com/a');
    assert.equal(link.title, 'A title');
    assert.equal(link.description, 'about a');
    assert.equal(link.status, 'pending');
    assert.deepEqual(link.tags, ['go', 'k8s']);
    assert.equal(events.events.length, 1);
    const [event] = events.events;
    assert.equal(event?.type, 'link.added');
    assert.equal(event?.username, 'alice');
    assert.deepEqual(event?.link, { url: 'https://example.com/a', title: 'A title', description: 'about a', status: 'pending', tags: ['go', 'k8s'] });
    assert.match(event?.id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(event?.timestamp, link.createdAt.toISOString());
    assert.equal(changes, 1, 'the relay is woken after the commit');
  });

  test('accepts tags as a comma- or space-separated string and as the original map', async () => {
    assert.deepEqual((await add('https://e.com/1', { tags: 'a, b c,,d' })).tags, ['a', 'b', 'c', 'd']);
    assert.deepEqual((await add('https://e.com/2', { tags: { x: true, y: true, z: false } })).tags, ['x', 'y']);
    assert.deepEqual((await add('https://e.com/3', { tags: ['two words', 'a,b'] })).tags, ['two', 'words', 'a', 'b'], 'array items are split too');
  });

  const badInputs: Array<[string, Record<string, unknown>, RegExp]> = [
    ['missing username', { username: '' }, /username is required/],
    ['missing url', { url: '' }, /url is required/],
    ['a non-URL', { url: 'not a url' }, /url is not a valid URL/],
    ['a javascript: URL', { url: 'javascript:alert(1)' }, /url must be an http or https URL, not javascript/],
    ['an ftp URL', { url: 'ftp://example.com/f' }, /url must be an http or https URL, not ftp/],
    ['a URL over 2048 characters', { url: `https://e.com/${'a'.repeat(2040)}` }, /url is longer than 2048/],
    // A missing title is fine (docs/design.md §17: the page's fills it in); one that is not text is not.
    ['a title that is not text', { title: 42 }, /title must be text/],
    ['a title over 512 characters', { title: 't'.repeat(513) }, /title is longer than 512/],
    ['a description over 8192 characters', { description: 'd'.repeat(8193) }, /description is longer than 8192/],
    ['a description that is not text', { description: 42 }, /description must be text/],
    ['a tag over 64 characters', { tags: ['t'.repeat(65)] }, /longer than 64/],
    ['a tag holding NUL', { tags: ['a\u0000b'] }, /^tags must not contain control characters/],
    ['a title holding NUL', { title: 'a\u0000b' }, /^title must not contain control characters/],
    ['a URL holding NUL', { url: 'https://e.com/\u0000' }, /^url must not contain control characters/],
    ['a description holding NUL', { description: 'a\u0000b' }, /^description must not contain control characters/],
    ['a username that is not a GitHub login', { username: 'under_score' }, /^username may only contain letters, digits and single hyphens/],
    ['more than 64 tags', { tags: Array.from({ length: 65 }, (_, i) => `t${i}`) }, /at most 64 tags/],
    ['tags that are not text', { tags: [1, 2] }, /must contain only text/],
  ];
  for (const [name, override, message] of badInputs) {
    test(`refuses ${name} with a ValidationError naming the problem, storing and emitting nothing`, async () => {
      const request = { username: 'alice', url: 'https://example.com/ok', title: 'ok', ...override };
      await assert.rejects(manager.addLink(request as never), (error: unknown) => {
        assert.ok(error instanceof ValidationError, `expected ValidationError, got ${String(error)}`);
        assert.match(error.message, message);
        return true;
      });
      assert.equal(events.events.length, 0);
      assert.equal((await manager.getLinks({ username: 'alice' })).links.length, 0);
    });
  }

  test('the same user saving the same URL twice is a conflict; another user may save it', async () => {
    await add('https://dup.example/');
    await assert.rejects(add('https://dup.example/'), (error: unknown) => error instanceof ConflictError && /already saved/.test(error.message));
    await manager.addLink({ username: 'bob', url: 'https://dup.example/', title: 'x' });
    assert.equal(events.events.length, 2);
  });

  test('MAX_LINKS_PER_USER is enforced with a clear error', async () => {
    setup({ maxLinksPerUser: 2 });
    await add('https://e.com/1');
    await add('https://e.com/2');
    await assert.rejects(add('https://e.com/3'), (error: unknown) => error instanceof ForbiddenError && /limit of 2 links/.test(error.message));
    assert.equal(events.events.length, 2);
  });
});

describe('LinkManager.getLinks', () => {
  beforeEach(() => setup());

  test('answers the user’s links newest first, ten by default, with an opaque token to the next page', async () => {
    for (let i = 1; i <= 12; i++) await add(`https://e.com/${i}`);
    await manager.addLink({ username: 'bob', url: 'https://bob.example/', title: 'b' });
    const first = await manager.getLinks({ username: 'alice' });
    assert.equal(first.links.length, 10);
    assert.equal(first.links[0]?.url, 'https://e.com/12');
    assert.notEqual(first.nextPageToken, '');
    assert.doesNotMatch(first.nextPageToken, /^\d+$/, 'the token is not a bare id');
    const second = await manager.getLinks({ username: 'alice', startToken: first.nextPageToken });
    assert.deepEqual(second.links.map((l) => l.url), ['https://e.com/2', 'https://e.com/1']);
    assert.equal(second.nextPageToken, '', 'empty on the last page');
  });

  test('a page exactly filled has no next page', async () => {
    for (let i = 1; i <= 3; i++) await add(`https://e.com/${i}`);
    const page = await manager.getLinks({ username: 'alice', limit: 3 });
    assert.equal(page.links.length, 3);
    assert.equal(page.nextPageToken, '');
  });

  test('limit must be 1 to 100; a malformed token is refused', async () => {
    for (const limit of [0, 101, 2.5, -1]) {
      await assert.rejects(manager.getLinks({ username: 'alice', limit }), /limit must be a whole number from 1 to 100/);
    }
    await assert.rejects(manager.getLinks({ username: 'alice', startToken: 'garbage!' }), /start_token is not a valid page token/);
    await assert.rejects(manager.getLinks({ username: '' }), ValidationError);
  });

  test('filters by tag (case-insensitively) and by regex on url, title and description', async () => {
    await add('https://go.dev/', { title: 'Go', description: 'the language', tags: ['lang', 'go'] });
    await add('https://kubernetes.io/', { title: 'Kubernetes', description: 'orchestration', tags: ['k8s'] });
    await add('https://nodejs.org/', { title: 'Node.js', description: 'a runtime for the language JS', tags: ['lang'] });
    const urls = async (request: Record<string, unknown>) =>
      (await manager.getLinks({ username: 'alice', ...request })).links.map((l) => l.url);
    assert.deepEqual(await urls({ tag: 'LANG' }), ['https://nodejs.org/', 'https://go.dev/']);
    assert.deepEqual(await urls({ urlRegex: '\\.(io|dev)/$' }), ['https://kubernetes.io/', 'https://go.dev/']);
    assert.deepEqual(await urls({ titleRegex: '^K' }), ['https://kubernetes.io/']);
    assert.deepEqual(await urls({ descriptionRegex: 'language', tag: 'lang', titleRegex: 'Go' }), ['https://go.dev/']);
    assert.deepEqual(await urls({ titleRegex: '(?i)^node' }), ['https://nodejs.org/']);
  });

  test('an invalid or overlong pattern is a ValidationError naming the parameter', async () => {
    await assert.rejects(manager.getLinks({ username: 'alice', urlRegex: '(unclosed' }), /url_regex is not a valid regular expression/);
    await assert.rejects(manager.getLinks({ username: 'alice', titleRegex: '(a)\\1' }), /title_regex is not a valid regular expression/);
    await assert.rejects(manager.getLinks({ username: 'alice', descriptionRegex: 'a'.repeat(257) }), /description_regex is longer than 256/);
  });

  test('a catastrophic-backtracking pattern is matched in linear time', async () => {
    await add(`https://e.com/${'a'.repeat(2000)}!`, { title: 'long' });
    const started = performance.now();
    const result = await manager.getLinks({ username: 'alice', urlRegex: '(a+)+$' });
    assert.equal(result.links.length, 0);
    // A backtracking engine needs astronomically long here; bounded means well under a second.
    assert.ok(performance.now() - started < 1000);
  });

  test('regex pages hold `limit` matches and chain to the end without loss or repeats', async () => {
    for (let i = 1; i <= 30; i++) await add(`https://e.com/${i % 3 === 0 ? 'match' : 'other'}/${i}`);
    const seen: string[] = [];
    let token = '';
    do {
      const page = await manager.getLinks({ username: 'alice', urlRegex: 'match', limit: 4, startToken: token });
      seen.push(...page.links.map((l) => l.url));
      token = page.nextPageToken;
    } while (token);
    assert.deepEqual(seen, [30, 27, 24, 21, 18, 15, 12, 9, 6, 3].map((i) => `https://e.com/match/${i}`));
  });

  test('the scan budget bounds one request; the token carries on from where it stopped', async () => {
    setup({ scanBudget: 10 });
    for (let i = 1; i <= 25; i++) await add(`https://e.com/${i === 1 ? 'needle' : 'hay'}/${i}`);
    const first = await manager.getLinks({ username: 'alice', urlRegex: 'needle' });
    assert.deepEqual(first.links, []);
    assert.notEqual(first.nextPageToken, '', 'more links remain to be examined');
    const second = await manager.getLinks({ username: 'alice', urlRegex: 'needle', startToken: first.nextPageToken });
    const third = await manager.getLinks({ username: 'alice', urlRegex: 'needle', startToken: second.nextPageToken });
    assert.deepEqual(third.links.map((l) => l.url), ['https://e.com/needle/1']);
    assert.equal(third.nextPageToken, '');
  });
});

describe('LinkManager.updateLink', () => {
  beforeEach(() => setup());

  test('changes title and description, adds and removes tags, and emits link.updated', async () => {
    await add('https://e.com/', { tags: 'a b' });
    const link = await manager.updateLink({
      username: 'alice',
      url: 'https://e.com/',
      title: 'New',
      description: 'D',
      addTags: ['C', 'b'],
      removeTags: ['a'],
    });
    assert.equal(link.title, 'New');
    assert.equal(link.description, 'D');
    assert.deepEqual(link.tags, ['b', 'c']);
    assert.ok(link.updatedAt > link.createdAt);
    assert.equal(events.events.at(-1)?.type, 'link.updated');
    assert.equal(events.events.at(-1)?.link.title, 'New');
    assert.equal(events.events.at(-1)?.previousUrl, undefined);
  });

  test('a new URL makes the link pending again and the event names the previous URL', async () => {
    await add('https://old.example/');
    await manager.applyCheckResult({ url: 'https://old.example/', status: 'valid', checkedAt: new Date(clock + 10) });
    assert.equal((await manager.getLinks({ username: 'alice' })).links[0]?.status, 'valid');
    const link = await manager.updateLink({ username: 'alice', url: 'https://old.example/', newUrl: 'https://new.example/' });
    assert.equal(link.url, 'https://new.example/');
    assert.equal(link.status, 'pending');
    assert.equal(events.events.at(-1)?.previousUrl, 'https://old.example/');
    // A late result for the old URL no longer applies to the moved link.
    assert.equal(await manager.applyCheckResult({ url: 'https://old.example/', status: 'invalid', checkedAt: new Date(clock + 20) }), 0);
  });

  test('an update that changes nothing emits nothing', async () => {
    await add('https://e.com/', { tags: 'a' });
    await manager.updateLink({ username: 'alice', url: 'https://e.com/', title: 'T https://e.com/', addTags: ['a'] });
    assert.equal(events.events.length, 1);
  });

  test('unknown link → NotFoundError; another user’s link is not found either', async () => {
    await add('https://e.com/');
    await assert.rejects(manager.updateLink({ username: 'alice', url: 'https://none/' , title: 'x' }), NotFoundError);
    await assert.rejects(manager.updateLink({ username: 'bob', url: 'https://e.com/', title: 'x' }), NotFoundError);
    assert.equal((await manager.getLinks({ username: 'alice' })).links[0]?.title, 'T https://e.com/');
  });

  test('moving onto a URL the user has is a conflict; bad new values are refused', async () => {
    await add('https://a.example/');
    await add('https://b.example/');
    await assert.rejects(manager.updateLink({ username: 'alice', url: 'https://a.example/', newUrl: 'https://b.example/' }), ConflictError);
    await assert.rejects(manager.updateLink({ username: 'alice', url: 'https://a.example/', newUrl: 'file:///etc/passwd' }), /new_url must be an http or https URL/);
    await assert.rejects(manager.updateLink({ username: 'alice', url: 'https://a.example/', title: 'x'.repeat(600) }), /title is longer/);
    await assert.rejects(manager.updateLink({ username: 'alice', url: '' }), /url is required/);
  });

  test('adding tags past 64 is refused and leaves the link unchanged', async () => {
    await add('https://e.com/', { tags: Array.from({ length: 60 }, (_, i) => `t${i}`) });
    await assert.rejects(
      manager.updateLink({ username: 'alice', url: 'https://e.com/', addTags: ['x1', 'x2', 'x3', 'x4', 'x5'] }),
      /at most 64 tags/,
    );
    assert.equal((await manager.getLinks({ username: 'alice' })).links[0]?.tags.length, 60);
  });
});

describe('LinkManager.deleteLink and applyCheckResult', () => {
  beforeEach(() => setup());

  test('delete removes the link and emits link.deleted with what was deleted', async () => {
    await add('https://e.com/', { tags: 'x' });
    await manager.deleteLink('alice', 'https://e.com/');
    assert.deepEqual((await manager.getLinks({ username: 'alice' })).links, []);
    const event = events.events.at(-1);
    assert.equal(event?.type, 'link.deleted');
    assert.equal(event?.username, 'alice');
    assert.deepEqual(event?.link.tags, ['x']);
  });

  test('deleting a missing or another user’s link is NotFoundError', async () => {
    await add('https://e.com/');
    await assert.rejects(manager.deleteLink('bob', 'https://e.com/'), NotFoundError);
    await assert.rejects(manager.deleteLink('alice', 'https://other/'), NotFoundError);
    assert.equal((await manager.getLinks({ username: 'alice' })).links.length, 1);
  });

  test('applyCheckResult updates every user’s link with that URL, ignores stale results and bad statuses', async () => {
    await add('https://shared.example/');
    await manager.addLink({ username: 'bob', url: 'https://shared.example/', title: 'b' });
    const t = new Date(clock + 100);
    assert.equal(await manager.applyCheckResult({ url: 'https://shared.example/', status: 'invalid', checkedAt: t }), 2);
    assert.equal(await manager.applyCheckResult({ url: 'https://shared.example/', status: 'valid', checkedAt: new Date(t.getTime() - 1) }), 0);
    assert.equal((await manager.getLinks({ username: 'bob' })).links[0]?.status, 'invalid');
    await assert.rejects(manager.applyCheckResult({ url: 'https://shared.example/', status: 'pending' as never, checkedAt: t }), ValidationError);
  });

  test('a change by check results says so (the search statistics skip it); a save does not', async () => {
    await add('https://told.example/');
    assert.deepEqual(changeKinds, ['']);
    assert.equal(await manager.applyCheckResult({ url: 'https://told.example/', status: 'valid', checkedAt: new Date(clock + 100) }), 1);
    assert.deepEqual(changeKinds, ['', 'checks']);
    // A stale result changes nothing and says nothing.
    assert.equal(await manager.applyCheckResult({ url: 'https://told.example/', status: 'invalid', checkedAt: new Date(clock - 100) }), 0);
    assert.deepEqual(changeKinds, ['', 'checks']);
  });
});
