/** The link-checker function over real HTTP, the published link.checked events, and LinkCheckerClient against it. */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { LinkCheckerClient } from '@delinkcious/clients';
import {
  Lifecycle,
  ServiceMetrics,
  createLogger,
  createServiceServer,
  listen,
  mutualAuthFromTokens,
  type ServiceContext,
} from '@delinkcious/kit';
import { InProcessBus, subjects, type Bus, type BusMessage } from '@delinkcious/events';
import { UnavailableError, ValidationError, type LinkCheckedEvent } from '@delinkcious/object-model';
import { checkUrl } from '../src/check-url.ts';
import { DefaultLinkChecker, type Publish } from '../src/checker.ts';
import { linkChecker } from '../src/main.ts';
import { createAddressPolicy, systemResolver } from '../src/ssrf-guard.ts';
import { registerLinkCheckerRoutes } from '../src/transport/http.ts';
import { startTestSite, type Site } from './support/sites.ts';

const tokens = {
  'link-service': 'link-service-token-0123456789abcdef',
  'link-checker': 'link-checker-token-0123456789abcdef',
};
const callerToken = tokens['link-service'];
const checkedAt = new Date('2024-05-06T07:08:09.010Z');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function silentLogger(name = 'link-checker') {
  const logger = createLogger(name);
  logger.level = 'silent';
  return logger;
}

let site: Site;
before(async () => {
  site = await startTestSite();
});
after(() => site?.close());

interface Running {
  url: string;
  server: FastifyInstance;
}

/** The function with the guard lifted (the sites are on 127.0.0.1), a short deadline, and `publish` as given. */
async function startFunction(publish: Publish): Promise<Running> {
  const checker = new DefaultLinkChecker({
    checkUrl: (url) => checkUrl(url, { timeoutMs: 300, resolver: systemResolver, policy: createAddressPolicy({ allowPrivateNetworks: true }) }),
    publish,
    now: () => checkedAt,
  });
  const server = createServiceServer({
    service: 'link-checker',
    logger: silentLogger(),
    metrics: new ServiceMetrics('link-checker'),
    mutualAuth: mutualAuthFromTokens('link-checker', tokens),
  });
  registerLinkCheckerRoutes(server, checker);
  return { url: await listen(server, '127.0.0.1', 0), server };
}

