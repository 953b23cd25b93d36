export const prebuiltDir: string;
export const inputsFile: string;
export function upToDatePrebuilt(): { preload: string; main: string } | undefined;
