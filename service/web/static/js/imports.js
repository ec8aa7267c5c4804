/* The import page: upload a file, show the preview (per file/row: action, field changes, warnings,
   errors, consistency checks), apply it with one click, then show the report. */
(function () {
  "use strict";

  var STATUS = { create: "新建", update: "修改", unchanged: "无变化", error: "有错误" };
  var result = document.getElementById("import-result");
  if (!result) return;
  var summary = document.getElementById("import-summary");
  var files = document.getElementById("import-files");
  var problem = document.getElementById("import-problem");
  var applyButton = document.getElementById("import-apply");
  var heading = document.getElementById("result-h");
  var applyUrl = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function issues(list, cls, prefix) {
    var ul = el("ul", "import-issues");
    list.forEach(function (i) {
      var where = (i.row ? "第" + i.row + "行" : "") + (i.column ? i.column + "列 " : "");
      ul.appendChild(el("li", cls, prefix + where + i.field + "：" + i.message));
    });
    return ul;
  }

  function renderFile(f) {
    var box = el("article", "import-file status-" + f.status);
    box.appendChild(el("h4", "", f.name + (f.cadre_name ? "　" + f.cadre_name : "") + "　【" + (STATUS[f.status] || f.status) + "】"));
    if (f.errors && f.errors.length) box.appendChild(issues(f.errors, "error", "错误："));
    if (f.warnings && f.warnings.length) box.appendChild(issues(f.warnings, "", "提示："));
    if (f.checks && f.checks.length) box.appendChild(issues(f.checks, "", "核查："));
    if (f.changes && f.changes.length) {
      var table = el("table");
      var head = el("tr");
      ["字段", "原值", "新值"].forEach(function (t) { head.appendChild(el("th", "", t)); });
      table.appendChild(head);
      f.changes.forEach(function (c) {
        var tr = el("tr");
        tr.appendChild(el("td", "", c.field));
        tr.appendChild(el("td", "", c.before));
        tr.appendChild(el("td", "", c.after));
        table.appendChild(tr);
      });
      box.appendChild(table);
    }
    return box;
  }

  function show(out, title) {
    result.hidden = false;
    heading.textContent = title;
    problem.textContent = "";
    files.textContent = "";
    summary.textContent = "";
    var counts = out.summary
      ? [["文件/行", out.summary.files], ["新建", out.summary.create], ["修改", out.summary.update],
         ["无变化", out.summary.unchanged], ["有错误", out.summary.error]]
      : [["一致", out.same], ["不一致", out.different], ["库中无此人", out.missing], ["无法识别", out.errors]];
    counts.forEach(function (c) { summary.appendChild(el("span", "badge", c[0] + " " + c[1])); });
    (out.files || out.rows || []).forEach(function (f) { files.appendChild(renderFile(f)); });
    var canApply = out.status === "previewed" && out.summary.error === 0 &&
      (out.summary.create + out.summary.update) > 0;
    applyUrl = canApply ? out.apply_url : null;
    applyButton.hidden = !canApply;
    result.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  function upload(form, url) {
    var data = new FormData();
    data.append("file", form.querySelector('input[type="file"]').files[0]);
    var params = [];
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) {
      if (s.value) params.push(encodeURIComponent(s.name) + "=" + encodeURIComponent(s.value));
    });
    return fetch(url + (params.length ? "?" + params.join("&") : ""), {
      method: "POST", credentials: "same-origin", body: data,
      headers: { "Accept": "application/json", "X-CSRF-Token": window.Cadre.csrfToken() }
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (body) {
        if (!res.ok) throw body || { detail: "上传失败（" + res.status + "）" };
        return body;
      });
    });
  }

  function fail(body) {
    result.hidden = false;
    window.Cadre.showProblem(problem, { title: body.title || "", detail: body.detail || "操作失败",
                                        errors: body.errors || [] });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-import], form[data-check]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      var check = form.hasAttribute("data-check");
      upload(form, form.getAttribute(check ? "data-check" : "data-import")).then(function (out) {
        show(out, check ? "比对结果：" + out.file_name : "预览：" + out.file_name);
      }, fail).then(function () { button.disabled = false; });
    });
  });

  applyButton.addEventListener("click", function () {
    if (!applyUrl) return;
    applyButton.disabled = true;
    window.Cadre.request("POST", applyUrl).then(function (out) {
      show(out, "导入完成：" + out.file_name);
      window.Cadre.flash("已导入：新建 " + out.summary.create + "，修改 " + out.summary.update, "success");
    }, fail).then(function () { applyButton.disabled = false; });
  });
})();
