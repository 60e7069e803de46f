// Copy buttons (data-copy="#id"): shown only when the browser can copy; the text stays selectable anyway.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value || source.textContent).then(function () {
        button.textContent = button.getAttribute("data-copied");
      });
    });
  });
  document.querySelectorAll("textarea.copy").forEach(function (area) {
    area.addEventListener("focus", function () { area.select(); });
  });
})();
