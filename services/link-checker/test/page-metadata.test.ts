/** Page metadata (docs/design.md §17): checkUrl with readPage against pages served on 127.0.0.1. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { limits } from '@delinkcious/object-model';
import { checkUrl, type CheckUrlOptions } from '../src/check-url.ts';
import { maxPageBytes, parseMetadata } from '../src/page-metadata.ts';
import { createAddressPolicy, systemResolver } from '../src/ssrf-guard.ts';
import { startSite, type Site } from './support/sites.ts';

const options: CheckUrlOptions = {
  timeoutMs: 1500,
  resolver: systemResolver,
  policy: createAddressPolicy({ allowPrivateNetworks: true }),
  readPage: true,
};

/** Shift_JIS bytes of 日本語 ("Japanese"). */
const nihongoSjis = Buffer.from([0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea]);

let site: Site;
let hugeBytesSent = 0;
let slowBodyOpen = false;

before(async () => {
  site = await startSite((request, response) => {
    const html = (body: string | Buffer, type = 'text/html; charset=utf-8') => {
      response.writeHead(200, { 'content-type': type });
      response.end(body);
    };
    switch (request.url) {
      case '/plain':
        return html('<!doctype html><html><head><title>  A   plain\n page  </title></head><body><h1>Hi</h1></body></html>');
      case '/og':
        return html(`<html><head>
          <title>Site | Article</title>
          <meta property="og:title" content="The Article &amp; more">
          <meta name="description" content="meta description">
          <meta property="og:description" content="og description">
          <link rel="canonical" href="/articles/1?ref=x">
          <link rel="shortcut icon" href="//cdn.example/icon.png">
          </head><body><svg><title>not the title</title></svg></body></html>`);
      case '/meta-description':
        return html('<html><head><title>T</title><meta name="Description" content="only meta"><link rel="icon" href="icons/i.svg"></head></html>');
      case '/canonical-elsewhere':
        return html('<html><head><title>x</title><link rel="canonical" href="javascript:alert(1)"></head></html>');
      case '/svg-first':
        return html('<html><body><svg><title>icon label</title></svg><title>late title</title></body></html>');
      case '/windows-1252':
        // No charset anywhere: the sniffing algorithm's default, windows-1252. 0x93/0x94 are curly quotes, 0xe9 is é.
        return html(Buffer.concat([Buffer.from('<html><head><title>'), Buffer.from([0x93, 0x43, 0x61, 0x66, 0xe9, 0x94]), Buffer.from('</title></head></html>')]), 'text/html');
      case '/latin1-header':
        return html(Buffer.concat([Buffer.from('<title>caf'), Buffer.from([0xe9]), Buffer.from('</title>')]), 'text/html; charset=ISO-8859-1');
      case '/shift-jis-meta':
        return html(Buffer.concat([Buffer.from('<html><head><meta charset="Shift_JIS"><title>'), nihongoSjis, Buffer.from('</title></head></html>')]), 'text/html');
      case '/shift-jis-http-equiv':
        return html(
          Buffer.concat([Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=shift_jis"><title>'), nihongoSjis, Buffer.from('</title></head></html>')]),
          'text/html',
        );
      case '/utf8-bom':
        // The BOM wins over a wrong header charset.
        return html(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<title>naïve ☃</title>')]), 'text/html; charset=windows-1252');
      case '/control-characters':
        return html('<title>a\u0001b\u0007c&#x9;d&#0;e</title><meta name="description" content="line\none\ttab">');
      case '/long-title':
        return html(`<title>${'t'.repeat(limits.titleLength + 100)}</title><meta name="description" content="${'d'.repeat(limits.descriptionLength + 10)}">`);
      case '/huge': {
        // A title past the first 512 KB is never read; the body never ends on its own.
        response.writeHead(200, { 'content-type': 'text/html' });
        response.write('<html><head><meta name="description" content="early"></head><body>');
        const chunk = Buffer.alloc(64 * 1024, 'a');
        const pump = () => {
          while (!response.destroyed && hugeBytesSent < 20 * maxPageBytes) {
            hugeBytesSent += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
        };
        pump();
        return;
      }
      case '/slow-body':
        // Headers at once, then the title only after the deadline: the check is valid, the page what came in time.
        response.writeHead(200, { 'content-type': 'text/html' });
        response.write('<html><head><meta name="description" content="in time">');
        slowBodyOpen = true;
        response.once('close', () => (slowBodyOpen = false));
        setTimeout(() => !response.destroyed && response.end('<title>too late</title></head></html>'), 5000).unref();
        return;
      case '/slow-headers':
        setTimeout(() => !response.destroyed && html('<title>late</title>'), 5000).unref();
        return;
      case '/pdf':
        response.writeHead(200, { 'content-type': 'application/pdf' });
        response.end('%PDF-1.4 <title>not html</title>');
        return;
      case '/gone':
        response.writeHead(404, { 'content-type': 'text/html' });
        response.end('<title>Not found page</title>');
        return;
      case '/redirect':
        response.writeHead(301, { location: '/deeper/page' });
        response.end();
        return;
      case '/to-private':
        response.writeHead(302, { location: 'http://10.0.0.1/admin' });
        response.end();
        return;
      case '/deeper/page':
        return html('<title>after redirect</title><link rel="canonical" href="../canonical">');
      default:
        response.writeHead(404).end();
    }
  });
});
after(() => site?.close());

const page = async (path: string) => {
  const result = await checkUrl(`${site.url}${path}`, options);
  assert.ok(result.metadata, 'readPage always answers metadata');
  return { ...result, metadata: result.metadata };
};

describe('checkUrl reading the page', () => {
  test('one GET, the <title> trimmed and its whitespace collapsed, the favicon defaulting to /favicon.ico', async () => {
    const from = site.seen.length;
    const result = await page('/plain');
    assert.deepEqual(result, {
      status: 'valid',
      httpStatus: 200,
      error: '',
      metadata: { title: 'A plain page', description: '', canonicalUrl: '', faviconUrl: `${site.url}/favicon.ico` },
    });
    assert.deepEqual(
      site.seen.slice(from).map((r) => `${r.method} ${r.path}`),
      ['GET /plain'],
      'GET first: no HEAD before it',
    );
  });

  test('og:title and og:description win; canonical and icon resolved against the page; entities decoded; an <svg> title ignored', async () => {
    const { metadata } = await page('/og');
    assert.deepEqual(metadata, {
      title: 'The Article & more',
      description: 'og description',
      canonicalUrl: `${site.url}/articles/1?ref=x`,
      faviconUrl: 'http://cdn.example/icon.png',
    });
  });

  test('meta description (any case) without og tags; a relative icon', async () => {
    const { metadata } = await page('/meta-description');
    assert.deepEqual(metadata, { title: 'T', description: 'only meta', canonicalUrl: '', faviconUrl: `${site.url}/icons/i.svg` });
  });

  test('a canonical URL that is not http(s) is dropped', async () => {
    assert.equal((await page('/canonical-elsewhere')).metadata.canonicalUrl, '');
  });

  test('a <title> inside <svg> is not the page title', async () => {
    assert.equal((await page('/svg-first')).metadata.title, 'late title');
  });

  test('charsets: windows-1252 by default, the Content-Type charset, Shift_JIS from <meta charset> and http-equiv, a UTF-8 BOM over the header', async () => {
    assert.equal((await page('/windows-1252')).metadata.title, '\u201cCafé\u201d');
    assert.equal((await page('/latin1-header')).metadata.title, 'café');
    assert.equal((await page('/shift-jis-meta')).metadata.title, '日本語');
    assert.equal((await page('/shift-jis-http-equiv')).metadata.title, '日本語');
    assert.equal((await page('/utf8-bom')).metadata.title, 'naïve ☃');
  });

  test('control characters are dropped and whitespace collapsed (the text rule), descriptions included', async () => {
    const { metadata } = await page('/control-characters');
    assert.equal(metadata.title, 'a b c d\ufffde');
    assert.equal(metadata.description, 'line one tab');
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must be gone
    assert.doesNotMatch(metadata.title + metadata.description, /[\u0000-\u001f\u007f-\u009f]/);
  });

  test('title and description are clamped to the link field limits', async () => {
    const { metadata } = await page('/long-title');
    assert.equal(metadata.title.length, limits.titleLength);
    assert.equal(metadata.description.length, limits.descriptionLength);
  });

  test('a huge body: at most 512 KB is read, then the connection is dropped', async () => {
    hugeBytesSent = 0;
    const started = Date.now();
    const result = await page('/huge');
    assert.equal(result.status, 'valid');
    assert.equal(result.metadata.description, 'early');
    assert.equal(result.metadata.title, '');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = hugeBytesSent;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(hugeBytesSent, sent, 'the server stopped sending: the connection is closed');
    assert.ok(sent < 10 * maxPageBytes, `the rest was never downloaded (${sent} bytes sent)`);
    assert.ok(Date.now() - started < options.timeoutMs, 'not waiting for the deadline');
  });

  test('a body slower than the deadline: valid, with what arrived in time', async () => {
    const started = Date.now();
    const result = await page('/slow-body');
    const took = Date.now() - started;
    assert.equal(result.status, 'valid');
    assert.deepEqual([result.metadata.description, result.metadata.title], ['in time', '']);
    assert.ok(took >= options.timeoutMs - 50 && took < options.timeoutMs + 1000, `ended at the deadline (${took} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(slowBodyOpen, false, 'the connection was closed');
  });

  test('headers slower than the deadline: invalid, timeout, no metadata', async () => {
    const result = await page('/slow-headers');
    assert.deepEqual(result, {
      status: 'invalid',
      httpStatus: 0,
      error: 'timeout',
      metadata: { title: '', description: '', canonicalUrl: '', faviconUrl: '' },
    });
  });

  test('a non-HTML answer is not parsed; an error page is not either', async () => {
    assert.deepEqual((await page('/pdf')).metadata, { title: '', description: '', canonicalUrl: '', faviconUrl: '' });
    const gone = await page('/gone');
    assert.deepEqual([gone.status, gone.error, gone.metadata.title], ['invalid', '404 Not Found', '']);
  });

  test('after redirects, URLs resolve against the last page', async () => {
    const { metadata } = await page('/redirect');
    assert.deepEqual(metadata, { title: 'after redirect', description: '', canonicalUrl: `${site.url}/canonical`, faviconUrl: `${site.url}/favicon.ico` });
  });
});

describe('reading pages keeps the SSRF guard', () => {
  test('a redirect into a private range is refused at that hop, with no metadata', async () => {
    const guarded: CheckUrlOptions = { ...options, policy: createAddressPolicy({ allowPrivateNetworks: false, allow: ['127.0.0.1/32'] }) };
    assert.deepEqual(await checkUrl(`${site.url}/to-private`, guarded), {
      status: 'invalid',
      httpStatus: 302,
      error: 'blocked address 10.0.0.1',
      metadata: { title: '', description: '', canonicalUrl: '', faviconUrl: '' },
    });
  });
});

describe('parseMetadata', () => {
  test('<base href> moves where relative URLs resolve; the /favicon.ico default stays on the page origin', () => {
    const metadata = parseMetadata('<base href="https://static.example/x/"><link rel="canonical" href="c"><link rel=icon href="i.ico">', 'https://site.example/a');
    assert.deepEqual(metadata, { title: '', description: '', canonicalUrl: 'https://static.example/x/c', faviconUrl: 'https://static.example/x/i.ico' });
    assert.equal(parseMetadata('<title>x</title>', 'https://site.example/a/b').faviconUrl, 'https://site.example/favicon.ico');
  });

  test('a blank og:title falls back to <title>; the first of each tag wins', () => {
    const metadata = parseMetadata('<meta property="og:title" content="  "><title>one</title><title>two</title><meta name=description content=first><meta name=description content=second>', 'https://a.example/');
    assert.deepEqual([metadata.title, metadata.description], ['one', 'first']);
  });

  test('broken HTML still parses: an unclosed title runs to the end', () => {
    assert.equal(parseMetadata('<html><head><title>unclosed', 'https://a.example/').title, 'unclosed');
  });
});
