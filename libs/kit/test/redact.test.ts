import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecrets, redactedUrlAttributes } from '../src/redact.ts';

test('secrets in a URL are redacted: query tokens, an OAuth code and state, the news feed token', () => {
  assert.equal(redactSecrets('/pinboard/v1/posts/all?format=json&auth_token=alice:abc123'), '/pinboard/v1/posts/all?format=json&auth_token=[redacted]');
  assert.equal(redactSecrets('/login/callback?code=c0de&state=st4te'), '/login/callback?code=[redacted]&state=[redacted]');
  assert.equal(redactSecrets('/feeds/news/f33dt0ken?x=1'), '/feeds/news/[redacted]?x=1');
  assert.equal(redactSecrets('/v1/links?tag=token'), '/v1/links?tag=token', 'a value named like a secret is not one');
});

test('span attributes: the redacted URL under both conventions, or nothing when it holds no secret', () => {
  assert.deepEqual(redactedUrlAttributes('/v1/links?limit=5', 'http://h'), {});
  assert.deepEqual(redactedUrlAttributes('/pinboard/v1/posts/recent?auth_token=a:b', 'http://h:1'), {
    'http.target': '/pinboard/v1/posts/recent?auth_token=[redacted]',
    'http.url': 'http://h:1/pinboard/v1/posts/recent?auth_token=[redacted]',
    'url.path': '/pinboard/v1/posts/recent',
    'url.query': 'auth_token=[redacted]',
    'url.full': 'http://h:1/pinboard/v1/posts/recent?auth_token=[redacted]',
  });
  assert.deepEqual(redactedUrlAttributes('/feeds/news/secret', 'https://h'), {
    'http.target': '/feeds/news/[redacted]',
    'http.url': 'https://h/feeds/news/[redacted]',
    'url.path': '/feeds/news/[redacted]',
    'url.full': 'https://h/feeds/news/[redacted]',
  });
});
