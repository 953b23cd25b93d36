/** /v1/links over HTTP: inputs in every encoding, the original envelope, statuses, isolation. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startGateway, type GatewayHarness } from './support/harness.ts';

describe('/v1/links', () => {
  let gateway: GatewayHarness;
  let alice: string;
  let bob: string;

  before(async () => {
    gateway = await startGateway();
    alice = await gateway.signIn('alice');
    bob = await gateway.signIn('bob');
  });
  after(() => gateway.close());

  const list = async (token: string, query: Record<string, string> = {}) => gateway.call('GET', '/v1/links', { token, query });
  const urls = (answer: { body: { links: Array<{ Url: string }> } }) => answer.body.links.map((link) => link.Url);

  test('POST takes a JSON body and answers the link in the original shape, with 200', async () => {
    const answer = await gateway.call('POST', '/v1/links', {
      token: alice,
      json: { url: 'https://example.com/json', title: 'JSON', description: 'from a JSON body', tags: ['Go', 'k8s'] },
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.err, '');
    const link = answer.body.link;
    assert.equal(link.Url, 'https://example.com/json');
    assert.equal(link.Title, 'JSON');
    assert.equal(link.Description, 'from a JSON body');
    assert.equal(link.Status, 'pending');
    assert.deepEqual(link.Tags, { go: true, k8s: true });
    assert.ok(!Number.isNaN(Date.parse(link.CreatedAt)) && !Number.isNaN(Date.parse(link.UpdatedAt)));
  });

  test('POST takes a form body, with tags as a comma or space separated string', async () => {
    const answer = await gateway.call('POST', '/v1/links', {
      token: alice,
      form: { url: 'https://example.com/form', title: 'Form', tags: 'a, b c' },
    });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body.link.Tags, { a: true, b: true, c: true });

    const repeated = await gateway.call('POST', '/v1/links', {
      token: alice,
      form: { url: 'https://example.com/form-repeated', title: 'Form', tags: ['x', 'y'] },
    });
    assert.deepEqual(repeated.body.link.Tags, { x: true, y: true });
  });

  test('POST takes the query string, as the original smoke test sends it', async () => {
    const answer = await gateway.call('POST', '/v1/links', {
      token: alice,
      query: { url: 'https://example.com/query', title: 'Query', description: 'qs', tags: '["q1","q2"]' },
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.link.Description, 'qs');
    assert.deepEqual(answer.body.link.Tags, { q1: true, q2: true });
  });

  test('POST refuses bad input with 400 naming the field, and a duplicate with 409', async () => {
    // A missing title is accepted (docs/design.md §17); one that is not text is not.
    const badTitle = await gateway.call('POST', '/v1/links', { token: alice, json: { url: 'https://example.com/x', title: ['a', 'b'] } });
    assert.equal(badTitle.status, 400);
    assert.match(badTitle.body.err, /title/);
    const badUrl = await gateway.call('POST', '/v1/links', { token: alice, json: { url: 'ftp://example.com/x', title: 't' } });
    assert.equal(badUrl.status, 400);
    assert.match(badUrl.body.err, /url/);
    const badTags = await gateway.call('POST', '/v1/links', {
      token: alice,
      json: { url: 'https://example.com/x', title: 't', tags: [1, 2] },
    });
    assert.equal(badTags.status, 400);
    assert.match(badTags.body.err, /tags/);
    const twice = await gateway.call('POST', '/v1/links', { token: alice, json: { url: 'https://example.com/json', title: 'again' } });
    assert.equal(twice.status, 409);
    assert.match(twice.body.err, /already/);
    const notJson = await gateway.call('POST', '/v1/links', {
      token: alice,
      body: '{"url":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(notJson.status, 400);
    assert.equal(notJson.body.err, 'request body is not valid JSON');
    const array = await gateway.call('POST', '/v1/links', { token: alice, json: ['https://example.com'] });
    assert.equal(array.status, 400);
    assert.match(array.body.err, /JSON object/);
    const twiceGiven = await gateway.call('POST', '/v1/links', {
      token: alice,
      form: { url: ['https://example.com/1', 'https://example.com/2'], title: 't' },
    });
    assert.equal(twiceGiven.status, 400);
    assert.match(twiceGiven.body.err, /url was given more than once/);
  });

  test('a NUL in any text field answers 400 naming the field, in every encoding', async () => {
    const ok = { url: 'https://example.com/nul', title: 'T', description: 'd', tags: 'a b' };
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['POST', { ...ok, url: 'https://example.com/\u0000' }, /^url must not contain control characters/],
      ['POST', { ...ok, title: 'T\u0000' }, /^title must not contain control characters/],
      ['POST', { ...ok, description: 'd\u0000' }, /^description must not contain control characters/],
      ['POST', { ...ok, tags: 'a b\u0000' }, /^tags must not contain control characters/],
      ['PUT', { url: 'https://example.com/json', new_url: 'https://example.com/\u0000' }, /^new_url must not contain control characters/],
      ['PUT', { url: 'https://example.com/json', add_tags: 'x\u0000' }, /^add_tags must not contain control characters/],
      ['PUT', { url: 'https://example.com/json\u0000', title: 'x' }, /^url must not contain control characters/],
    ];
    for (const [method, fields, message] of cases) {
      for (const encoding of ['json', 'form', 'query'] as const) {
        const answer = await gateway.call(method, '/v1/links', { token: alice, [encoding]: fields });
        assert.equal(answer.status, 400, `${method} ${encoding} ${JSON.stringify(fields)}`);
        assert.match(answer.body.err, message);
      }
    }
    for (const [query, message] of [
      [{ tag: 'a\u0000' }, /^tag must not contain control characters/],
      [{ title_regex: 'a\u0000' }, /^title_regex must not contain control characters/],
    ] as const) {
      const answer = await list(alice, query);
      assert.equal(answer.status, 400, JSON.stringify(query));
      assert.match(answer.body.err, message);
    }
    const deleted = await gateway.call('DELETE', '/v1/links', { token: alice, query: { url: 'https://example.com/json\u0000' } });
    assert.equal(deleted.status, 400);
    assert.match(deleted.body.err, /^url must not contain control characters/);
  });

  test('GET answers the envelope, newest first, with filters', async () => {
    const answer = await list(alice);
    assert.equal(answer.status, 200);
    assert.deepEqual(Object.keys(answer.body).sort(), ['err', 'links', 'next_page_token']);
    assert.equal(answer.body.err, '');
    assert.equal(answer.body.next_page_token, '');
    assert.deepEqual(urls(answer), [
      'https://example.com/query',
      'https://example.com/form-repeated',
      'https://example.com/form',
      'https://example.com/json',
    ]);
    assert.deepEqual(urls(await list(alice, { tag: 'go' })), ['https://example.com/json']);
    assert.deepEqual(urls(await list(alice, { url_regex: 'form$' })), ['https://example.com/form']);
    assert.deepEqual(urls(await list(alice, { title_regex: '^Q' })), ['https://example.com/query']);
    assert.deepEqual(urls(await list(alice, { description_regex: 'JSON body' })), ['https://example.com/json']);
    const badRegex = await list(alice, { url_regex: '(' });
    assert.equal(badRegex.status, 400);
    assert.match(badRegex.body.err, /url_regex/);
  });

  test('GET pages with limit (default 10, at most 100) and start_token', async () => {
    const pager = await gateway.signIn('pager');
    for (let i = 0; i < 12; i++) {
      const added = await gateway.call('POST', '/v1/links', { token: pager, json: { url: `https://example.com/p/${i}`, title: `p${i}` } });
      assert.equal(added.status, 200);
    }
    const first = await list(pager);
    assert.equal(first.body.links.length, 10, 'default page size is 10');
    assert.notEqual(first.body.next_page_token, '');
    const second = await list(pager, { start_token: first.body.next_page_token });
    assert.deepEqual(urls(second), ['https://example.com/p/1', 'https://example.com/p/0']);
    assert.equal(second.body.next_page_token, '');
    assert.equal((await list(pager, { limit: '100' })).body.links.length, 12);
    assert.equal((await list(pager, { limit: '5' })).body.links.length, 5);
    for (const limit of ['0', '101', 'ten', '-1', '1.5']) {
      const answer = await list(pager, { limit });
      assert.equal(answer.status, 400, `limit=${limit}`);
      assert.match(answer.body.err, /limit/);
    }
    assert.equal((await list(pager, { start_token: 'garbage' })).status, 400);
  });

  test('PUT changes title, description and tags, and moves a link with new_url', async () => {
    await gateway.call('POST', '/v1/links', { token: alice, json: { url: 'https://example.com/edit', title: 'Old', tags: 'one two' } });
    const answer = await gateway.call('PUT', '/v1/links', {
      token: alice,
      json: { url: 'https://example.com/edit', title: 'New', description: 'd', add_tags: 'three', remove_tags: ['one'] },
    });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.err, '');
    assert.equal(answer.body.link.Title, 'New');
    assert.equal(answer.body.link.Description, 'd');
    assert.deepEqual(answer.body.link.Tags, { two: true, three: true });

    const form = await gateway.call('PUT', '/v1/links', { token: alice, form: { url: 'https://example.com/edit', add_tags: 'four' } });
    assert.equal(form.status, 200);
    assert.equal(form.body.link.Title, 'New', 'absent fields are unchanged');
    assert.deepEqual(form.body.link.Tags, { two: true, three: true, four: true });

    const moved = await gateway.call('PUT', '/v1/links', {
      token: alice,
      query: { url: 'https://example.com/edit', new_url: 'https://example.com/edited' },
    });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.link.Url, 'https://example.com/edited');
    assert.equal(moved.body.link.Status, 'pending');

    const noUrl = await gateway.call('PUT', '/v1/links', { token: alice, json: { title: 'x' } });
    assert.equal(noUrl.status, 400);
    assert.match(noUrl.body.err, /url is required/);
    const missing = await gateway.call('PUT', '/v1/links', { token: alice, json: { url: 'https://example.com/none', title: 'x' } });
    assert.equal(missing.status, 404);
    const clash = await gateway.call('PUT', '/v1/links', {
      token: alice,
      json: { url: 'https://example.com/edited', new_url: 'https://example.com/json' },
    });
    assert.equal(clash.status, 409);
  });

  test('DELETE takes url from the query or the body; a missing link is 404', async () => {
    await gateway.call('POST', '/v1/links', { token: alice, json: { url: 'https://example.com/del1', title: 'd' } });
    await gateway.call('POST', '/v1/links', { token: alice, json: { url: 'https://example.com/del2', title: 'd' } });
    const byQuery = await gateway.call('DELETE', '/v1/links', { token: alice, query: { url: 'https://example.com/del1' } });
    assert.equal(byQuery.status, 200);
    assert.deepEqual(byQuery.body, { err: '' });
    const byBody = await gateway.call('DELETE', '/v1/links', { token: alice, json: { url: 'https://example.com/del2' } });
    assert.equal(byBody.status, 200);
    const again = await gateway.call('DELETE', '/v1/links', { token: alice, query: { url: 'https://example.com/del1' } });
    assert.equal(again.status, 404);
    assert.ok(again.body.err);
    const noUrl = await gateway.call('DELETE', '/v1/links', { token: alice, headers: { 'content-type': 'application/json' } });
    assert.equal(noUrl.status, 400, 'an empty JSON body is no body, and url is then missing');
    assert.match(noUrl.body.err, /url is required/);
    assert.ok(!urls(await list(alice, { limit: '100' })).some((url) => url.includes('/del')));
  });

  test('a user only ever sees and changes their own links', async () => {
    const added = await gateway.call('POST', '/v1/links', {
      token: bob,
      json: { url: 'https://example.com/json', title: 'Bob too', username: 'alice' },
    });
    assert.equal(added.status, 200, 'the same URL is fine for another user; a username in the input is ignored');
    assert.deepEqual(urls(await list(bob)), ['https://example.com/json']);
    const aliceJson = (await list(alice, { url_regex: 'json$' })).body.links[0];
    assert.equal(aliceJson.Title, 'JSON', "alice's link is untouched");

    const bobEdits = await gateway.call('PUT', '/v1/links', { token: bob, json: { url: 'https://example.com/form', title: 'pwned' } });
    assert.equal(bobEdits.status, 404, "bob cannot reach alice's link");
    const bobDeletes = await gateway.call('DELETE', '/v1/links', { token: bob, query: { url: 'https://example.com/form', username: 'alice' } });
    assert.equal(bobDeletes.status, 404);
    assert.ok(urls(await list(alice, { limit: '100' })).includes('https://example.com/form'));
    assert.deepEqual(urls(await list(bob, { username: 'alice' })), ['https://example.com/json'], 'username in the query is ignored');
  });
});
