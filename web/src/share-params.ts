/**
 * What /save was opened with: the bookmarklet sends url, title and description
 * (the selected text); a phone's share sheet (the manifest's share_target)
 * sends title, text (mapped to description) and url — but Android apps often
 * leave url empty and put the address inside the text ("Look at this https://…"),
 * or even in the title.
 * Pure: no DOM, so it is tested on its own.
 */

export interface SharedLink {
  url: string;
  title: string;
  description: string;
}

/** The first http(s) address in a text, without the punctuation a sentence puts after it. */
export function firstUrlIn(text: string): string | undefined {
  const match = /\bhttps?:\/\/[^\s<>"'`]+/i.exec(text);
  if (!match) return undefined;
  let url = match[0];
  // "(see https://x.example/a)." — a closing bracket belongs to the URL only if it opened one there.
  while (/[.,;:!?)\]}»”’]$/.test(url)) {
    const last = url.at(-1)!;
    const opener = { ')': '(', ']': '[', '}': '{' }[last];
    if (opener && url.split(opener).length > url.split(last).length - 1) break;
    url = url.slice(0, -1);
  }
  return url;
}

export function sharedLink(params: URLSearchParams): SharedLink {
  const url = params.get('url')?.trim() ?? '';
  const title = params.get('title')?.trim() ?? '';
  // The manifest maps the share sheet's text to description; `text` is taken too (other share targets, by hand).
  const description = (params.get('description') ?? '').trim() || (params.get('text') ?? '').trim();
  if (url) return { url, title, description };
  const found = firstUrlIn(description) ?? firstUrlIn(title);
  if (!found) return { url: '', title, description };
  // The rest of the shared text, if any, is what the person wrote about it.
  // (The punctuation that followed the URL goes with it: "Look: https://… ." is "Look:".)
  const rest = description
    .replace(found, ' ')
    .replace(/\s[.,;!?]+(?=\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const cleanTitle = title === found ? '' : title;
  return { url: found, title: cleanTitle, description: rest === cleanTitle ? '' : rest };
}
