/* Form helpers of the management pages: repeatable rows, a cadre picker, score grids, uploads of
   xlsx files, a live preview (eligible-cadre count), choices taken from another list of the same
   form, and the 筛选 toggle on phones.
   Loaded as a classic deferred script after app.js (window.Cadre). No inline scripts (CSP). */
(function () {
  "use strict";
  var C = window.Cadre;
  var counter = 0;

  function $$(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }

  /* <div data-repeat> holds rows and a <template>; "__i__" in the template becomes a fresh index,
     so removed rows leave no holes that matter (app.js compacts arrays). */
  function initRepeat(box) {
    if (box.dataset.repeatBound) return;
    box.dataset.repeatBound = "1";
    var tpl = box.querySelector("template");
    var rows = box.querySelector("[data-repeat-rows]");
    var add = box.querySelector("[data-repeat-add]");
    function bindRemove(row) {
      var rm = row.querySelector("[data-repeat-remove]");
      if (rm) rm.addEventListener("click", function () {
        row.remove();
        box.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }
    $$(rows, "[data-repeat-row]").forEach(bindRemove);
    if (add && tpl) add.addEventListener("click", function () {
      counter += 1;
      var html = tpl.innerHTML.replace(/__i__/g, "_n" + Date.now().toString(36) + counter);
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      bindRemove(row);
      init(row);
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
      box.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  /* A cadre picker: a search box, a button, and result buttons; the choice goes to a hidden input. */
  function initPicker(root) {
    if (root.dataset.pickBound) return;
    root.dataset.pickBound = "1";
    var input = root.querySelector("[data-pick-q]");
    var button = root.querySelector("[data-pick-go]");
    var list = root.querySelector("[data-pick-results]");
    var hidden = root.querySelector("[data-pick-value]");
    var shown = root.querySelector("[data-pick-chosen]");
    function choose(id, name) {
      hidden.value = String(id);
      shown.textContent = "已选：" + name;
      list.textContent = "";
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function look() {
      var q = (input.value || "").trim();
      if (!q) { input.focus(); return; }
      list.textContent = "查找中…";
      C.request("GET", "/api/search?type=cadre&per_page=8&q=" + encodeURIComponent(q)).then(function (res) {
        list.textContent = "";
        var hits = (res && res.hits) || [];
        if (!hits.length) { list.textContent = "没有找到匹配的干部（只能选择您可查看的干部）"; return; }
        hits.forEach(function (h) {
          var b = document.createElement("button");
          b.type = "button";
          b.className = "btn btn-quiet pick-option";
          b.textContent = h.title + ((h.unit_path || []).length ? "（" + h.unit_path.join(" / ") + "）" : "");
          b.addEventListener("click", function () { choose(h.entity_id, h.title); });
          list.appendChild(b);
        });
      }, function (err) { list.textContent = err.detail; });
    }
    button.addEventListener("click", look);
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { ev.preventDefault(); look(); }
    });
  }

  /* Live preview: the form's fields go to a JSON API as they change; the answer fills the outputs. */
  function initPreview(form) {
    if (form.dataset.previewBound) return;
    form.dataset.previewBound = "1";
    var url = form.dataset.preview;
    var out = document.getElementById(form.dataset.previewOut);
    var timer = null, seq = 0;
    function run() {
      seq += 1;
      var mine = seq;
      var all = C.formJson(form), body = {};
      (form.dataset.previewKeys || "").split(" ").forEach(function (k) {
        if (all[k] !== undefined) body[k] = all[k];
      });
      C.request("POST", url, { json: body }).then(function (res) {
        if (mine !== seq) return;
        out.textContent = "";
        var head = document.createElement("p");
        head.className = "preview-total";
        head.textContent = "符合全部条件的干部：" + res.eligible + " 人（您范围内在职干部 " + res.pool + " 人）";
        out.appendChild(head);
        var ul = document.createElement("ul");
        ul.className = "preview-rules";
        (res.rules || []).forEach(function (r) {
          var li = document.createElement("li");
          li.textContent = r.label + "：" + r.passed + " 人符合";
          ul.appendChild(li);
        });
        out.appendChild(ul);
      }, function (err) {
        if (mine !== seq) return;
        out.textContent = "条件尚不完整或有误，暂不能计算：" + err.detail;
      });
    }
    function later() { clearTimeout(timer); timer = setTimeout(run, 350); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    run();
  }

  /* Score grid: every changed cell becomes {unit_id, indicator_code, score, version} (the version
     of the stored score it changes); a reason field (locked periods) makes it a correction. A
     refusal of the nth cell sent (scores.n…) stands under that cell, named by its label (单位 指标). */
  var SAVED_KEY = "cadre-grid-saved:";
  function initGrid(form) {
    if (form.dataset.gridBound) return;
    form.dataset.gridBound = "1";
    /* The page reloads after a save (totals and ranks are the server's): the confirmation is kept
       for that one reload and then shown in the form's status line. */
    var done = form.querySelector("[data-grid-saved]");
    var said = null;
    try {
      said = sessionStorage.getItem(SAVED_KEY + location.pathname);
      sessionStorage.removeItem(SAVED_KEY + location.pathname);
    } catch (e) { said = null; }
    if (done && said) {
      done.hidden = false;
      done.textContent = said;
    }
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var box = form.querySelector(".form-error");
      if (box) box.hidden = true;
      var cells = [];
      $$(form, "input[data-cell]").forEach(function (el) {
        delete el.dataset.field;
        if (el.value === "" || el.value === el.defaultValue) return;
        var cell = { unit_id: parseInt(el.dataset.unit, 10), indicator_code: el.dataset.indicator,
                     score: el.value };
        if (el.dataset.version) cell.version = parseInt(el.dataset.version, 10);
        var at = "scores." + cells.length;
        el.dataset.field = [at, at + ".score", at + ".unit_id", at + ".indicator_code", at + ".version"].join(" ");
        cells.push(cell);
      });
      if (!cells.length) {
        C.showProblem(box, { detail: "没有修改任何得分" });
        return;
      }
      var reason = form.querySelector("[name=reason]");
      var version = form.querySelector("[name=version]");
      var body = reason ? { reason: reason.value, version: parseInt(version.value, 10), scores: cells }
                        : { scores: cells };
      var spec = form.dataset.grid.split(" ");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      if (done) done.hidden = true;
      C.request(spec[0], spec[1], { json: body, idempotencyKey: reason ? C.newKey() : undefined }).then(function () {
        var message = (reason ? "已提交更正：" : "已保存：") + cells.length + " 项得分";
        try { sessionStorage.setItem(SAVED_KEY + location.pathname, message); } catch (e) { /* shown below */ }
        if (done) { done.hidden = false; done.textContent = message; }
        location.reload();
      }, function (err) {
        button.disabled = false;
        C.showProblem(box, err);
      });
    });
  }

  /* A file posted as multipart to an API (xlsx import, Cadre.upload of app.js); a refusal lists its
     rows and columns. */
  function initUpload(form) {
    if (form.dataset.uploadBound) return;
    form.dataset.uploadBound = "1";
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var box = form.querySelector(".form-error");
      if (box) box.hidden = true;
      var file = form.querySelector("input[type=file]");
      if (!file.files.length) { C.showProblem(box, { detail: "请选择文件" }); return; }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      C.upload(form.dataset.upload, file.files[0], C.newKey()).then(function () {
        location.reload();
      }, function (err) {
        button.disabled = false;
        C.showProblem(box, err);
      });
    });
  }

  /* 筛选 on phones: the filter panel opens and closes with a button (desktop shows it always). */
  function initToggle(button) {
    if (button.dataset.toggleBound) return;
    button.dataset.toggleBound = "1";
    var id = button.getAttribute("aria-controls");
    var panel = document.getElementById(id);
    var key = "cadre-open:" + id;
    function set(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      panel.classList.toggle("is-open", open);
    }
    // The search area is swapped by htmx after each change: the panel stays as the user left it.
    if (button.dataset.remember !== undefined && sessionStorage.getItem(key) === "1") set(true);
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      set(open);
      if (button.dataset.remember !== undefined) sessionStorage.setItem(key, open ? "1" : "0");
    });
  }

  /* <select data-options-from="indicators">: its choices are the rows of that list in the same
     form (value: the row's code, text: its name — never the code alone), kept in step as rows
     are edited, added or removed; a choice whose row is gone falls back to the empty option. */
  function fillChoices(select) {
    var prefix = select.dataset.optionsFrom + ".";
    var rows = {}, order = [];
    Array.prototype.forEach.call(select.form ? select.form.elements : [], function (el) {
      if (!el.name || el.name.indexOf(prefix) !== 0) return;
      var parts = el.name.slice(prefix.length).split(".");
      if (parts.length !== 2) return;
      if (!rows[parts[0]]) { rows[parts[0]] = {}; order.push(parts[0]); }
      rows[parts[0]][parts[1]] = (el.value || "").trim();
    });
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    order.forEach(function (k) {
      var row = rows[k];
      if (row.code) select.add(new Option(row.name || "（未命名的指标）", row.code));
    });
    select.value = keep;
    if (select.value !== keep) select.value = "";
  }
  function initChoices(select) {
    fillChoices(select);
    var form = select.form;
    if (!form || form.dataset.choicesBound) return;
    form.dataset.choicesBound = "1";
    form.addEventListener("input", function (ev) {
      if (ev.target && ev.target.matches && ev.target.matches("select[data-options-from]")) return;
      $$(form, "select[data-options-from]").forEach(fillChoices);
    });
  }

  function init(scope) {
    $$(scope, "select[data-options-from]").forEach(initChoices);
    $$(scope, "[data-repeat]").forEach(initRepeat);
    $$(scope, "[data-pick]").forEach(initPicker);
    $$(scope, "form[data-preview]").forEach(initPreview);
    $$(scope, "form[data-grid]").forEach(initGrid);
    $$(scope, "form[data-upload]").forEach(initUpload);
    $$(scope, "[data-toggle-panel]").forEach(initToggle);
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    document.body.addEventListener("htmx:afterSettle", function (ev) { init(ev.detail.elt); });
  });
})();
