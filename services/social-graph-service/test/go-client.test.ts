/**
 * The original Delinkcious Go clients' requests to social-graph-service, byte for
 * byte: social_graph_client's follow/unfollow and list calls, and the original
 * link-service's `GET /followers/U` with a body. Mutual auth is off, as the
 * original ran.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { listen } from '@delinkcious/kit';
import { quietServiceServer, sendAsGoClient } from '@delinkcious/testing';
import { DefaultSocialGraphManager } from '../src/manager.ts';
import { MemorySocialGraphStore } from '../src/stores/memory-social-graph-store.ts';
import { registerSocialGraphRoutes } from '../src/transport/http.ts';

let server: FastifyInstance;
let base: string;

before(async () => {
  server = quietServiceServer('social-graph-service');
  registerSocialGraphRoutes(server, new DefaultSocialGraphManager({ store: new MemorySocialGraphStore() }));
  base = await listen(server, '127.0.0.1', 0);
});
after(() => server.close());

async function ok(method: string, path: string, body: unknown): Promise<unknown> {
  const answer = await sendAsGoClient(base, method, path, body);
  assert.equal(answer.status, 200, answer.body);
  return JSON.parse(answer.body);
}

describe("the original Go clients' requests to social-graph-service", () => {
  test('Follow and Unfollow with the PascalCase untyped bodies; the lists as {name: true} maps', async () => {
    assert.deepEqual(await ok('POST', '/follow', { Followed: 'liz', Follower: 'ken' }), { err: '' });
    assert.deepEqual(await ok('POST', '/follow', { Followed: 'rob', Follower: 'ken' }), { err: '' });
    assert.deepEqual(await ok('GET', '/following/ken', { Username: 'ken' }), { following: { liz: true, rob: true }, err: '' });
    assert.deepEqual(await ok('POST', '/unfollow', { Followed: 'rob', Follower: 'ken' }), { err: '' });
    assert.deepEqual(await ok('GET', '/following/ken', { Username: 'ken' }), { following: { liz: true }, err: '' });
  });

  test("the original link-service's GET /followers/U with a chunked body", async () => {
    await ok('POST', '/follow', { Followed: 'dmr', Follower: 'bwk' });
    assert.deepEqual(await ok('GET', '/followers/dmr', { Username: 'dmr' }), { followers: { bwk: true }, err: '' });
  });

  test('a follow without a follower is 400 naming the field, as an error the Go client reports from the status', async () => {
    const answer = await sendAsGoClient(base, 'POST', '/follow', { Followed: 'liz' });
    assert.equal(answer.status, 400);
    assert.match((JSON.parse(answer.body) as { err: string }).err, /follower/);
  });
});
