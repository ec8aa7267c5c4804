/* Checks before a form is sent, in the capture phase (before app.js sends it); nothing is sent
   when one fails. A control marked data-confirm-change="…" whose value differs from the page's
   (deactivating an account, changing its role) asks its question; "cancel" sends nothing. A
   control marked data-same-as="<name>" (a new password typed again) must equal that field; else
   its data-same-as-message stands under it. No inline scripts (CSP). */
(function () {
  "use strict";

  function changed(el) {
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    if (el.tagName === "SELECT") {
      return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return el.value !== el.defaultValue;
  }

  function stop(ev) {
    ev.preventDefault();
    ev.stopImmediatePropagation();
  }

  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form || !form.querySelectorAll) return;
    var box = form.querySelector(".form-error");
    var differ = Array.prototype.filter.call(form.querySelectorAll("[data-same-as]"), function (el) {
      var other = form.elements.namedItem(el.dataset.sameAs);
      return other && other.value !== el.value;
    });
    if (differ.length) {
      stop(ev);
      var errors = differ.map(function (el) { return { field: el.dataset.field, message: el.dataset.sameAsMessage }; });
      if (box && window.Cadre) window.Cadre.showProblem(box, { detail: errors[0].message, errors: errors });
      return;
    }
    if (box && window.Cadre) window.Cadre.markFields(box, []);
    var asked = Array.prototype.filter.call(form.querySelectorAll("[data-confirm-change]"), changed)
      .map(function (el) { return el.dataset.confirmChange; });
    if (asked.length && !window.confirm(asked.join("\n"))) stop(ev);
  }, true);
})();
