// A known V8 fault, not a failing test: V8 (Node.js 22–24) keeps a registry of the pages its
// compiled code lives on, and a process that compiles and frees PGlite's WebAssembly instance after
// instance (a store's contract suite) now and then finds that registry out of step and aborts on
// one of its CHECKs. The process dies mid-file, with none of the file's tests failing. The test
// command runs such a file once more (scripts/test.mjs); anything else that failed is a failure.

/** V8's fatal CHECKs on its registry of JIT pages. */
const jitPageCheck = /^# Check failed: jit_page(?:_->allocations_\.erase\(addr\) == 1|\.has_value\(\))\.?$/gm;

/**
 * The test files whose processes died of that fault in a run of `node --test --test-reporter=spec`
 * with output `output`, when that fault is all that failed; otherwise (a test failed, or a file
 * failed otherwise) null.
 */
export function filesKilledByJitPageCheck(output) {
  const crashes = output.match(jitPageCheck)?.length ?? 0;
  const summary = output.split('\n✖ failing tests:\n')[1];
  if (crashes === 0 || summary === undefined) return null;
  // Each failure of the summary: "test at <where>", "✖ <name> (<ms>)", then its error.
  const failures = [...summary.matchAll(/^test at (.+):(\d+):(\d+)\n✖ (.+?) \([\d.]+ms\)\n {2}(.+)$/gm)];
  if (failures.length === 0 || failures.length > crashes) return null;
  const files = [];
  for (const [, where, line, column, name, error] of failures) {
    // A whole file failed: its process ended badly with no failing test of its own. The file is
    // named by its path as given (Node.js 24) or made absolute (Node.js 20).
    const wholeFile = name === where || name.endsWith(`/${where}`);
    if (!wholeFile || line !== '1' || column !== '1' || error !== "'test failed'") return null;
    files.push(where);
  }
  // Every "test at" of the summary was read: none is left unaccounted for.
  return (summary.match(/^test at /gm)?.length ?? 0) === files.length ? files : null;
}
