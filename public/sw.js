// mini-discord's service worker: keeps the app shell (offline page, JS, WASM, CSS, icons) so
// the app opens, and says it is offline, when the server cannot be reached. It never caches
// pages, server function calls or the WebSocket: chat data always comes from the server.
//
// The server fills in BUILD_ID (a digest of the build's assets) when it serves this file, so a
// new build installs a new cache and deletes the old ones.
const CACHE = 'mini-discord-shell-__BUILD_ID__';
const SHELL = [
  '/offline.html',
  '/offline.js',
  '/pkg/mini-discord.js',
  '/pkg/mini-discord.wasm',
  '/pkg/mini-discord.css',
  '/manifest.webmanifest',
  '/favicon.svg',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: 'no-cache' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith('mini-discord-shell-') && name !== CACHE)
          .map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname === '/ws' || url.pathname === '/healthz') return;

  if (request.mode === 'navigate') {
    // Pages are always fresh from the server; the offline page only when it cannot answer.
    event.respondWith(fetch(request).catch(() => caches.match('/offline.html')));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    // The network first, so a page and its assets never come from two builds; the cache
    // when the server is unreachable.
    event.respondWith(
      fetch(request).catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())),
    );
  }
});

// A message notification (src/client/attention.rs) leads to its room: the tab showing it if there
// is one, a new one otherwise.
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const path = typeof event.notification.data === 'string' ? event.notification.data : '/rooms';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((tabs) => {
      const open = tabs.find((tab) => new URL(tab.url).pathname === path);
      if (open) return open.focus();
      // Another of the app's tabs goes to the room rather than a new window opening; only a tab
      // this worker controls can be sent somewhere.
      const ours = tabs.find((tab) => 'navigate' in tab && tab.url.startsWith(self.registration.scope));
      if (ours) return ours.focus().then((tab) => tab.navigate(path)).catch(() => self.clients.openWindow(path));
      return self.clients.openWindow(path);
    }),
  );
});
