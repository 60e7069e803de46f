// chibo's service worker: the library documents a member opened stay readable on their phone without a network.
// It keeps only what the server marks "X-Chibo-Offline: keep" (an unclassified document's page and its file, and the
// member's list of documents, and only for a member they are addressed to) plus the styles, scripts and icons those
// pages use, all from this site (nothing from elsewhere). Every other request goes to the network untouched. The
// cache is dropped when the member signs out (the logout answers `Clear-Site-Data`, the page tells the worker too)
// and whenever a page is shown to someone not signed in.
"use strict";
const SHELL_CACHE = "chibo-shell-{{ version }}";
const DOCS_CACHE = "chibo-library";
const SHELL = {{ shell|safe }};
const KEEP = "X-Chibo-Offline";
const DOCUMENT = /^\/library\/documents\/(\d+)\/$/;
const OFFLINE_PATHS = [/^\/library\/$/, DOCUMENT, /^\/library\/documents\/\d+\/file\/$/, /^\/library\/files\/\d+\/$/];
const OFFLINE_PAGE = "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
  + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Không có mạng · chibo</title>"
  + "<link rel=\"stylesheet\" href=\"{{ css }}\"></head><body><main id=\"main\"><h1>Không có kết nối mạng</h1>"
  + "<p class=\"help\">Tài liệu này chưa được lưu trên máy để đọc khi không có mạng. Chỉ những tài liệu đồng chí "
  + "đã mở khi có mạng mới đọc được lúc không có mạng.</p></main></body></html>";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith("chibo-shell-") && k !== SHELL_CACHE)
      .map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

function clearAll() {
  return caches.keys().then((keys) => Promise.all(keys.filter((k) => k.startsWith("chibo-"))
    .map((k) => caches.delete(k))));
}

function kept(response) {
  return response.ok && response.type === "basic" && response.headers.get(KEEP) === "keep";
}

// The page of a document the member may read, fetched and kept (with its file, when the server names it).
function keep(path, response) {
  return caches.open(DOCS_CACHE).then((cache) => {
    if (!kept(response)) {  // no longer readable here, or nothing to keep: forget any copy
      return cache.delete(path).then(() => undefined);
    }
    const put = cache.put(path, response.clone());
    const file = response.headers.get("X-Chibo-Offline-File");
    const doc = DOCUMENT.exec(path);
    if (!file || !doc) {
      return put;
    }
    return put.then(() => cache.match(file)).then((have) => have ? undefined : fetch(file).then((answer) => {
      if (kept(answer)) {
        return Promise.all([cache.put(file, answer.clone()), cache.put(path + "file/", answer)]);
      }
      return undefined;
    })).catch(() => undefined);
  });
}

self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "clear") {
    event.waitUntil(clearAll());
  } else if (data.type === "keep" && typeof data.path === "string" && OFFLINE_PATHS.some((p) => p.test(data.path))) {
    event.waitUntil(fetch(data.path, {credentials: "same-origin"}).then((r) => keep(data.path, r))
      .catch(() => undefined));
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
  if (SHELL.includes(url.pathname)) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(SHELL_CACHE).then((cache) => cache.put(url.pathname, copy)));
      }
      return response;
    }).catch(() => caches.match(url.pathname).then((hit) => hit || Response.error())));
    return;
  }
  if (url.search || !OFFLINE_PATHS.some((p) => p.test(url.pathname))) {
    return;  // everything else: the network, never kept
  }
  event.respondWith(fetch(request).then((response) => {
    event.waitUntil(keep(url.pathname, response.clone()));
    return response;
  }).catch(() => caches.open(DOCS_CACHE).then((cache) => cache.match(url.pathname)).then((hit) => hit
    || new Response(OFFLINE_PAGE, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}}))));
});
