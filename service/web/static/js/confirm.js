/* Questions before a change that cannot be taken back quietly: a control marked
   data-confirm-change="…" whose value differs from the page's (deactivating an account, changing
   its role) asks its question when its form is sent; "cancel" sends nothing. Runs in the capture
   phase, before app.js sends the form. No inline scripts (CSP). */
(function () {
  "use strict";

  function changed(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || !form.querySelectorAll) return;
    var asked = Array.prototype.filter.call(form.querySelectorAll("[data-confirm-change]"), changed)
      .map(function (el) { return el.dataset.confirmChange; });
    if (asked.length && !window.confirm(asked.join("\n"))) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);
})();
