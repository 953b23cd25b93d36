/**
 * The service worker, served as /sw.js (bundled on its own by web/build.mjs,
 * which fills in SHELL: index.html's path and the hashed files it names).
 * It makes the app installable and able to start offline: the shell is kept
 * in a cache named after the build; pages (/ and /save) come from the network
 * first and from the cache only when it fails; hashed files from the cache
 * first (their names change with their content). Everything else — /v1, sign-in,
 * feeds — is never touched, so no API answer is ever kept.
 */

declare const SHELL: string[];
declare const BUILD: string;

interface ExtendableEvent extends Event {
  waitUntil(work: Promise<unknown>): void;
}
interface FetchEvent extends Event {
  readonly request: Request;
  respondWith(answer: Promise<Response>): void;
}
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}

const worker = self as unknown as WorkerScope;
const prefix = 'delinkcious-shell-';
const cacheName = `${prefix}${BUILD}`;
/** The pages the app draws (the same index.html). */
const pages = new Set(['/', '/save']);
const hashed = new Set(SHELL.filter((path) => !pages.has(path)));

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      .then((cache) => cache.addAll(SHELL))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (event) => {
  // An older build's shell is dropped once this one is in charge.
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith(prefix) && name !== cacheName).map((name) => caches.delete(name))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== worker.location.origin) return;
  if (request.mode === 'navigate' && pages.has(url.pathname)) {
    event.respondWith(fetch(request).catch(async () => (await caches.match('/', { cacheName })) ?? Response.error()));
    return;
  }
  if (hashed.has(url.pathname)) {
    event.respondWith(caches.match(request, { cacheName }).then((kept) => kept ?? fetch(request)));
  }
});
