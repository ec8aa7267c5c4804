/* 领导班子: a democratic evaluation round imported from the filled template. The file goes as
   multipart to the API (Cadre.upload, app.js), the round's name, date and campaign as its query; a
   refusal lists each wrong row and column, and a wrong name or date stands under its input.
   No inline scripts (CSP). */
(function () {
  "use strict";
  var C = window.Cadre;

  function bind(form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var box = form.querySelector(".form-error");
      box.hidden = true;
      C.markFields(box, []);
      var file = form.querySelector("input[type=file]");
      if (!file.files.length) {
        C.showProblem(box, { detail: "请选择填好的测评表（.xlsx）", errors: [{ field: "file", message: "请选择文件" }] });
        return;
      }
      var query = new URLSearchParams();
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && el.type !== "file" && el.value !== "") query.append(el.name, el.value);
      });
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      // One key per chosen file and meta data: pressing again after a lost answer imports once.
      var fingerprint = query.toString() + "|" + file.files[0].name + "|" + file.files[0].size;
      if (form.dataset.fingerprint !== fingerprint) {
        form.dataset.fingerprint = fingerprint;
        form.dataset.key = C.newKey();
      }
      var url = form.dataset.evaluationImport + "?" + query.toString();
      C.upload(url, file.files[0], form.dataset.key).then(function () {
        location.reload();
      }, function (err) {
        button.disabled = false;
        if (err.status >= 400 && err.status < 500) delete form.dataset.fingerprint;
        C.showProblem(box, err);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-evaluation-import]"), bind);
  });
})();
