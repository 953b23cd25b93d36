/** Bytes to text: a bookmark file is UTF-8 almost always; old Internet Explorer exports are Windows-1252. */

/** The file's text, without a byte order mark. */
export function decodeFile(input: string | Uint8Array): string {
  if (typeof input === 'string') return input.startsWith('\uFEFF') ? input.slice(1) : input;
  // TextDecoder drops the BOM of the encoding it decodes.
  if (input[0] === 0xff && input[1] === 0xfe) return new TextDecoder('utf-16le').decode(input);
  if (input[0] === 0xfe && input[1] === 0xff) return new TextDecoder('utf-16be').decode(input);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    // Not UTF-8: every byte sequence is valid Windows-1252, the usual encoding of files that are not.
    return new TextDecoder('windows-1252').decode(input);
  }
}
