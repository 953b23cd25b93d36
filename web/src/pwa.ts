/**
 * The service worker (/sw.js, written by web/build.mjs) that makes the web UI
 * an installable app: it keeps the app shell (index.html and its hashed files)
 * for offline starts and never caches an API answer. Only where browsers allow
 * one (https, or localhost); a failure changes nothing else.
 */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !window.isSecureContext) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js').catch(() => {
      // No offline shell (an old build without sw.js, a private window): the app works as before.
    });
  });
}
