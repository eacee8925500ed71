// The offline group-session screen (issue 13 item 5). Served from /service-worker.js so that it may
// control the whole site, but it keeps only what a facilitator needs with no signal: a page the
// server marked "Rapport-Offline: keep" (the group session screen with its roster, and the group's
// crisis lines and sealing key), and the site's own static files. Every other request passes
// straight to the network untouched, and nothing is ever posted from here: the page sends what
// waits, so a request refused offline is the page's to retry.
const CACHE = "rapport-offline-v1";
const KEEP_HEADER = "Rapport-Offline";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("rapport-offline-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

function isStatic(url) {
  return url.origin === self.location.origin && url.pathname.startsWith("/static/");
}

// Network first, so a facilitator online always sees today's roster; the copy is used only when
// the network fails. Only responses the server marked are kept (never another client's page).
async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && (response.headers.get(KEEP_HEADER) === "keep" || isStatic(new URL(request.url)))) {
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const kept = request.mode === "navigate" || isStatic(url) || url.pathname.endsWith("/offline");
  if (!kept) return;
  event.respondWith(networkFirst(request));
});

// Signing out (offline.js) or the server's Clear-Site-Data empties the copy; this also answers a
// page that asks outright.
self.addEventListener("message", (event) => {
  if (event.data === "forget") {
    event.waitUntil(caches.keys().then((names) => Promise.all(names.map((n) => caches.delete(n)))));
  }
});
