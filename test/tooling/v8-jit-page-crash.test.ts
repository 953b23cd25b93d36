import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { filesKilledByJitPageCheck } from '../../scripts/v8-jit-page-crash.mjs';

const fatal = (check: string) => `

#
# Fatal error in , line 0
# Check failed: ${check}.
#
#
#
#FailureMessage Object: 0x7ffcffbd22a0
----- Native stack trace -----

 1: 0x9f17a1  [/usr/bin/node]
`;
const killed = (file: string) => `test at ${file}:1:1
✖ ${file} (11952.732679ms)
  'test failed'
`;
const summary = (...failures: string[]) => `ℹ tests 1437
ℹ fail ${failures.length}

✖ failing tests:

${failures.join('\n')}`;

describe('the test command: files killed by V8\'s JIT-page CHECK', () => {
  it('names the file whose process died of the CHECK when that is all that failed (output of a real run)', () => {
    const output = `▶ LinkStore private links contract: PGlite, listings cached
  ✔ a change whose event builder answers null records no event (8.952901ms)
${fatal('jit_page_->allocations_.erase(addr) == 1')}✖ services/link-service/test/link-store.test.ts (11952.732679ms)
${summary(killed('services/link-service/test/link-store.test.ts'))}`;
    assert.deepEqual(filesKilledByJitPageCheck(output), ['services/link-service/test/link-store.test.ts']);
  });

  it('reads the file as Node.js 20 names it, by its absolute path, and answers it as given', () => {
    const output = `${fatal('jit_page_->allocations_.erase(addr) == 1')}${summary(`test at libs/a.test.ts:1:1
✖ /work/main/libs/a.test.ts (576.4ms)
  'test failed'
`)}`;
    assert.deepEqual(filesKilledByJitPageCheck(output), ['libs/a.test.ts']);
  });

  it('knows the CHECK on looking a page up too, and names each killed file', () => {
    const output = `${fatal('jit_page.has_value()')}${fatal('jit_page_->allocations_.erase(addr) == 1')}${summary(killed('a.test.ts'), killed('b.test.ts'))}`;
    assert.deepEqual(filesKilledByJitPageCheck(output), ['a.test.ts', 'b.test.ts']);
  });

  it('is null when a test failed too: that is a failure, not the fault', () => {
    const failedTest = `test at services/x.test.ts:12:3
✖ answers 404 for a missing link (3.1ms)
  AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:
`;
    assert.equal(filesKilledByJitPageCheck(`${fatal('jit_page.has_value()')}${summary(killed('a.test.ts'), failedTest)}`), null);
  });

  it('is null when a file died without the CHECK, or more files died than there were CHECKs', () => {
    assert.equal(filesKilledByJitPageCheck(summary(killed('a.test.ts'))), null, 'no fatal CHECK in the output');
    assert.equal(filesKilledByJitPageCheck(`${fatal('some_other_invariant')}${summary(killed('a.test.ts'))}`), null, 'another fatal error');
    assert.equal(filesKilledByJitPageCheck(`${fatal('jit_page.has_value()')}${summary(killed('a.test.ts'), killed('b.test.ts'))}`), null);
  });

  it('is null for a run that passed', () => {
    assert.equal(filesKilledByJitPageCheck(`${fatal('jit_page.has_value()')}ℹ tests 10\nℹ fail 0\n`), null);
  });
});
