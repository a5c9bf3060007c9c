/*
 * Tadqiq service worker: the app's files for offline start; the data lives in IndexedDB, not here.
 * - install: precache every URL of /app-manifest.json ({version, assets}) into "tadqiq-<version>";
 * - activate: delete the other versions' caches and take control of open pages at once;
 * - navigations: network first (short timeout), else the cached "/";
 * - /assets/… (content-hashed, immutable) and other precached files: cache first;
 * - /api/…: network only, except GET /api/v1/i18n/* (catalogs): stale-while-revalidate.
 */
const PREFIX = "tadqiq-";
const CATALOGS = "tadqiq-catalogs";
const NAVIGATION_TIMEOUT_MS = 3000;
// The app registers "/sw.js?v=<version of /app-manifest.json>": a new version is a new worker.
const CACHE = PREFIX + (new URL(self.location.href).searchParams.get("v") || "current");

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const response = await fetch("/app-manifest.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`app-manifest.json: ${response.status}`);
    const { assets } = await response.json();
    const cache = await caches.open(CACHE);
    await cache.addAll(assets.map((url) => new Request(url, { cache: "no-cache" })));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    const old = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && name !== CACHE && name !== CATALOGS);
    await Promise.all(old.map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error) => { clearTimeout(timer); reject(error); });
  });
}

async function navigation(request) {
  try {
    return await withTimeout(fetch(request), NAVIGATION_TIMEOUT_MS);
  } catch {
    return (await caches.match("/", { cacheName: CACHE })) || (await caches.match("/")) || Response.error();
  }
}

async function cacheFirst(request) {
  const cached = await caches.match(request);
  return cached || fetch(request);
}

async function catalog(event) {
  const cache = await caches.open(CATALOGS);
  const cached = await cache.match(event.request);
  const fresh = fetch(event.request).then(async (response) => {
    if (response.ok) await cache.put(event.request, response.clone());
    return response;
  });
  if (cached) {
    event.waitUntil(fresh.catch(() => {}));
    return cached;
  }
  return fresh;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/")) {
    if (url.pathname.startsWith("/api/v1/i18n/")) event.respondWith(catalog(event));
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigation(request));
    return;
  }
  event.respondWith(cacheFirst(request));
});
