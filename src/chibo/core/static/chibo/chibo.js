// chibo: small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // htmx requests carry the CSRF token read from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { event.detail.headers["X-CSRFToken"] = meta.content; }
  });
  // Buttons marked data-confirm ask before submitting.
  document.addEventListener("click", function (event) {
    var el = event.target.closest("[data-confirm]");
    if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
  });
  // Buttons marked data-print print the page; without this file they stay hidden (the browser's own print works).
  document.querySelectorAll("[data-print]").forEach(function (el) { el.hidden = false; });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) { window.print(); }
  });
  // Offline reading of library documents (/sw.js): a library page a member may keep names the worker; signing out,
  // and any page shown to someone not signed in, drops everything it kept (the logout answer clears it as well).
  if ("serviceWorker" in navigator) {
    var clearOffline = function () {
      return navigator.serviceWorker.getRegistrations().then(function (registrations) {
        registrations.forEach(function (r) { if (r.active) { r.active.postMessage({ type: "clear" }); } });
      }).catch(function () {});
    };
    document.addEventListener("submit", function (event) {
      if (event.target.matches("[data-logout]")) { clearOffline(); }
    });
    var keep = document.querySelector("[data-offline-worker]");
    if (document.body.hasAttribute("data-signed-out")) {
      clearOffline();
    } else if (keep) {
      navigator.serviceWorker.register(keep.getAttribute("data-offline-worker"), { scope: "/" }).then(function () {
        return navigator.serviceWorker.ready;
      }).then(function (registration) {
        // This page loaded before the worker was in charge: ask it to keep the page now.
        if (!navigator.serviceWorker.controller && registration.active) {
          registration.active.postMessage({ type: "keep", path: keep.getAttribute("data-offline-keep") });
        }
      }).catch(function () {});
    }
  }
})();