async function call(base: string, body: string | object | undefined, token: string | null = callerToken) {
  const headers: Record<string, string> = {};
  if (token !== null) headers['delinkcious-caller-token'] = token;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}/`, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** The page metadata and archive fields of a check that read no page and found no archived copy. */
const noPage = { title: '', description: '', canonical_url: '', favicon_url: '', archive_url: '' };

/** The answer to a check: the published event and `err` (docs/design.md §3, §17). */
const answerOf = (event: LinkCheckedEvent | undefined) => ({ status: 200, body: { ...event, err: '' } });

/** An event with its random id checked and set aside, so the rest can be compared exactly. */
function withoutId(event: LinkCheckedEvent | undefined): Omit<LinkCheckedEvent, 'id'> {
  assert.ok(event, 'an event was published');
  const { id, ...rest } = event;
  assert.match(id, uuid);
  return rest;
}

describe('POST / (the link-checker function)', () => {
  let running: Running;
  let published: LinkCheckedEvent[];

  beforeEach(async () => {
    published = [];
    running = await startFunction(async (event) => void published.push(event));
  });
  afterEach(() => running?.server.close());

  test('checks the URL, publishes link.checked with every field, and answers the result', async () => {
    const url = `${site.url}/moved`;
    const answer = await call(running.url, { Username: 'alice', Url: url });
    assert.equal(published.length, 1);
    assert.deepEqual(answer, answerOf(published[0]), 'the answer carries the whole result');
    assert.deepEqual(withoutId(published[0]), {
      type: 'link.checked',
      username: 'alice',
      url,
      status: 'valid',
      http_status: 200,
      error: '',
      checked_at: '2024-05-06T07:08:09.010Z',
      ...noPage,
    });
  });

  test('an invalid link is published as invalid, with its status or reason; each event has its own id', async () => {
    const missing = await call(running.url, { username: 'bob', url: `${site.url}/missing` });
    const hang = await call(running.url, { Username: 'bob', Url: `${site.url}/hang` });
    assert.deepEqual([missing, hang], published.map(answerOf));
    assert.deepEqual(published.map(withoutId), [
      { type: 'link.checked', username: 'bob', url: `${site.url}/missing`, status: 'invalid', http_status: 404, error: '404 Not Found', checked_at: checkedAt.toISOString(), ...noPage },
      { type: 'link.checked', username: 'bob', url: `${site.url}/hang`, status: 'invalid', http_status: 0, error: 'timeout', checked_at: checkedAt.toISOString(), ...noPage },
    ]);
    assert.notEqual(published[0]!.id, published[1]!.id);
  });

  test('the username and URL are trimmed, as link-service stores them', async () => {
    await call(running.url, { Username: ' alice ', Url: ` ${site.url}/ok\n` });
    assert.equal(published[0]!.username, 'alice');
    assert.equal(published[0]!.url, `${site.url}/ok`);
  });

  test('bad bodies are 400 with the reason, and nothing is checked or published', async () => {
    const from = site.seen.length;
    const cases: Array<[string | object | undefined, string]> = [
      [undefined, 'request body must be a JSON object'],
      ['["alice"]', 'request body must be a JSON object'],
      ['{"Username":', 'request body is not valid JSON'],
      [{ Url: `${site.url}/ok` }, 'username is required'],
      [{ Username: '  ', Url: `${site.url}/ok` }, 'username is required'],
      [{ Username: 7, Url: `${site.url}/ok` }, 'username must be text'],
      [{ Username: 'x'.repeat(40), Url: `${site.url}/ok` }, 'username is longer than 39 characters'],
      [{ Username: 'al\u0000ice', Url: `${site.url}/ok` }, 'username must not contain control characters'],
      [{ Username: 'under_score', Url: `${site.url}/ok` }, 'username may only contain letters, digits and single hyphens, and cannot begin or end with a hyphen'],
      [{ Username: 'alice' }, 'url is required'],
      [{ Username: 'alice', Url: '' }, 'url is required'],
      [{ Username: 'alice', Url: ['http://a.example/'] }, 'url must be text'],
      [{ Username: 'alice', Url: 'not a url' }, 'url is not a valid URL: not a url'],
      [{ Username: 'alice', Url: 'http://' }, 'url is not a valid URL: http://'],
      [{ Username: 'alice', Url: 'ftp://files.example/x' }, 'url must be an http or https URL, not ftp'],
      [{ Username: 'alice', Url: 'file:///etc/passwd' }, 'url must be an http or https URL, not file'],
      [{ Username: 'alice', Url: 'javascript:alert(1)' }, 'url must be an http or https URL, not javascript'],
      [{ Username: 'alice', Url: `http://a.example/${'x'.repeat(2048)}` }, 'url is longer than 2048 characters'],
      [{ Username: 'alice', Url: `${site.url}/ok\u0000` }, 'url must not contain control characters'],
      [{ Username: 'alice', Url: `${site.url}/o\tk` }, 'url must not contain control characters'],
      [{ Username: 'alice', Url: `${site.url}/\ud800` }, 'url must be well-formed Unicode (it holds a lone surrogate)'],
    ];
    for (const [body, err] of cases) {
      assert.deepEqual(await call(running.url, body), { status: 400, body: { err } }, JSON.stringify(body));
    }
    assert.deepEqual(published, []);
    assert.equal(site.seen.length, from);
  });

  test('without a listed caller token: 401, nothing checked; probes stay open', async () => {
    const from = site.seen.length;
    const body = { Username: 'alice', Url: `${site.url}/ok` };
    assert.deepEqual(await call(running.url, body, null), { status: 401, body: { err: 'missing caller token' } });
    assert.deepEqual(await call(running.url, body, 'not-a-listed-token-0123456789'), { status: 401, body: { err: 'unknown caller token' } });
    assert.deepEqual(published, []);
    assert.equal(site.seen.length, from);
    assert.equal((await fetch(`${running.url}/healthz`)).status, 200);
  });

  test('answers only after the event is published', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const gated = await startFunction(() => gate);
    try {
      let answered = false;
      const answer = call(gated.url, { Username: 'alice', Url: `${site.url}/ok` }).finally(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(answered, false, 'no answer while publishing is pending');
      release();
      const result = await answer;
      assert.equal(result.status, 200);
      assert.deepEqual([(result.body as LinkCheckedEvent).status, (result.body as LinkCheckedEvent).http_status], ['valid', 200]);
    } finally {
      await gated.server.close();
    }
  });

  test('a result that cannot be published is 503, so the caller retries', async () => {
    const failing = await startFunction(async () => {
      throw new Error('bus down');
    });
    try {
      assert.deepEqual(await call(failing.url, { Username: 'alice', Url: `${site.url}/ok` }), {
        status: 503,
        body: { err: 'the check result could not be published: bus down' },
      });
    } finally {
      await failing.server.close();
    }
  });
});

