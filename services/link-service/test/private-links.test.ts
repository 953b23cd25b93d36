/** LinkManager and private links: what followers hear, what others see, "who else saved it" and the popular list. */
import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { ValidationError, popularLimits } from '@delinkcious/object-model';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';

let clock = 0;
let store: MemoryLinkStore;
let manager: DefaultLinkManager;
const day = 24 * 60 * 60 * 1000;

beforeEach(() => {
  clock = Date.parse('2026-03-01T00:00:00Z');
  store = new MemoryLinkStore();
  manager = new DefaultLinkManager({ store, maxLinksPerUser: 1000, now: () => new Date((clock += 1000)) });
});

const add = (username: string, url: string, extra: Record<string, unknown> = {}) =>
  manager.addLink({ username, url, title: `T ${url}`, ...extra });
const eventTypes = () => store.outbox.map((event) => `${event.type} ${event.link.url}`);

describe('LinkManager: private links and their events', () => {
  test('a private link is stored as private and emits nothing; a public one emits link.added', async () => {
    assert.equal((await add('alice', 'https://secret.example/', { private: true })).private, true);
    assert.equal((await add('alice', 'https://open.example/')).private, false, 'absent is public');
    assert.deepEqual(eventTypes(), ['link.added https://open.example/']);
  });

  test('private accepts true/false/yes/no as text, and refuses anything else naming the field', async () => {
    assert.equal((await add('alice', 'https://a.example/', { private: 'yes' })).private, true);
    assert.equal((await add('alice', 'https://b.example/', { private: 'No' })).private, false);
    await assert.rejects(add('alice', 'https://c.example/', { private: 'maybe' }), (error: Error) => {
      assert.ok(error instanceof ValidationError);
      assert.match(error.message, /^private must be true or false/);
      return true;
    });
    await assert.rejects(manager.updateLink({ username: 'alice', url: 'https://a.example/', private: 1 as unknown as boolean }), /private must be/);
  });

  test('changing a private link emits nothing; making it public publishes it; making it private again retracts it', async () => {
    await add('alice', 'https://x.example/', { private: true });
    await manager.updateLink({ username: 'alice', url: 'https://x.example/', title: 'edited in private' });
    assert.deepEqual(eventTypes(), []);

    const published = await manager.updateLink({ username: 'alice', url: 'https://x.example/', private: false });
    assert.equal(published.private, false);
    await manager.updateLink({ username: 'alice', url: 'https://x.example/', title: 'public edit' });
    const retracted = await manager.updateLink({ username: 'alice', url: 'https://x.example/', private: true, title: 'secret title' });
    assert.equal(retracted.private, true);
    assert.deepEqual(eventTypes(), ['link.added https://x.example/', 'link.updated https://x.example/', 'link.deleted https://x.example/']);
    const deleted = store.outbox.at(-1)!;
    assert.equal(deleted.link.title, 'public edit', 'the retraction carries what followers saw, not the new private title');
    assert.equal(deleted.username, 'alice');

    await manager.deleteLink('alice', 'https://x.example/');
    assert.equal(store.outbox.length, 3, 'deleting a private link tells nobody');
  });

  test('moving a public link while making it private retracts the old URL', async () => {
    await add('alice', 'https://old.example/');
    await manager.updateLink({ username: 'alice', url: 'https://old.example/', newUrl: 'https://new.example/', private: true });
    assert.deepEqual(eventTypes(), ['link.added https://old.example/', 'link.deleted https://old.example/']);
  });
});

describe('LinkManager: public links, counts and SavedBy', () => {
  test('getPublicLinks shows only public links, with the filters and paging of getLinks', async () => {
    await add('alice', 'https://p1.example/', { tags: 'news' });
    await add('alice', 'https://hidden.example/', { private: true, tags: 'news' });
    await add('alice', 'https://p2.example/', { tags: 'news' });
    const first = await manager.getPublicLinks({ username: 'Alice', tag: 'news', limit: 1 });
    assert.deepEqual(first.links.map((l) => l.url), ['https://p2.example/']);
    const second = await manager.getPublicLinks({ username: 'alice', tag: 'news', limit: 1, startToken: first.nextPageToken });
    assert.deepEqual(second.links.map((l) => l.url), ['https://p1.example/']);
    assert.equal(second.nextPageToken, '');
    const regex = await manager.getPublicLinks({ username: 'alice', urlRegex: 'hidden|p1' });
    assert.deepEqual(regex.links.map((l) => l.url), ['https://p1.example/']);
    assert.equal(await manager.countPublicLinks('ALICE'), 2);
    assert.equal((await manager.getLinks({ username: 'alice' })).links.length, 3, 'the owner sees all');
  });

  test('SavedBy counts other users’ public saves of the URL', async () => {
    await add('alice', 'https://same.example/');
    await add('bob', 'https://same.example/');
    await add('carol', 'https://same.example/', { private: true });
    const [alices] = (await manager.getLinks({ username: 'alice' })).links;
    assert.equal(alices!.savedBy, 1);
    await manager.updateLink({ username: 'bob', url: 'https://same.example/', private: true });
    assert.equal((await manager.getLinks({ username: 'alice' })).links[0]!.savedBy, 0);
  });
});

describe('LinkManager.getPopular', () => {
  test('ranks the given users’ recent public saves, and checks days', async () => {
    await add('bob', 'https://old.example/');
    await add('carol', 'https://old.example/');
    clock += 10 * day;
    await add('bob', 'https://hot.example/');
    await add('carol', 'https://hot.example/', { title: 'Hot' });
    await add('dave', 'https://hot.example/', { private: true });
    await add('dave', 'https://one.example/');
    const popular = await manager.getPopular({ usernames: ['Bob', 'carol', 'dave', 'bob'], days: 7 });
    assert.deepEqual(popular, [
      { url: 'https://hot.example/', title: 'Hot', savedBy: 2, usernames: ['bob', 'carol'] },
      { url: 'https://one.example/', title: 'T https://one.example/', savedBy: 1, usernames: ['dave'] },
    ]);
    assert.equal((await manager.getPopular({ usernames: ['bob', 'carol'], days: 30 }))[0]!.savedBy, 2);
    assert.equal((await manager.getPopular({ usernames: ['bob', 'carol'], days: 30 })).length, 2, 'old.example/ within 30 days');
    for (const days of [0, 91, 1.5]) {
      await assert.rejects(manager.getPopular({ usernames: ['bob'], days }), /^ValidationError: days must be a whole number from 1 to 90/);
    }
  });

  test('considers at most popularLimits.users of the users asked about', async () => {
    const many = Array.from({ length: popularLimits.users }, (_, i) => `u${i}`);
    await add('late', 'https://late.example/');
    assert.deepEqual(await manager.getPopular({ usernames: [...many, 'late'], days: 7 }), []);
    assert.equal((await manager.getPopular({ usernames: ['late', ...many], days: 7 })).length, 1);
  });
});
