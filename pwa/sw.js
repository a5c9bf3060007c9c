// Navigations network first (3 s), files from the version's cache, the API from the network, catalogs stale-while-revalidate.
const PREFIX = "tadqiq-";
const CATALOGS = "tadqiq-catalogs";
const CACHE = PREFIX + (new URLSearchParams(location.search).get("v") || "current");

self.addEventListener("install", (event) => event.waitUntil((async () => {
  const response = await fetch("/app-manifest.json", { cache: "no-store" });
  if (!response.ok) throw new Error(`app-manifest.json: ${response.status}`);
  const { assets } = await response.json();
  await (await caches.open(CACHE)).addAll(assets.map((url) => new Request(url, { cache: "no-cache" })));
  await self.skipWaiting();
})()));

self.addEventListener("activate", (event) => event.waitUntil((async () => {
  const old = (await caches.keys()).filter((name) => name.startsWith(PREFIX) && ![CACHE, CATALOGS].includes(name));
  await Promise.all(old.map((name) => caches.delete(name)));
  await self.clients.claim();
})()));

async function navigation(request) {
  try {
    return await Promise.race([fetch(request), new Promise((_, reject) => setTimeout(reject, 3000))]);
  } catch {
    return (await caches.match("/", { cacheName: CACHE })) || (await caches.match("/")) || Response.error();
  }
}

async function catalog(event) {
  const cache = await caches.open(CATALOGS);
  const cached = await cache.match(event.request);
  const fresh = fetch(event.request).then(async (response) => {
    if (response.ok) await cache.put(event.request, response.clone());
    return response;
  });
  if (!cached) return fresh;
  event.waitUntil(fresh.catch(() => {}));
  return cached;
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.startsWith("/api/v1/i18n/")) event.respondWith(catalog(event));
  else if (!url.pathname.startsWith("/api/")) {
    event.respondWith(request.mode === "navigate" ? navigation(request) : caches.match(request).then((cached) => cached || fetch(request)));
  }
});
