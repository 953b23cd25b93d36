/**
 * The C allocator's side of the embedded process's memory (docs/design.md §13). glibc's malloc keeps
 * memory a thread freed for that thread's next allocations: V8's optimizing compiler, working on
 * background threads, left 60-85 MB resident that way after it tiered PGlite's WebAssembly up, and
 * Node.js 24 ~40 MB of its own after a burst of saves. With a fixed mmap threshold, a block of 64 kB or
 * more is mapped on its own and unmapped when freed; with a fixed trim threshold, the heap's free top
 * goes back past 128 kB. glibc reads both from the environment when the process starts (they cannot
 * be set from inside it), so `npm start` sets them (package.json) and the benchmark starts the
 * process with them, as `npm start` does.
 */
import type { Env } from './runtime.ts';

/** The settings, as environment variables for a process about to start. */
export const returnFreedMemory: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_MMAP_THRESHOLD_: '65536',
  MALLOC_TRIM_THRESHOLD_: '131072',
});

/** The C library this process runs on: glibc's version, or undefined for another (musl, macOS). */
function glibcVersion(): string | undefined {
  const report = process.report as unknown as { excludeNetwork: boolean; getReport(): { header: { glibcVersionRuntime?: string } } };
  // The report's network part (a socket listing) is not needed here and is the slow part.
  const excluded = report.excludeNetwork;
  report.excludeNetwork = true;
  try {
    return report.getReport().header.glibcVersionRuntime;
  } finally {
    report.excludeNetwork = excluded;
  }
}

/** Whether this process started with both settings (set to any value), on glibc. */
export function returnsFreedMemory(env: Env, libc: () => string | undefined = glibcVersion): boolean {
  return Object.keys(returnFreedMemory).every((name) => (env[name] ?? '') !== '') && libc() !== undefined;
}
