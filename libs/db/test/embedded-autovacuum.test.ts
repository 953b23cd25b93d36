/** The embedded autovacuum's rounds: put off while the connection is busy, but never for long. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmbeddedAutovacuum, maxPutOff } from '../src/embedded-autovacuum.ts';

function harness(busy: () => boolean) {
  const ran: string[] = [];
  const autovacuum = new EmbeddedAutovacuum({
    dueTables: async () => [
      { schemaname: 'news_manager', relname: 'news_feed' },
      { schemaname: 'link_manager', relname: 'out"box' },
    ],
    run: async (sql) => void ran.push(sql),
    busy,
  });
  return { ran, autovacuum };
}

test('a quiet connection: every table due, each quoted', async () => {
  const { ran, autovacuum } = harness(() => false);
  assert.deepEqual(await autovacuum.pass(), ['news_manager.news_feed', 'link_manager.out"box']);
  assert.deepEqual(ran, ['VACUUM (ANALYZE) "news_manager"."news_feed"', 'VACUUM (ANALYZE) "link_manager"."out""box"']);
});

test(`a busy connection puts the round off, ${maxPutOff} times in a row at most; then every table runs`, async () => {
  const { ran, autovacuum } = harness(() => true);
  for (let round = 1; round <= maxPutOff; round++) assert.deepEqual(await autovacuum.pass(), [], `round ${round} put off`);
  assert.deepEqual(ran, []);
  assert.deepEqual(await autovacuum.pass(), ['news_manager.news_feed', 'link_manager.out"box'], 'forced');
  assert.deepEqual(await autovacuum.pass(), [], 'and the count starts again');
});

test('busy again after a table: the rest wait for the next round', async () => {
  let calls = 0;
  const { ran, autovacuum } = harness(() => calls++ > 0);
  assert.deepEqual(await autovacuum.pass(), ['news_manager.news_feed']);
  assert.equal(ran.length, 1);
});
