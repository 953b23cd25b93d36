import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { ConfigError, commonConfig, logFormatOf, prettyStream, readConfig } from '../src/index.ts';

test('LOG_FORMAT chooses; unset, a terminal gets pretty lines and anything else JSON', () => {
  assert.equal(logFormatOf({ LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(logFormatOf({ LOG_FORMAT: 'pretty' }, false), 'pretty');
  assert.equal(logFormatOf({}, true), 'pretty');
  assert.equal(logFormatOf({}, false), 'json');
});

test('a bad LOG_FORMAT stops start-up with a line naming the variable', () => {
  assert.throws(() => readConfig(commonConfig, { LOG_FORMAT: 'yaml' }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, 'LOG_FORMAT must be one of json, pretty, got "yaml"');
    return true;
  });
});

test('pretty lines: one line per event, with the service, the message and the other fields, no JSON', async () => {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const logger = pino({ level: 'info' }, prettyStream(false, out)).child({ service: 'link-service' });
  logger.warn({ url: 'https://example.org/', attempt: 2 }, 'link check failed');
  logger.info('request');
  await new Promise((resolve) => setImmediate(resolve));
  const lines = text.trimEnd().split('\n');
  assert.equal(lines.length, 2, text);
  assert.match(lines[0]!, /^\[\d\d:\d\d:\d\d\] WARN: link-service: link check failed \{"url":"https:\/\/example.org\/","attempt":2\}$/);
  assert.match(lines[1]!, /INFO: link-service: request$/);
});
