{% load i18n static %}{% get_current_language as LANGUAGE %}
// The gate's service worker (served by staff.checkin.service_worker from the gate's
// folder, which is its scope): it keeps the gate page and its files on the phone, so that
// the page opens without network. The page comes from the network first and from here
// when there is none; the files come from here first. Nothing else is kept: the guest
// list and the check-ins live in the page's IndexedDB (static/js/gate.js), and the JSON
// addresses always go to the network.
"use strict";

// Raised by hand when this worker changes; the files' hashed names (in production) change
// the cache's name by themselves.
const VERSION = "1";
const PAGE = "{% url 'checkin:home' %}";
const ASSETS = [
  "{% url 'javascript-catalog' %}",
  "{% static 'vendor/bootstrap/bootstrap.min.css' %}",
  "{% static 'css/site.css' %}",
  "{% static 'css/staff.css' %}",
  "{% static 'js/gate-store.js' %}",
  "{% static 'js/gate-scanner.js' %}",
  "{% static 'js/gate.js' %}",
  "{% static 'vendor/jsqr/jsQR.js' %}",
  "{% static 'img/favicon.ico' %}",
  "{% static 'img/favicon.svg' %}",
  "{% static 'img/apple-touch-icon.png' %}"
];
// A page that does not answer within this time is taken from the cache: at a crowded
// gate a connection may be up but too slow to use.
const NETWORK_WAIT_MS = 4000;

function checksum(text) {
  let hash = 0;
  for (let i = 0; i < text.length; i++) {
    hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  }
  return (hash >>> 0).toString(36);
}

const PREFIX = "elbeday-gate-{{ LANGUAGE }}-";
const CACHE = PREFIX + VERSION + "-" + checksum(ASSETS.join(" "));
const KEPT = new Set(ASSETS.map((url) => new URL(url, self.location.origin).href));

async function keep() {
  const cache = await caches.open(CACHE);
  await cache.addAll(ASSETS.map((url) => new Request(url, { cache: "no-cache" })));
  await keepPage(cache);
}

async function keepPage(cache) {
  const page = await fetch(PAGE, { credentials: "same-origin", cache: "no-store" });
  // Not the sign-in page the gate's address redirects to when the session is gone.
  if (page.ok && !page.redirected) {
    await cache.put(PAGE, page);
  }
}

function timeout(ms) {
  return new Promise((_resolve, reject) => setTimeout(() => reject(new Error("timeout")), ms));
}

// The gate page, and a ticket's page inside the gate's folder, from the network; without
// one, the gate page kept here (which looks the ticket up in its list).
async function networkFirst(request, url) {
  const cache = await caches.open(CACHE);
  try {
    const response = await Promise.race([fetch(request), timeout(NETWORK_WAIT_MS)]);
    // The page kept is the plain one, not a page of search results.
    if (url.pathname === PAGE && !url.search && response.ok && !response.redirected) {
      await cache.put(PAGE, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(PAGE, { ignoreVary: true, ignoreSearch: true });
    if (kept) {
      return kept;
    }
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreVary: true });
  if (kept) {
    return kept;
  }
  const response = await fetch(request);
  if (response.ok) {
    await cache.put(request, response.clone());
  }
  return response;
}

self.addEventListener("install", (event) => {
  event.waitUntil(keep().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith(PREFIX) && name !== CACHE)
            .map((name) => caches.delete(name))
        )
      )
      .then(() => self.clients.claim())
  );
});

// The page asks again when the volunteer gets ready for offline once more.
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "keep" && event.ports[0]) {
    const port = event.ports[0];
    event.waitUntil(
      keep().then(
        () => port.postMessage("kept"),
        () => port.postMessage("failed")
      )
    );
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    const rest = url.pathname.startsWith(PAGE) ? url.pathname.slice(PAGE.length) : null;
    if (rest === "" || (rest && /^[^/]+\/$/.test(rest))) {
      event.respondWith(networkFirst(request, url));
    }
    return;
  }
  if (KEPT.has(url.href)) {
    event.respondWith(cacheFirst(request));
  }
});
