/**
 * The original Delinkcious Go link_manager_client, request for request: every
 * body untyped JSON, chunked, on GET and DELETE too; tags as the original's map
 * or null. Mutual auth is off, as the original ran.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { listen } from '@delinkcious/kit';
import { quietServiceServer, sendAsGoClient } from '@delinkcious/testing';
import { DefaultLinkManager } from '../src/manager.ts';
import { MemoryLinkStore } from '../src/stores/memory-link-store.ts';
import { registerLinkRoutes } from '../src/transport/http.ts';

let server: FastifyInstance;
let base: string;

before(async () => {
  server = quietServiceServer('link-service');
  registerLinkRoutes(server, new DefaultLinkManager({ store: new MemoryLinkStore(), maxLinksPerUser: 100 }));
  base = await listen(server, '127.0.0.1', 0);
});
after(() => server.close());

interface WireLink {
  Url: string;
  Title: string;
  Description: string;
  Tags: Record<string, boolean>;
  Status: string;
}

async function getLinks(username: string): Promise<WireLink[]> {
  const answer = await sendAsGoClient(base, 'GET', `/links?description=&start=&tag=&title=&url=&username=${username}`, {
    UrlRegex: '',
    TitleRegex: '',
    DescriptionRegex: '',
    Username: username,
    Tag: '',
    StartToken: '',
  });
  assert.equal(answer.status, 200, answer.body);
  const body = JSON.parse(answer.body) as { err: string; links: WireLink[] };
  assert.equal(body.err, '');
  return body.links;
}

describe("the original Go client's requests to link-service", () => {
  test('AddLink: untyped chunked JSON with the map form of Tags answers 200 and stores the link', async () => {
    const answer = await sendAsGoClient(base, 'POST', '/links', {
      Url: 'https://go.dev/doc/',
      Title: 'Go docs',
      Description: 'the language',
      Username: 'gopher',
      Tags: { programming: true, Go: true },
    });
    assert.equal(answer.status, 200, answer.body);
    assert.equal((JSON.parse(answer.body) as { err: string }).err, '');
    const [link] = await getLinks('gopher');
    assert.deepEqual(
      { url: link?.Url, title: link?.Title, description: link?.Description, tags: link?.Tags, status: link?.Status },
      { url: 'https://go.dev/doc/', title: 'Go docs', description: 'the language', tags: { programming: true, go: true }, status: 'pending' },
    );
  });

  test('GetLinks: the empty filters in the query and the body on a GET are accepted', async () => {
    await sendAsGoClient(base, 'POST', '/links', { Url: 'https://k8s.io/', Title: 'K8s', Description: '', Username: 'gets', Tags: null });
    assert.deepEqual((await getLinks('gets')).map((link) => [link.Url, link.Tags]), [['https://k8s.io/', {}]]);
  });

  test('UpdateLink: AddTags and RemoveTags as maps or null', async () => {
    await sendAsGoClient(base, 'POST', '/links', { Url: 'https://nodejs.org/', Title: 'Node', Description: '', Username: 'updater', Tags: { js: true } });
    const added = await sendAsGoClient(base, 'PUT', '/links', {
      Url: 'https://nodejs.org/',
      Title: 'Node.js',
      Description: 'runtime',
      Username: 'updater',
      AddTags: { runtime: true },
      RemoveTags: { js: true },
    });
    assert.equal(added.status, 200, added.body);
    const untouched = await sendAsGoClient(base, 'PUT', '/links', {
      Url: 'https://nodejs.org/',
      Title: 'Node.js',
      Description: 'runtime',
      Username: 'updater',
      AddTags: null,
      RemoveTags: null,
    });
    assert.equal(untouched.status, 200, untouched.body);
    const [link] = await getLinks('updater');
    assert.deepEqual([link?.Title, link?.Description, link?.Tags], ['Node.js', 'runtime', { runtime: true }]);
  });

  test('DeleteLink: the query and the untyped body on a DELETE', async () => {
    await sendAsGoClient(base, 'POST', '/links', { Url: 'https://deno.land/', Title: 'Deno', Description: '', Username: 'deleter', Tags: null });
    const answer = await sendAsGoClient(base, 'DELETE', '/links?url=https%3A%2F%2Fdeno.land%2F&username=deleter', {
      Username: 'deleter',
      Url: 'https://deno.land/',
    });
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(JSON.parse(answer.body), { err: '' });
    assert.deepEqual(await getLinks('deleter'), []);
  });

  test('keys are matched as Go matched them: any case', async () => {
    const answer = await sendAsGoClient(base, 'POST', '/links', { URL: 'https://rust-lang.org/', title: 'Rust', USERNAME: 'cased', tags: { rust: true } });
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual((await getLinks('cased')).map((link) => link.Url), ['https://rust-lang.org/']);
  });

  test('an explicitly wrong content type is still 415 with {"err"}', async () => {
    const answer = await sendAsGoClient(base, 'POST', '/links', { Url: 'https://x.org/', Title: 'x', Username: 'typed' }, { 'Content-Type': 'application/xml' });
    assert.equal(answer.status, 415);
    assert.deepEqual(JSON.parse(answer.body), { err: 'unsupported content type; send application/json' });
    assert.deepEqual(await getLinks('typed'), []);
  });

  test('an untyped body that is not JSON, or not an object, is 400 naming the problem', async () => {
    const malformed = await sendAsGoClient(base, 'POST', '/links', Buffer.from('{"Url":'));
    assert.equal(malformed.status, 400);
    assert.deepEqual(JSON.parse(malformed.body), { err: 'request body is not valid JSON' });
    const notObject = await sendAsGoClient(base, 'POST', '/links', 'a string');
    assert.equal(notObject.status, 400);
    assert.deepEqual(JSON.parse(notObject.body), { err: 'request body must be a JSON object' });
  });
});
