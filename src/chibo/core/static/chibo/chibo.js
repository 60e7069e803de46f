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
})();
