/** /openapi.json describes every public route; /docs serves Swagger UI from the package, not a CDN. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { limits, pageSizes, usernamePattern } from '@delinkcious/object-model';
import { startGateway, type GatewayHarness } from './support/harness.ts';

describe('OpenAPI and docs', () => {
  let gateway: GatewayHarness;

  before(async () => {
    gateway = await startGateway();
  });
  after(() => gateway.close());

  test('/openapi.json is OpenAPI 3 and lists every public route', async () => {
    const answer = await gateway.call('GET', '/openapi.json');
    assert.equal(answer.status, 200);
    const doc = answer.body;
    assert.match(doc.openapi, /^3\./);
    const operations = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const expected = [
      'GET /v1/links',
      'POST /v1/links',
      'PUT /v1/links',
      'DELETE /v1/links',
      'GET /v1/following',
      'POST /v1/following',
      'DELETE /v1/following',
      'GET /v1/followers',
      'POST /v1/followers',
      'GET /v1/tokens',
      'POST /v1/tokens',
      'DELETE /v1/tokens/{id}',
      'GET /login',
      'GET /login/authorized',
      'GET /login/dev',
      'POST /login/dev',
      'GET /logout',
      'POST /logout',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /openapi.json',
      // This round's routes (issues 15–18): search and tags, bulk, recheck, import/export, Pinboard.
      'GET /v1/tags',
      'PUT /v1/tags/{tag}',
      'DELETE /v1/tags/{tag}',
      'POST /v1/links/bulk',
      'POST /v1/links/recheck',
      'POST /v1/import',
      'GET /v1/imports/{import_id}',
      'GET /v1/export',
      'GET /pinboard/v1/posts/add',
      'GET /pinboard/v1/posts/all',
      'GET /pinboard/v1/tags/rename',
    ];
    for (const operation of expected) assert.ok(operations.includes(operation), `${operation} is described`);
    assert.ok(!operations.some((operation) => operation.includes('/docs')), 'the docs UI itself is not an API route');

    assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), ['accessToken', 'bearer', 'session']);
    assert.equal(doc.components.securitySchemes.accessToken.name, 'Access-Token');
    const getLinks = doc.paths['/v1/links'].get;
    assert.ok(getLinks.security.length > 0, 'protected routes say how to authenticate');
    assert.deepEqual(
      getLinks.parameters.map((parameter: { name: string }) => parameter.name).sort(),
      ['description_regex', 'limit', 'q', 'sort', 'start_token', 'tag', 'title_regex', 'url_regex'],
    );
    assert.ok(getLinks.responses['401'], 'error answers are described');
    assert.ok(doc.paths['/v1/links'].post.requestBody.content['application/x-www-form-urlencoded'], 'form bodies are described');
  });

  test('input limits are the ones the services enforce', async () => {
    const doc = (await gateway.call('GET', '/openapi.json')).body;
    const parameter = (name: string) => doc.paths['/v1/links'].get.parameters.find((p: { name: string }) => p.name === name).schema;
    assert.equal(parameter('limit').maximum, pageSizes.max);
    assert.equal(parameter('limit').default, pageSizes.default);
    assert.equal(parameter('url_regex').maxLength, limits.patternLength);
    const addLink = doc.paths['/v1/links'].post.requestBody.content['application/json'].schema.properties;
    assert.equal(addLink.url.maxLength, limits.urlLength);
    assert.equal(addLink.title.maxLength, limits.titleLength);
    assert.equal(addLink.description.maxLength, limits.descriptionLength);
    const followed = doc.paths['/v1/following'].post.requestBody.content['application/json'].schema.properties.followed;
    assert.equal(followed.maxLength, limits.usernameLength);
    assert.equal(followed.pattern, usernamePattern.source);
    const tokenName = doc.paths['/v1/tokens'].post.requestBody.content['application/json'].schema.properties.name;
    assert.equal(tokenName.maxLength, limits.tokenNameLength);
  });

  test('the docs page and its assets are served locally', async () => {
    const page = await gateway.call('GET', '/docs/', { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(sources.length > 0);
    for (const source of sources) {
      assert.doesNotMatch(source, /^(https?:)?\/\//, `${source} must not come from elsewhere`);
      const asset = await gateway.call('GET', new URL(source, `${gateway.url}/docs/`).pathname);
      assert.equal(asset.status, 200, source);
    }
    const initializer = await gateway.call('GET', '/docs/static/swagger-initializer.js');
    assert.equal(initializer.status, 200);
    assert.match(initializer.text, /validatorUrl: null/, 'no call to the public validator');
  });
});