describe('linkChecker (the ServiceDefinition)', () => {
  function contextFor(env: Record<string, string>, bus: Bus): ServiceContext {
    return {
      // No archive lookups: tests never reach the internet.
      env: { LOG_LEVEL: 'silent', WAYBACK_API_URL: '', ...env },
      host: '127.0.0.1',
      port: 0,
      embedded: true,
      mutualAuth: mutualAuthFromTokens('link-checker', tokens),
      bus,
      lifecycle: new Lifecycle(),
      logger: silentLogger(),
      urlOf: () => 'http://127.0.0.1:1',
    };
  }

  /** An in-process bus with a consumer of link.checked, as link-service is. */
  async function busWithConsumer() {
    const bus = new InProcessBus();
    const received: Array<BusMessage<LinkCheckedEvent>> = [];
    await bus.subscribe<LinkCheckedEvent>({ group: 'link-service', subjects: [subjects.linkChecked] }, async (message) => void received.push(message));
    return { bus, received };
  }

  test('publishes on the context bus, on subject link.checked; mutual auth on', async () => {
    const { bus, received } = await busWithConsumer();
    const context = contextFor({ LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true' }, bus);
    const { url } = await linkChecker.start(context);
    try {
      const answer = await call(url, { Username: 'alice', Url: `${site.url}/ok` });
      assert.equal((await call(url, { Username: 'alice', Url: `${site.url}/ok` }, null)).status, 401);
      assert.equal(received.length, 1);
      assert.deepEqual(answer, answerOf(received[0]!.data));
      assert.equal(received[0]!.subject, 'link.checked');
      const event = received[0]!.data;
      assert.ok(Math.abs(Date.parse(event.checked_at) - Date.now()) < 60_000, 'checked_at is now');
      assert.match(event.checked_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, 'RFC 3339');
      assert.deepEqual(
        { ...withoutId(event), checked_at: 'now' },
        // The service reads the page (a GET); /ok is not HTML, so no metadata.
        { type: 'link.checked', username: 'alice', url: `${site.url}/ok`, status: 'valid', http_status: 200, error: '', checked_at: 'now', ...noPage },
      );
      assert.match(await (await fetch(`${url}/metrics`)).text(), /events_published_total\{[^}]*subject="link.checked"[^}]*\} 1/);
    } finally {
      await context.lifecycle.close();
    }
  });

  test('the SSRF guard is on by default: a local address is refused and reported invalid', async () => {
    const { bus, received } = await busWithConsumer();
    const context = contextFor({}, bus);
    const { url } = await linkChecker.start(context);
    try {
      const from = site.seen.length;
      const answer = await call(url, { Username: 'alice', Url: `${site.url}/ok` });
      assert.deepEqual([answer.status, (answer.body as LinkCheckedEvent).status, (answer.body as LinkCheckedEvent).http_status], [200, 'invalid', 0]);
      assert.equal(received[0]!.data.error, 'blocked address 127.0.0.1');
      assert.equal(site.seen.length, from, 'the local site was never contacted');
    } finally {
      await context.lifecycle.close();
    }
  });

  test('a bus that is down: 503 for a check, and not ready', async () => {
    const bus = new InProcessBus();
    const context = contextFor({ LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true' }, bus);
    const { url } = await linkChecker.start(context);
    try {
      // No consumer listens yet: the in-process bus refuses the event.
      const first = await call(url, { Username: 'alice', Url: `${site.url}/ok` });
      assert.equal(first.status, 503);
      assert.match((first.body as { err: string }).err, /^the check result could not be published: /);
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      await bus.close();
      assert.equal((await fetch(`${url}/readyz`)).status, 503);
    } finally {
      await context.lifecycle.close();
    }
  });

  test('a bad LINK_CHECK_TIMEOUT or flag stops start-up with one clear line', () => {
    assert.throws(() => linkChecker.checkConfig({ LINK_CHECK_TIMEOUT: 'soon' }), { name: 'ConfigError', message: /^LINK_CHECK_TIMEOUT must be a duration/ });
    assert.throws(() => linkChecker.checkConfig({ LINK_CHECK_TIMEOUT: '0' }), { message: 'LINK_CHECK_TIMEOUT must be longer than 0 ms' });
    assert.throws(() => linkChecker.checkConfig({ LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'maybe' }), {
      message: 'LINK_CHECKER_ALLOW_PRIVATE_NETWORKS must be true or false, got "maybe"',
    });
    assert.doesNotThrow(() => linkChecker.checkConfig({ LINK_CHECK_TIMEOUT: '3s', LINK_CHECKER_ALLOW_PRIVATE_NETWORKS: 'true' }));
  });
});

describe('LinkCheckerClient against the running function', () => {
  let running: Running;
  let publishes = 0;
  let failPublishing = false;
  let client: LinkCheckerClient;

  before(async () => {
    running = await startFunction(async () => {
      publishes++;
      if (failPublishing) throw new Error('bus down');
    });
    client = new LinkCheckerClient({ baseUrl: running.url, callerToken, retries: 2 });
  });
  after(async () => {
    client?.close();
    await running?.server.close();
  });

  test('answers the status, the HTTP status and the whole result', async () => {
    const ok = await client.check('alice', `${site.url}/ok`);
    assert.deepEqual([ok.status, ok.httpStatus], ['valid', 200]);
    assert.deepEqual(ok.result, {
      url: `${site.url}/ok`,
      status: 'valid',
      checkedAt,
      httpStatus: 200,
      error: '',
      title: '',
      description: '',
      canonicalUrl: '',
      faviconUrl: '',
      archiveUrl: '',
    });
    const broken = await client.check('alice', `${site.url}/broken`);
    assert.deepEqual([broken.status, broken.httpStatus, broken.result?.error], ['invalid', 500, '500 Internal Server Error']);
  });

  test('a bad request is a ValidationError with the reason, not retried', async () => {
    const before = publishes;
    await assert.rejects(client.check('alice', 'ftp://files.example/'), (error: unknown) => {
      return error instanceof ValidationError && error.message === 'url must be an http or https URL, not ftp';
    });
    assert.equal(publishes, before);
  });

  test('a publishing failure is retried (a check is idempotent), then an UnavailableError', async () => {
    failPublishing = true;
    try {
      const before = publishes;
      await assert.rejects(client.check('alice', `${site.url}/ok`), UnavailableError);
      assert.equal(publishes - before, 3, 'the first call and 2 retries');
    } finally {
      failPublishing = false;
    }
  });

  test('a wrong caller token is an UnavailableError (a deployment fault)', async () => {
    const stranger = new LinkCheckerClient({ baseUrl: running.url, callerToken: 'not-a-listed-token-0123456789', retries: 0 });
    try {
      await assert.rejects(stranger.check('alice', `${site.url}/ok`), UnavailableError);
    } finally {
      stranger.close();
    }
  });
});
