// kohub console: keyboard shortcuts only; every page works without this file.
//   /      focus the page's search field
//   g d    dashboard     g t  tickets     g h  hosts
//   n      new ticket / request
// A "g" shortcut goes only where the menu links to (customers have no hosts page).
(function () {
  "use strict";
  var pending = null;
  var routes = { d: "/", t: "/tickets", h: "/hosts" };

  function typing(target) {
    if (!target) return false;
    var tag = target.tagName;
    return target.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key;
    if (pending === "g") {
      pending = null;
      var inMenu = routes[key] && document.querySelector(".topbar nav a[href='" + routes[key] + "']");
      if (inMenu) {
        event.preventDefault();
        window.location.assign(routes[key]);
      }
      return;
    }
    if (key === "/") {
      var search = document.querySelector("[data-shortcut='/']");
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    } else if (key === "g") {
      pending = "g";
      window.setTimeout(function () { pending = null; }, 1200);
    } else if (key === "n") {
      var create = document.querySelector("a.nav-new");
      if (create) {
        event.preventDefault();
        window.location.assign(create.getAttribute("href"));
      }
    }
  });

  // After a form posts and comes back with a message, move focus to it for screen readers.
  document.addEventListener("DOMContentLoaded", function () {
    var message = document.getElementById("problem") || document.getElementById("notice");
    if (message) {
      message.setAttribute("tabindex", "-1");
      message.focus();
    }
  });
})();
