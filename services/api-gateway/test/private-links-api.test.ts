/** /v1/links private, /v1/settings and /v1/popular over HTTP: inputs in every encoding, the default, bad input. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UserManager } from '@delinkcious/object-model';
import { memoryManagers, startGateway, type GatewayHarness } from './support/harness.ts';

describe('private links, settings and popular over /v1', () => {
  let gateway: GatewayHarness;
  let settingsReads = 0;
  let alice: string;
  let bob: string;
  let carol: string;

  before(async () => {
    const managers = memoryManagers();
    // Counts the settings reads: the default is read only when a request leaves `private` out.
    const users = new Proxy(managers.users, {
      get(target, name, receiver) {
        if (name === 'getSettings') settingsReads++;
        const value = Reflect.get(target, name, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as UserManager;
    gateway = await startGateway({ ...managers, users });
    [alice, bob, carol] = [await gateway.signIn('alice'), await gateway.signIn('bob'), await gateway.signIn('carol')];
  });
  after(() => gateway.close());

  /** The fields of a settings answer this part owns (others add theirs to the same answer). */
  const mine = (body: { err: string; default_private: boolean }) => ({ err: body.err, default_private: body.default_private });

  const post = (token: string, fields: Record<string, unknown>, how: 'json' | 'form' | 'query' = 'json') =>
    gateway.call('POST', '/v1/links', how === 'query' ? { token, query: fields as Record<string, string> } : { token, [how]: fields });

  test('private is taken as a JSON boolean, or true/false/yes/no in forms and query strings', async () => {
    const cases: Array<[Record<string, unknown>, 'json' | 'form' | 'query', boolean]> = [
      [{ private: true }, 'json', true],
      [{ private: false }, 'json', false],
      [{ private: 'yes' }, 'form', true],
      [{ private: 'no' }, 'form', false],
      [{ private: 'true' }, 'query', true],
      [{ private: 'FALSE' }, 'query', false],
    ];
    for (const [i, [fields, how, expected]] of cases.entries()) {
      const answer = await post(alice, { url: `https://flags.example/${i}`, title: 'flag', ...fields }, how);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.body.link.Private, expected, `${how} ${JSON.stringify(fields)}`);
      assert.equal(answer.body.link.SavedBy, 0);
    }
  });

  test('private=maybe is a 400 naming private, on POST and PUT', async () => {
    const bad = await post(alice, { url: 'https://maybe.example/', title: 'maybe', private: 'maybe' }, 'query');
    assert.equal(bad.status, 400);
    assert.match(bad.body.err, /^private must be true or false/);
    const badPut = await gateway.call('PUT', '/v1/links', { token: alice, json: { url: 'https://flags.example/0', private: 'maybe' } });
    assert.equal(badPut.status, 400);
    assert.match(badPut.body.err, /private/);
  });

  test('settings: default_private starts false, is changed by PUT (JSON or form) and applies to new links without private', async () => {
    const initial = await gateway.call('GET', '/v1/settings', { token: bob });
    assert.equal(initial.status, 200, initial.text);
    assert.deepEqual(mine(initial.body), { err: '', default_private: false });

    const changed = await gateway.call('PUT', '/v1/settings', { token: bob, json: { default_private: true } });
    assert.deepEqual(mine(changed.body), { err: '', default_private: true });
    assert.deepEqual(mine((await gateway.call('GET', '/v1/settings', { token: bob })).body), { err: '', default_private: true });

    const before = settingsReads;
    const defaulted = await post(bob, { url: 'https://default.example/', title: 'd' });
    assert.equal(defaulted.body.link.Private, true, 'the default applies');
    assert.equal(settingsReads, before + 1);
    const explicit = await post(bob, { url: 'https://explicit.example/', title: 'e', private: false });
    assert.equal(explicit.body.link.Private, false, 'an explicit private wins');
    assert.equal(settingsReads, before + 1, 'no settings read when the request says');

    const form = await gateway.call('PUT', '/v1/settings', { token: bob, form: { default_private: 'no' } });
    assert.deepEqual(mine(form.body), { err: '', default_private: false });
    const bad = await gateway.call('PUT', '/v1/settings', { token: bob, json: { default_private: 'sometimes' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.err, /^default_private must be true or false/);
    const unchanged = await gateway.call('PUT', '/v1/settings', { token: bob, json: {} });
    assert.deepEqual(mine(unchanged.body), { err: '', default_private: false }, 'an empty PUT changes nothing');
  });

  test('SavedBy counts the other users who saved the URL publicly; PUT private toggles it', async () => {
    await post(alice, { url: 'https://shared.example/', title: 'alice', private: false });
    await post(bob, { url: 'https://shared.example/', title: 'bob', private: false });
    await post(carol, { url: 'https://shared.example/', title: 'carol', private: true });
    const savedBy = async () =>
      (await gateway.call('GET', '/v1/links', { token: alice, query: { url_regex: 'shared' } })).body.links[0].SavedBy as number;
    assert.equal(await savedBy(), 1);
    const hidden = await gateway.call('PUT', '/v1/links', { token: bob, form: { url: 'https://shared.example/', private: 'yes' } });
    assert.equal(hidden.body.link.Private, true);
    assert.equal(await savedBy(), 0);
    await gateway.call('PUT', '/v1/links', { token: carol, json: { url: 'https://shared.example/', private: false } });
    assert.equal(await savedBy(), 1);
  });

  test('popular lists what the people you follow saved publicly, and refuses days outside 1–90', async () => {
    const dave = await gateway.signIn('dave');
    for (const followed of ['alice', 'bob', 'carol']) {
      assert.equal((await gateway.call('POST', '/v1/following', { token: dave, json: { followed } })).status, 200);
    }
    await post(alice, { url: 'https://hot.example/', title: 'Hot from alice', private: false });
    await post(carol, { url: 'https://hot.example/', title: 'Hot from carol', private: false });
    await post(bob, { url: 'https://hot.example/', title: 'Secret', private: true });

    const answer = await gateway.call('GET', '/v1/popular', { token: dave, query: { days: '7' } });
    assert.equal(answer.status, 200, answer.text);
    const hot = answer.body.links.find((link: { Url: string }) => link.Url === 'https://hot.example/');
    assert.deepEqual(hot, { Url: 'https://hot.example/', Title: 'Hot from carol', SavedBy: 2, Usernames: ['alice', 'carol'] });
    assert.equal(answer.body.links[0].Url, 'https://hot.example/', 'most savers first');
    for (const link of answer.body.links as Array<{ Title: string; Usernames: string[] }>) {
      assert.notEqual(link.Title, 'Secret');
    }
    assert.equal((await gateway.call('GET', '/v1/popular', { token: dave })).status, 200, 'days defaults to 7');

    for (const days of ['0', '91', 'week']) {
      const bad = await gateway.call('GET', '/v1/popular', { token: dave, query: { days } });
      assert.equal(bad.status, 400, days);
      assert.match(bad.body.err, /^days must be a whole number from 1 to 90/);
    }
    const nobody = await gateway.call('GET', '/v1/popular', { token: await gateway.signIn('erin') });
    assert.deepEqual(nobody.body, { err: '', links: [] }, 'following nobody: nothing');
  });

  test('settings and popular need a token', async () => {
    for (const path of ['/v1/settings', '/v1/popular']) assert.equal((await gateway.call('GET', path)).status, 401);
  });
});
