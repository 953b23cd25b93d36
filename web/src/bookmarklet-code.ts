/**
 * The bookmarklet's script (offered by views/bookmarklet.ts). Pure: no DOM of
 * this app, so it is tested on its own by running it against a stand-in page.
 */

/** Enough of a selection for a description (the API takes 8192); the address must stay short. */
const maxSelection = 1000;

/** The script, readable; `origin` is this Delinkcious (e.g. https://links.example). */
export function bookmarkletCode(origin: string): string {
  return [
    '(()=>{',
    'const e=encodeURIComponent;',
    `const u=${JSON.stringify(`${origin}/save`)}+'?url='+e(location.href)+'&title='+e(document.title)`,
    `+'&description='+e(String(getSelection()||'').slice(0,${maxSelection}));`,
    // popup=1 tells /save it may close itself: the opener is cut off (COOP), so it cannot tell otherwise.
    "const w=open(u+'&popup=1','delinkcious-save','popup,width=560,height=720');",
    'if(!w)location.href=u;',
    '})()',
  ].join('');
}

/** The bookmark's address: `javascript:` and the script, percent-encoded where an address needs it. */
export function bookmarkletHref(origin: string): string {
  return `javascript:${encodeURI(bookmarkletCode(origin))}`;
}
