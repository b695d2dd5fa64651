// The reader's keyboard: J or → opens the next application of the list, K or ← the previous one;
// never while typing in a field, nor with a modifier key held.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || event.defaultPrevented) {
      return;
    }
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
      return;
    }
    var rel = null;
    if (event.key === "j" || event.key === "J" || event.key === "ArrowRight") {
      rel = "next";
    } else if (event.key === "k" || event.key === "K" || event.key === "ArrowLeft") {
      rel = "prev";
    }
    var link = rel && document.querySelector('.reader-nav a[rel="' + rel + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
})();
