// The site header on narrow screens: the menu button folds the menu and the account away.
// Loaded in <head> (not deferred) so that the "js" class is set before the page paints:
// without it (no scripts) the panel stays open and every link is still reachable.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.addEventListener("DOMContentLoaded", function () {
    var header = document.querySelector("[data-site-header]");
    if (!header) return;
    var button = header.querySelector(".nav-toggle");
    var panel = header.querySelector(".nav-panel");
    if (!button || !panel) return;
    function set(open) {
      header.classList.toggle("nav-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () {
      set(!header.classList.contains("nav-open"));
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && header.classList.contains("nav-open")) {
        set(false);
        button.focus();
      }
    });
  });
})();
