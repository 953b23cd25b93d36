/** See v8-jit-page-crash.mjs. */
export function filesKilledByJitPageCheck(output: string): string[] | null;
