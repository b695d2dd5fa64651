// The 申报书's errors, shown when they help: at a field once it was left (blur/change) or after a submit
// attempt, never on a fresh form. Autosave answers with the problems of what was typed (#field-problems);
// only fields the applicant touched show them. Error summary and advice links focus their field. The sticky
// save bar never covers the focused field.
(function () {
  "use strict";
  var touched = new Set();

  function fieldOf(el) { return el && el.closest ? el.closest("[data-path]") : null; }

  function show(container, messages) {
    var box = container.querySelector(":scope > .field-errors");
    if (!box) return;
    box.textContent = "";
    messages.forEach(function (text) {
      var p = document.createElement("p");
      p.className = "field-error";
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = "错误：";
      p.appendChild(hidden);
      p.appendChild(document.createTextNode(text));
      box.appendChild(p);
    });
    container.classList.toggle("has-error", messages.length > 0);
    container.querySelectorAll(":scope > input, :scope > textarea, :scope > .range > input, :scope > label > input[id]").forEach(function (input) {
      if (messages.length) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", box.id);
      } else if (input.getAttribute("aria-describedby") === box.id) {
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      }
    });
  }

  function refresh() {
    var holder = document.getElementById("field-problems");
    if (!holder) return;
    var problems = {};
    try { problems = JSON.parse(holder.getAttribute("data-problems") || "{}"); } catch (e) { problems = {}; }
    touched.forEach(function (path) {
      var container = document.querySelector('[data-path="' + CSS.escape(path) + '"]');
      if (container) show(container, problems[path] || []);
    });
  }

  function focusTarget(id) {
    var target = document.getElementById(id);
    if (!target) return false;
    if (!target.matches("input, textarea, select, button")) {
      target = target.querySelector("input:not([type=hidden]), textarea, select") || target;
      if (!target.hasAttribute("tabindex") && !target.matches("input, textarea, select")) target.setAttribute("tabindex", "-1");
    }
    var label = target.id && document.querySelector('label[for="' + CSS.escape(target.id) + '"]');
    var field = fieldOf(target);
    (field || label || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
    return true;
  }

  function uncover(el) {
    var bar = document.querySelector(".savebar");
    if (!bar || !el || bar.contains(el) || !el.getBoundingClientRect) return;
    var r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
    if (b.top >= window.innerHeight || r.bottom <= b.top || r.top >= b.bottom) return;
    window.scrollBy(0, r.bottom - b.top + 16);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("application-form");
    if (!form) return;
    var mark = function (event) {
      var field = fieldOf(event.target);
      if (field && form.contains(field)) touched.add(field.getAttribute("data-path"));
    };
    form.addEventListener("focusout", mark);
    form.addEventListener("change", mark);
    document.body.addEventListener("htmx:afterSettle", refresh);
    document.addEventListener("focusin", function (event) { uncover(event.target); });
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[data-focus]") : null;
      if (link && focusTarget(link.getAttribute("data-focus"))) event.preventDefault();
    });
    var first = document.querySelector("[data-autofocus]");
    if (first) {
      first.focus();
      first.scrollIntoView({ block: "start" });
    }
  });
})();
