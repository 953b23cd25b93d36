/** checkUrl against local sites: reachability (guard lifted), then the SSRF guard switched on. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkUrl, userAgent, type CheckUrlOptions } from '../src/check-url.ts';
import { createAddressPolicy, type ResolvedAddress, type Resolver } from '../src/ssrf-guard.ts';
import { closedPort, startTestSite, type TestSite } from './support/sites.ts';

/** Test DNS: names map to fixed addresses; anything else does not exist. */
function fakeResolver(names: Record<string, string | string[]>, calls: string[] = []): Resolver {
  return async (hostname) => {
    calls.push(hostname);
    const answer = names[hostname];
    if (answer === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return [answer].flat().map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

const testNames = {
  'site.test': '127.0.0.1',
  'internal.test': '10.0.0.5',
  'rebind.test': '127.0.0.1',
  'metadata.test': '169.254.169.254',
  'metadata6.test': 'fd00:ec2::254',
  'mapped.test': '::ffff:127.0.0.1',
  'cgnat.test': '100.64.0.1',
  'mixed.test': ['93.184.216.34', '10.0.0.1'],
};

let site: TestSite;
before(async () => {
  site = await startTestSite();
});
after(() => site?.close());

describe('reachability (LINK_CHECKER_ALLOW_PRIVATE_NETWORKS=true)', () => {
  const options: CheckUrlOptions = {
    timeoutMs: 5000,
    resolver: fakeResolver(testNames),
    policy: createAddressPolicy({ allowPrivateNetworks: true }),
  };
  const check = (path: string, extra: Partial<CheckUrlOptions> = {}) => checkUrl(`${site.url}${path}`, { ...options, ...extra });
  const seenSince = (from: number) => site.seen.slice(from).map((r) => `${r.method} ${r.path}`);

  test('200 is valid, with a HEAD carrying the checker User-Agent', async () => {
    const from = site.seen.length;
    assert.deepEqual(await check('/ok'), { status: 'valid', httpStatus: 200, error: '' });
    assert.deepEqual(seenSince(from), ['HEAD /ok']);
    assert.equal(site.seen.at(-1)!.headers['user-agent'], userAgent);
    assert.match(userAgent, /^Delinkcious-LinkChecker\/1\.0/);
  });

  test('301 then 200 is valid; relative and absolute Locations and 303 are followed', async () => {
    const from = site.seen.length;
    assert.deepEqual(await check('/moved'), { status: 'valid', httpStatus: 200, error: '' });
    assert.deepEqual(seenSince(from), ['HEAD /moved', 'HEAD /ok']);
    assert.deepEqual(await check('/see-other'), { status: 'valid', httpStatus: 200, error: '' });
  });

  test('a 3xx without a Location is a final answer, and valid', async () => {
    assert.deepEqual(await check('/not-modified'), { status: 'valid', httpStatus: 304, error: '' });
  });

  test('404 and 500 are invalid, with the status and its text', async () => {
    assert.deepEqual(await check('/missing'), { status: 'invalid', httpStatus: 404, error: '404 Not Found' });
    assert.deepEqual(await check('/broken'), { status: 'invalid', httpStatus: 500, error: '500 Internal Server Error' });
  });

  test('a refused connection is invalid, with no status', async () => {
    const port = await closedPort();
    assert.deepEqual(await checkUrl(`http://127.0.0.1:${port}/`, options), { status: 'invalid', httpStatus: 0, error: 'connection refused' });
  });

  test('a server that never answers is invalid with "timeout", once the deadline passes', async () => {
    const started = performance.now();
    assert.deepEqual(await check('/hang', { timeoutMs: 300 }), { status: 'invalid', httpStatus: 0, error: 'timeout' });
    const took = performance.now() - started;
    assert.ok(took >= 280 && took < 2000, `took ${took} ms`);
  });

  test('the deadline covers the whole check, not each hop', async () => {
    // Four hops of 150 ms each: every hop is well under 300 ms, the chain is not.
    const started = performance.now();
    assert.deepEqual(await check('/slow-chain/3', { timeoutMs: 300 }), { status: 'invalid', httpStatus: 302, error: 'timeout' });
    assert.ok(performance.now() - started < 1500);
  });

  test('a redirect loop is invalid: too many redirects, after following 5', async () => {
    const from = site.seen.length;
    assert.deepEqual(await check('/loop'), { status: 'invalid', httpStatus: 302, error: 'too many redirects' });
    assert.equal(seenSince(from).length, 6, 'the first request and 5 redirects');
  });

  test('exactly 5 redirects is valid, 6 is too many', async () => {
    assert.deepEqual(await check('/chain/5'), { status: 'valid', httpStatus: 200, error: '' });
    assert.deepEqual(await check('/chain/6'), { status: 'invalid', httpStatus: 302, error: 'too many redirects' });
    assert.deepEqual(await check('/chain/2', { maxRedirects: 1 }), { status: 'invalid', httpStatus: 302, error: 'too many redirects' });
  });

  test('HEAD refused with 405 falls back to GET', async () => {
    const from = site.seen.length;
    assert.deepEqual(await check('/no-head'), { status: 'valid', httpStatus: 200, error: '' });
    assert.deepEqual(seenSince(from), ['HEAD /no-head', 'GET /no-head']);
  });

  test('HEAD refused with 403 falls back to GET; a GET that fails decides', async () => {
    const from = site.seen.length;
    assert.deepEqual(await check('/head-forbidden'), { status: 'valid', httpStatus: 200, error: '' });
    assert.deepEqual(seenSince(from), ['HEAD /head-forbidden', 'GET /head-forbidden']);
    assert.deepEqual(await check('/no-head-missing'), { status: 'invalid', httpStatus: 404, error: '404 Not Found' });
  });

  test('a 404 to HEAD is believed: no GET', async () => {
    const from = site.seen.length;
    await check('/missing');
    assert.deepEqual(seenSince(from), ['HEAD /missing']);
  });

  test('a GET with an endless body is not read: the check ends promptly', async () => {
    const started = performance.now();
    assert.deepEqual(await check('/endless', { timeoutMs: 10_000 }), { status: 'valid', httpStatus: 200, error: '' });
    assert.ok(performance.now() - started < 1000, 'well before the deadline');
    // The checker hung up: the server saw the connection close and stopped sending.
    for (let i = 0; i < 50 && site.endlessOpen() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(site.endlessOpen(), 0, 'the connection was closed');
    const sent = site.bodyBytesSent();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(site.bodyBytesSent(), sent, 'nothing more was sent');
  });

  test('a name connects to the address it resolved to (no second DNS lookup), with the name as Host', async () => {
    const calls: string[] = [];
    const resolver = fakeResolver({ 'site.test': '127.0.0.1' }, calls);
    assert.deepEqual(await checkUrl(`http://site.test:${site.port}/moved`, { ...options, resolver }), { status: 'valid', httpStatus: 200, error: '' });
    assert.deepEqual(calls, ['site.test', 'site.test'], 'once per hop');
    assert.equal(site.seen.at(-1)!.headers.host, `site.test:${site.port}`);
  });

  test('a name that does not resolve is invalid: DNS failure', async () => {
    assert.deepEqual(await checkUrl('http://nowhere.test/', options), { status: 'invalid', httpStatus: 0, error: 'DNS failure' });
  });

  test('a redirect to another scheme is invalid', async () => {
    const to = `/to?location=${encodeURIComponent('ftp://127.0.0.1/file')}`;
    assert.deepEqual(await check(to), { status: 'invalid', httpStatus: 302, error: 'redirect to unsupported scheme ftp' });
  });

  test('the flag lets every private address through (hostname and redirect included)', async () => {
    assert.deepEqual(await checkUrl(`http://rebind.test:${site.port}/ok`, options), { status: 'valid', httpStatus: 200, error: '' });
    const to = `/to?location=${encodeURIComponent(`http://[::ffff:127.0.0.1]:${site.port}/ok`)}`;
    assert.deepEqual(await check(to), { status: 'valid', httpStatus: 200, error: '' });
  });
});

describe('SSRF guard on', () => {
  const guarded: CheckUrlOptions = {
    timeoutMs: 2000,
    resolver: fakeResolver(testNames),
    policy: createAddressPolicy({ allowPrivateNetworks: false }),
  };

  test('each blocked range is refused by IP literal, before any connection', async () => {
    const cases: Array<[string, string]> = [
      ['http://127.0.0.1/', '127.0.0.1'],
      ['http://127.255.0.9:8080/', '127.255.0.9'],
      ['http://10.1.2.3/', '10.1.2.3'],
      ['http://172.16.0.1/', '172.16.0.1'],
      ['http://172.31.255.255/', '172.31.255.255'],
      ['http://192.168.1.1/', '192.168.1.1'],
      ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
      ['http://100.64.0.1/', '100.64.0.1'],
      ['http://0.0.0.0/', '0.0.0.0'],
      ['http://224.0.0.1/', '224.0.0.1'],
      ['http://255.255.255.255/', '255.255.255.255'],
      ['http://[::1]/', '::1'],
      ['http://[::]/', '::'],
      ['http://[fc00::1]/', 'fc00::1'],
      ['http://[fd00:ec2::254]/', 'fd00:ec2::254'],
      ['http://[fe80::1]/', 'fe80::1'],
      ['http://[ff02::1]/', 'ff02::1'],
      // URL parsing normalizes these; the guard sees the address they really name.
      ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
      ['http://[::ffff:169.254.169.254]/', '::ffff:a9fe:a9fe'],
      ['http://2130706433/', '127.0.0.1'],
      ['http://0x7f.1/', '127.0.0.1'],
      ['http://017700000001/', '127.0.0.1'],
      ['https://10.0.0.1/', '10.0.0.1'],
    ];
    for (const [url, address] of cases) {
      assert.deepEqual(await checkUrl(url, guarded), { status: 'invalid', httpStatus: 0, error: `blocked address ${address}` }, url);
    }
  });

  test('a name resolving to a blocked address is refused; one bad address among good ones is enough', async () => {
    const cases: Array<[string, string]> = [
      ['internal.test', '10.0.0.5'],
      ['rebind.test', '127.0.0.1'],
      ['metadata.test', '169.254.169.254'],
      ['metadata6.test', 'fd00:ec2::254'],
      ['mapped.test', '::ffff:127.0.0.1'],
      ['cgnat.test', '100.64.0.1'],
      ['mixed.test', '10.0.0.1'],
    ];
    for (const [host, address] of cases) {
      assert.deepEqual(await checkUrl(`http://${host}/`, guarded), { status: 'invalid', httpStatus: 0, error: `blocked address ${address}` }, host);
    }
  });

  test('a local site is refused too, though it answers', async () => {
    const from = site.seen.length;
    assert.deepEqual(await checkUrl(`${site.url}/ok`, guarded), { status: 'invalid', httpStatus: 0, error: 'blocked address 127.0.0.1' });
    assert.equal(site.seen.length, from, 'no request reached it');
  });

  describe('on a redirect hop (the test site at 127.0.0.1 counts as public here)', () => {
    const policy = createAddressPolicy({ allowPrivateNetworks: false, allow: ['127.0.0.1/32'] });
    const options: CheckUrlOptions = { ...guarded, policy };
    const via = (location: string) => checkUrl(`${site.url}/to?location=${encodeURIComponent(location)}`, options);

    test('the allowed site itself is reachable', async () => {
      assert.deepEqual(await checkUrl(`${site.url}/moved`, options), { status: 'valid', httpStatus: 200, error: '' });
    });

    test('a redirect into a blocked range is refused, by literal or by name', async () => {
      const cases: Array<[string, string]> = [
        ['http://10.1.2.3/', '10.1.2.3'],
        ['http://169.254.169.254/latest/meta-data/iam/', '169.254.169.254'],
        ['http://192.168.1.1:8080/admin', '192.168.1.1'],
        ['http://[::1]/', '::1'],
        ['http://[::ffff:10.0.0.1]/', '::ffff:a00:1'],
        ['http://internal.test/', '10.0.0.5'],
        ['http://metadata6.test/', 'fd00:ec2::254'],
        ['http://mixed.test/', '10.0.0.1'],
      ];
      for (const [location, address] of cases) {
        assert.deepEqual(await via(location), { status: 'invalid', httpStatus: 302, error: `blocked address ${address}` }, location);
      }
    });

    test('a name that changes its answer after the check cannot redirect the connection (one lookup per hop)', async () => {
      let calls = 0;
      const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '10.0.0.5', family: 4 }];
      assert.deepEqual(await checkUrl(`http://rebinding.test:${site.port}/ok`, { ...options, resolver: rebinding }), {
        status: 'valid',
        httpStatus: 200,
        error: '',
      });
      assert.equal(calls, 1);
    });
  });
});
