/**
 * Text read from someone else's web page (title, description) made fit for a
 * link field (docs/design.md §17): control characters dropped (the text rule
 * refuses them), whitespace collapsed, lone surrogates replaced, and cut to the
 * field's limit without splitting a character. Never throws: a page is not input
 * to refuse, only to tidy.
 */
/* eslint-disable no-control-regex -- control characters are exactly what is removed */
const whitespaceLike = /[\s\u0000-\u001f\u007f-\u009f]+/g;
/* eslint-enable no-control-regex */

export function pageText(text: string, max: number): string {
  const collapsed = (text as string & { toWellFormed(): string }).toWellFormed().replace(whitespaceLike, ' ').trim();
  if (collapsed.length <= max) return collapsed;
  let cut = collapsed.slice(0, max);
  // A high surrogate left at the end would be half a character.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.trimEnd();
}

/** An absolute http(s) URL no longer than `max`, else ''. */
export function pageUrl(text: string, max: number): string {
  const trimmed = text.trim();
  // Asked first, not caught: most are '' (a check without a favicon or an archived copy), and a thrown
  // TypeError with its stack cost 3% of the embedded process's time under writes (profile).
  if (!URL.canParse(trimmed)) return '';
  const url = new URL(trimmed);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.href.length > max) return '';
  return url.href;
}
