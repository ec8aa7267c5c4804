/* Shared helpers of every page: API calls with the CSRF token, readable errors, sign-out, tabs.
   Loaded as a classic deferred script (no inline scripts: the CSP allows script-src 'self' only). */
(function () {
  "use strict";

  var CSRF_COOKIE = "cadre_csrf";
  var SAFE = { GET: true, HEAD: true, OPTIONS: true };

  function csrfToken() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) === CSRF_COOKIE) return decodeURIComponent(parts[i].slice(eq + 1));
    }
    return "";
  }

  /* A problem+json answer (or a network failure) as an Error carrying Chinese text. */
  function Problem(status, body) {
    var detail = (body && (body.detail || body.title)) || (status ? "请求失败（" + status + "）" : "网络连接失败，请检查网络后重试");
    var err = new Error(detail);
    err.name = "Problem";
    err.status = status;
    err.title = (body && body.title) || "";
    err.detail = detail;
    err.errors = (body && Array.isArray(body.errors)) ? body.errors : [];
    return err;
  }

  function headersFor(method, opts) {
    var h = { "Accept": "application/json" };
    if (!SAFE[method]) h["X-CSRF-Token"] = csrfToken();
    if (opts.idempotencyKey) h["Idempotency-Key"] = opts.idempotencyKey;
    if (opts.ifMatch) h["If-Match"] = '"' + opts.ifMatch + '"';
    if (opts.json !== undefined) h["Content-Type"] = "application/json";
    return h;
  }

  /* Call the JSON API as the signed-in browser; resolves with the parsed body, rejects with a Problem. */
  function request(method, url, opts) {
    opts = opts || {};
    return fetch(url, {
      method: method, credentials: "same-origin", headers: headersFor(method, opts),
      body: opts.json === undefined ? undefined : JSON.stringify(opts.json)
    }).then(function (res) {
      if (res.status === 401 && !opts.noRedirect) {
        location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      }
      if (res.status === 204) return null;
      var type = res.headers.get("content-type") || "";
      var parsed = type.indexOf("json") >= 0 ? res.json() : Promise.resolve(null);
      return parsed.then(function (body) {
        if (!res.ok) throw Problem(res.status, body);
        return body;
      });
    }, function () { throw Problem(0, null); });
  }

  /* A refused spreadsheet row as a person reads it: "第 3 行 C 列：…" (an error without a row stays). */
  function rowError(i) {
    return i.row ? { field: "", message: "第 " + i.row + " 行" + (i.column ? " " + i.column + " 列" : "") + "：" + i.message } : i;
  }

  /* Post a file as multipart (field "file") to an import API with the given Idempotency-Key.
     Resolves with the parsed answer; rejects with a Problem whose rows read "第 N 行 X 列：…", or
     with the network Problem when there is no readable answer. */
  function upload(url, file, key) {
    var data = new FormData();
    data.append("file", file);
    var headers = { "X-CSRF-Token": csrfToken(), "Accept": "application/json", "Idempotency-Key": key };
    return fetch(url, { method: "POST", credentials: "same-origin", body: data, headers: headers }).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) {
          var err = Problem(res.status, body);
          err.errors = err.errors.map(rowError);
          throw err;
        }
        return body;
      });
    }).catch(function (err) {
      throw err.detail ? err : Problem(0, null);
    });
  }

  var FIELD_NAMES = {
    "cadre_ids": "所涉干部", "cadre_id": "干部", "team_id": "调研组", "occurred_on": "日期",
    "title": "标题", "body": "正文", "attachment_ids": "附件", "period_start": "开始日期",
    "period_end": "结束日期", "reason": "理由", "domain": "工作领域", "metrics": "指标",
    "current_password": "当前密码", "new_password": "新密码", "username": "用户名", "display_name": "姓名",
    "password": "密码", "unit_id": "单位", "name": "名称", "code": "代码", "starts_on": "开始日期",
    "ends_on": "结束日期", "target_unit_id": "拟任单位", "target_post": "拟任职务",
    "target_post_level": "拟任职务层次", "target_rank": "拟晋升职级", "kind": "类别",
    "served_on": "日期", "items_handled": "办理事项", "problems_solved": "解决问题", "held_on": "日期",
    "level": "层级", "organizer_unit_id": "组织单位", "owner_unit_id": "组织单位", "unit_ids": "参评单位",
    "indicators": "指标", "star_rules": "摘星规则", "task_force_unit_ids": "专班", "team": "考察组"
  };

  /* Show an error in a live region as plain text (never as HTML). */
  function showProblem(el, err) {
    if (!el) return;
    el.textContent = "";
    var errors = err.errors || [];
    var head = document.createElement("p");
    head.className = "problem-detail";
    // With field errors the list says what is wrong; the summary is the title (e.g. 输入不符合要求),
    // since the detail repeats the first field error with its technical path.
    head.textContent = (errors.length && err.title) ? err.title : (err.detail || String(err.message || err));
    el.appendChild(head);
    if (errors.length) {
      var ul = document.createElement("ul");
      var form = el.closest ? el.closest("form") : null;
      errors.forEach(function (e) {
        var li = document.createElement("li");
        var field = String(e.field || "").replace(/^body\./, "").replace(/^payload\./, "");
        // Only fields a reader would recognise are named (a known field, or the label of the
        // input the error stands under); technical paths are left out.
        var name = FIELD_NAMES[field] || (form ? controlLabel(form, String(e.field || "")) : "");
        // A message that already names its field (请填写标题) is not prefixed with the name again.
        if (name && String(e.message || "").indexOf(name) >= 0) name = "";
        li.textContent = (name ? name + "：" : "") + (e.message || "");
        ul.appendChild(li);
      });
      el.appendChild(ul);
    }
    el.hidden = false;
    markFields(el, errors);
    if (typeof el.focus === "function") { el.setAttribute("tabindex", "-1"); el.focus(); }
  }

  /* Each field error is also shown at its input (aria-invalid, the message under the field and
     named by aria-describedby), so a person sees which field to fix; the marks of an earlier
     answer go first. Only for inputs of the form that holds the error box. */
  function markFields(el, errors) {
    var form = el.closest ? el.closest("form") : null;
    if (!form) return;
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (n) {
      n.parentNode.removeChild(n);
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) {
      n.removeAttribute("aria-invalid");
      if (n.dataset.describedBy !== undefined) {
        if (n.dataset.describedBy) n.setAttribute("aria-describedby", n.dataset.describedBy);
        else n.removeAttribute("aria-describedby");
      }
    });
    errors.forEach(function (e, i) {
      var sent = String(e.field || "").replace(/^body\./, "");
      if (!sent || !e.message) return;
      var input = null;
      fieldNames(form, sent).forEach(function (field) {
        if (!input) input = controlFor(form, field);
      });
      if (!input) return;
      var msg = document.createElement("p");
      msg.className = "field-error";
      msg.id = (input.id || "field") + "-error-" + i;
      msg.textContent = e.message;
      var holder = input.closest(".field, [data-pick]") || input.parentNode;
      holder.appendChild(msg);
      if (input.dataset.describedBy === undefined) {
        input.dataset.describedBy = input.getAttribute("aria-describedby") || "";
      }
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", (input.dataset.describedBy + " " + msg.id).trim());
    });
  }

  /* The names an error path may stand for in the form, best first: the path as sent, without the
     stage of a union the server names (a hidden input marked data-discriminator: for stage
     "recommendation", payload.recommendation.votes is payload.votes), each array position turned
     into the row it came from (rows added in the browser are named by a token, and removed rows
     leave gaps: the nth row sent is the nth name, as formJson orders them); then the list a
     refused item belongs to (payload.team.0 → payload.team); then the path without "payload.". */
  function fieldNames(form, sent) {
    var parts = sent.split(".");
    Array.prototype.forEach.call(form.querySelectorAll("[data-discriminator]"), function (d) {
      var at = d.name.split(".").length - 1;
      if (parts.slice(0, at).join(".") === d.name.split(".").slice(0, at).join(".") && parts[at] === d.value) {
        parts.splice(at, 1);
      }
    });
    var named = [];
    parts.forEach(function (seg) {
      if (/^\d+$/.test(seg)) {
        var rows = rowKeys(form, named.join(".") + ".");
        if (+seg < rows.length) seg = rows[+seg];
      }
      named.push(seg);
    });
    var out = [named.join(".")];
    while (named.length > 1 && INDEX.test(named[named.length - 1])) {
      named.pop();
      out.push(named.join("."));
    }
    out.push(sent.replace(/^payload\./, ""));
    return out;
  }

  /* The row names under a prefix in the order formJson sends them (numbers first, ascending, then
     the tokens of added rows in page order, as a JavaScript object keeps its keys). */
  function rowKeys(form, prefix) {
    var numbers = [], tokens = [], seen = {};
    Array.prototype.forEach.call(form.elements, function (c) {
      if (!c.name || c.disabled || c.name.indexOf(prefix) !== 0) return;
      var key = c.name.slice(prefix.length).split(".")[0];
      if (!INDEX.test(key) || seen[key]) return;
      seen[key] = true;
      (/^\d+$/.test(key) ? numbers : tokens).push(key);
    });
    numbers.sort(function (a, b) { return a - b; });
    return numbers.concat(tokens);
  }

  /* What a person calls the control an error stands under: its label (a cadre picker: its legend;
     a control without a <label>, such as a cell of the score grid: its aria-label). */
  function controlLabel(form, sent) {
    var control = null;
    sent = sent.replace(/^body\./, "");
    if (!sent) return "";
    fieldNames(form, sent).forEach(function (field) {
      if (!control) control = controlFor(form, field);
    });
    if (!control) return "";
    var pick = control.closest("[data-pick]");
    var label = pick ? pick.querySelector("legend") : (control.labels && control.labels[0]);
    if (!label) return (control.getAttribute("aria-label") || "").trim();
    return label.textContent.replace(/\*/g, "").trim();
  }

  /* The control a person fixes for a field: its own input; else a control that stands for it
     (data-field lists the names it answers for, e.g. a vote's input for its candidate); else the
     search box of the cadre picker whose hidden input holds the value; for a row, its first input. */
  function controlFor(form, field) {
    var input = null, hidden = null;
    Array.prototype.forEach.call(form.elements, function (c) {
      if (c.name !== field) return;
      if (!input && c.type !== "hidden") input = c;
      if (!hidden && c.type === "hidden") hidden = c;
    });
    if (!input) {
      Array.prototype.forEach.call(form.querySelectorAll("[data-field]"), function (c) {
        if (!input && c.dataset.field.split(" ").indexOf(field) >= 0) input = c;
      });
    }
    if (!input && hidden && hidden.closest("[data-pick]")) {
      input = hidden.closest("[data-pick]").querySelector("[data-pick-q]");
    }
    if (!input && INDEX.test(field.split(".").pop())) {
      // A whole row refused: the first input of that row.
      Array.prototype.forEach.call(form.elements, function (c) {
        if (!input && c.type !== "hidden" && c.name && c.name.indexOf(field + ".") === 0) input = c;
      });
    }
    return input;
  }

  function flash(message, kind) {
    var el = document.getElementById("flash");
    if (!el) return;
    el.textContent = message;
    el.className = "flash flash-" + (kind || "info");
    el.hidden = false;
  }

  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* Tabs: buttons with roving tabindex; arrow keys, Home and End move between them. */
  function initTabs(root) {
    var tabs = Array.prototype.slice.call(root.querySelectorAll('[role="tab"]'));
    if (!tabs.length) return;
    function select(tab, focus) {
      tabs.forEach(function (t) {
        var on = t === tab;
        t.setAttribute("aria-selected", on ? "true" : "false");
        t.tabIndex = on ? 0 : -1;
        var panel = document.getElementById(t.getAttribute("aria-controls"));
        if (panel) panel.hidden = !on;
      });
      if (focus) tab.focus();
      if (history.replaceState) history.replaceState(null, "", "#" + tab.getAttribute("aria-controls"));
    }
    tabs.forEach(function (tab, i) {
      tab.addEventListener("click", function () { select(tab, false); });
      tab.addEventListener("keydown", function (ev) {
        var next = null;
        if (ev.key === "ArrowRight" || ev.key === "ArrowDown") next = tabs[(i + 1) % tabs.length];
        else if (ev.key === "ArrowLeft" || ev.key === "ArrowUp") next = tabs[(i - 1 + tabs.length) % tabs.length];
        else if (ev.key === "Home") next = tabs[0];
        else if (ev.key === "End") next = tabs[tabs.length - 1];
        if (next) { ev.preventDefault(); select(next, true); }
      });
    });
    root.classList.add("tabs-ready");
    var wanted = location.hash ? root.querySelector('[aria-controls="' + location.hash.slice(1) + '"]') : null;
    select(wanted || tabs[0], false);
  }

  /* Form fields to a JSON body: dotted names nest ("payload.date"), numeric parts (or "_token" parts
     of repeatable rows) make arrays, data-type converts ("int", "float", "lines", "bool"); empty
     optional fields are left out, and so is a field whose data-requires names an empty field. */
  var INDEX = /^(\d+|_[0-9a-z]+)$/;
  function compact(node) {
    if (node === null || typeof node !== "object") return node;
    if (node.__array) {
      return Object.keys(node).filter(function (k) { return k !== "__array"; })
        .map(function (k) { return compact(node[k]); });
    }
    Object.keys(node).forEach(function (k) { node[k] = compact(node[k]); });
    return node;
  }
  function formJson(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked && el.dataset.type !== "bool") return;
      if (el.dataset.requires) {
        var other = form.elements.namedItem(el.dataset.requires);
        if (!other || !other.value) return;
      }
      var type = el.dataset.type || "";
      var value = el.value;
      if (type === "bool") value = el.checked;
      else if (value === "" && !el.required) return;
      else if (type === "int") value = parseInt(value, 10);
      else if (type === "float") value = parseFloat(value);
      else if (type === "json") value = JSON.parse(value);
      else if (type === "lines") value = value.split(/[\n、,，]+/).map(function (s) { return s.trim(); }).filter(Boolean);
      var path = el.name.split(".");
      var node = out;
      for (var i = 0; i < path.length - 1; i++) {
        if (node[path[i]] === undefined) node[path[i]] = INDEX.test(path[i + 1]) ? { __array: true } : {};
        node = node[path[i]];
      }
      var last = path[path.length - 1];
      if (el.type === "checkbox" && type !== "bool" && el.dataset.multi !== undefined) {
        // Several checkboxes of one name make a list.
        (node[last] = node[last] || []).push(value);
      } else node[last] = value;
    });
    return compact(out);
  }

  /* <form data-api="POST /api/..."> sends its fields as JSON; a POST keeps one Idempotency-Key
     until it succeeds, so pressing the button again never does the work twice. */
  function bindApiForm(form) {
    if (form.dataset.apiBound) return;
    form.dataset.apiBound = "1";
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var spec = form.dataset.api.split(" ");
      var method = spec[0], url = spec[1];
      var box = form.querySelector(".form-error");
      if (box) box.hidden = true;
      if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
      if (method === "POST" && !form.dataset.key) form.dataset.key = newKey();
      var buttons = form.querySelectorAll("button[type=submit]");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      var json = formJson(form);
      if (form.dataset.wrap) { var wrapped = {}; wrapped[form.dataset.wrap] = [json]; json = wrapped; }
      request(method, url, { json: json, idempotencyKey: form.dataset.key }).then(function (body) {
        delete form.dataset.key;
        var then = form.dataset.then;
        if (then === "reload" || !then) location.reload();
        else location.assign(then.replace("{id}", body && body.id !== undefined ? body.id : ""));
      }, function (err) {
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        // A refusal (4xx) created nothing: the corrected form is a new request. After a network
        // failure or 5xx the first attempt may have gone through, so the key is kept for the retry.
        if (err.status >= 400 && err.status < 500) delete form.dataset.key;
        if (box) showProblem(box, err); else flash(err.detail, "error");
      });
    });
  }

  function init(scope) {
    Array.prototype.forEach.call(scope.querySelectorAll("form[data-api]"), bindApiForm);
    Array.prototype.forEach.call(scope.querySelectorAll("[data-tabs]"), initTabs);
    Array.prototype.forEach.call(scope.querySelectorAll("form[data-autosubmit]"), function (form) {
      if (form.dataset.autosubmitBound) return;
      form.dataset.autosubmitBound = "1";
      form.addEventListener("change", function () {
        // With htmx the form's own hx-trigger does this as a partial update.
        if (!window.htmx) form.requestSubmit();
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    var logout = document.getElementById("logout-form");
    if (logout) {
      logout.addEventListener("submit", function (ev) {
        ev.preventDefault();
        request("DELETE", "/api/auth/session", { noRedirect: true }).then(function () {
          location.assign("/login");
        }, function (err) {
          if (err.status === 401) location.assign("/login");
          else flash(err.detail, "error");
        });
      });
    }
    document.body.addEventListener("htmx:configRequest", function (ev) {
      if (!SAFE[ev.detail.verb.toUpperCase()]) ev.detail.headers["X-CSRF-Token"] = csrfToken();
    });
    document.body.addEventListener("htmx:responseError", function (ev) {
      var status = ev.detail.xhr ? ev.detail.xhr.status : 0;
      if (status === 401) location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
      else flash("页面加载失败（" + status + "），请稍后重试", "error");
    });
    document.body.addEventListener("htmx:sendError", function () {
      flash("网络连接失败，请检查网络后重试", "error");
    });
    document.body.addEventListener("htmx:afterSettle", function (ev) { init(ev.detail.elt); });
  });

  window.Cadre = { request: request, showProblem: showProblem, markFields: markFields, flash: flash,
                   csrfToken: csrfToken, newKey: newKey, Problem: Problem, formJson: formJson,
                   upload: upload };
})();
