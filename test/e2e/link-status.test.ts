/**
 * A link's status lifecycle across the real parts, in the embedded process: the
 * gateway, link-service, the link-checker function and the in-process bus,
 * checking sites served here (the SSRF guard is lifted for 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startEmbedded, type Deployment } from '@delinkcious/testing';
import { call, waitFor } from './support/http.ts';

describe('link status, embedded: pending, then valid or invalid', () => {
  let deployment: Deployment | undefined;
  let site: Server;
  let siteUrl: string;
  const hits: string[] = [];

  before(async () => {
    site = createServer((request, response) => {
      hits.push(`${request.method} ${request.url}`);
      response.writeHead(request.url?.startsWith('/gone') ? 404 : 200).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    deployment = await startEmbedded({ extraEnv: { LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true' } });
  }, { timeout: 120_000 });
  after(async () => {
    await deployment?.stop();
    site.close();
  }, { timeout: 60_000 });

  const statusOf = async (token: string, url: string) => {
    const answer = await call(deployment!.baseUrl, 'GET', '/v1/links', { token });
    const links = (answer.body as { links: Array<{ Url: string; Status: string }> }).links;
    return links.find((link) => link.Url === url)?.Status;
  };

  test('a live link becomes valid, a dead one invalid; moving a link checks the new URL', async () => {
    const token = await deployment!.signIn('checker-user');
    const live = `${siteUrl}/live`;
    const dead = `${siteUrl}/gone`;
    for (const url of [live, dead]) {
      const added = await call(deployment!.baseUrl, 'POST', '/v1/links', { token, json: { url, title: url } });
      assert.equal(added.status, 200);
    }
    const becomes = (url: string, status: string) =>
      waitFor(() => statusOf(token, url), { what: `${url} to be ${status}`, until: (s) => s === status, timeoutMs: 20_000, intervalMs: 200 });
    await becomes(live, 'valid');
    await becomes(dead, 'invalid');
    // The service reads the page for its metadata: one GET, no HEAD first (docs/design.md §17).
    assert.ok(hits.includes('GET /live'), 'the checker sent GET');

    const moved = `${siteUrl}/moved-here`;
    const update = await call(deployment!.baseUrl, 'PUT', '/v1/links', { token, json: { url: dead, new_url: moved } });
    assert.equal(update.status, 200);
    assert.equal((update.body as { link: { Status: string } }).link.Status, 'pending', 'as committed, before its check');
    await becomes(moved, 'valid');
  });
});
