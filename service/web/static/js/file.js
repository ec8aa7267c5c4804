/* 填报: drafts kept in localStorage, one Idempotency-Key per draft, uploads with progress,
   cadres picked by name or pinyin: for a field record among the cadres the chosen team may file on
   (/api/campaigns/{c}/teams/{t}/cadres), for evidence through /api/search?type=cadre. */
(function () {
  "use strict";
  var C = window.Cadre;
  var uid = 0;

  function $(root, sel) { return root.querySelector(sel); }
  function $$(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }
  function nextId(prefix) { uid += 1; return prefix + "-" + uid; }

  /* Where a picker finds its candidates: the search index (any cadre the user may read). */
  var SEARCH_SOURCE = {
    url: function (q) { return "/api/search?type=cadre&per_page=8&q=" + encodeURIComponent(q); },
    options: function (res) {
      return (res.hits || []).map(function (h) {
        return { id: h.entity_id, name: h.title, unit: (h.unit_path || []).join(" / ") };
      });
    },
    empty: "没有找到匹配的干部（只能选择您可查看的干部）"
  };

  /* ---- cadre picker (combobox + listbox) ---- */
  function Picker(root, onChange, source) {
    var input = $(root, "[data-picker-input]");
    var list = $(root, "[data-picker-list]");
    var chips = $(root, "[data-picker-chips]");
    var note = $(root, "[data-picker-note]");
    var multiple = root.dataset.multiple === "true";
    var chosen = [];
    var options = [];
    var active = -1;
    var timer = null;
    var seq = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function renderChips() {
      chips.textContent = "";
      chosen.forEach(function (c, i) {
        var li = document.createElement("li");
        li.className = "chip";
        var name = document.createElement("span");
        name.textContent = c.name;
        var rm = document.createElement("button");
        rm.type = "button";
        rm.className = "chip-remove";
        rm.textContent = "×";
        rm.setAttribute("aria-label", "移除 " + c.name);
        rm.addEventListener("click", function () {
          chosen.splice(i, 1); renderChips(); tell(""); onChange(); input.focus();
        });
        li.appendChild(name);
        li.appendChild(rm);
        chips.appendChild(li);
      });
    }
    // A note under the chips (in a live region, so it is read out): why picked cadres went.
    function tell(text) {
      note.textContent = "";
      if (!text) return;
      var p = document.createElement("p");
      p.className = "flash flash-warning";
      p.textContent = text;
      note.appendChild(p);
    }
    function pick(i) {
      var o = options[i];
      if (!o) return;
      tell("");
      if (!multiple) chosen = [];
      if (!chosen.some(function (c) { return c.id === o.id; })) chosen.push({ id: o.id, name: o.name });
      input.value = "";
      close();
      renderChips();
      onChange();
    }
    function highlight(i) {
      var items = $$(list, "[role=option]");
      items.forEach(function (el, j) { el.setAttribute("aria-selected", j === i ? "true" : "false"); });
      active = i;
      if (items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      }
    }
    function show(found) {
      list.textContent = "";
      options = found;
      if (!options.length) {
        var none = document.createElement("li");
        none.className = "picker-empty";
        none.textContent = source.empty;
        list.appendChild(none);
      }
      options.forEach(function (o, i) {
        var li = document.createElement("li");
        li.id = nextId("opt");
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var strong = document.createElement("strong");
        strong.textContent = o.name;
        var small = document.createElement("span");
        small.className = "muted";
        small.textContent = " " + o.unit;
        li.appendChild(strong);
        li.appendChild(small);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); pick(i); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function lookup() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      var mine = ++seq;
      var url = source.url(q);
      if (!url) { showText(source.unavailable); return; }
      C.request("GET", url).then(function (res) {
        if (mine === seq) show(source.options(res));
      }, function (err) {
        if (mine === seq) showText(err.detail);
      });
    }
    function showText(text) {
      options = [];
      list.textContent = "";
      var li = document.createElement("li");
      li.className = "picker-empty";
      li.textContent = text;
      list.appendChild(li);
      list.hidden = false;
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 250);
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" && options.length) { ev.preventDefault(); if (list.hidden) list.hidden = false; highlight((active + 1) % options.length); }
      else if (ev.key === "ArrowUp" && options.length) { ev.preventDefault(); highlight((active - 1 + options.length) % options.length); }
      else if (ev.key === "Enter") {
        if (!list.hidden && options.length) { ev.preventDefault(); pick(active >= 0 ? active : 0); }
        else if (input.value.trim()) ev.preventDefault();
      } else if (ev.key === "Escape") close();
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });

    return {
      value: function () { return chosen.slice(); },
      set: function (list2) { chosen = (list2 || []).slice(); renderChips(); tell(""); },
      // The candidates changed (another team): answers still on their way and the open list are
      // dropped; `keep` says which picked cadres stay, the note says why the others went.
      refresh: function () { seq += 1; clearTimeout(timer); options = []; list.textContent = ""; close(); },
      keep: function (allowed, text) {
        chosen = chosen.filter(allowed);
        renderChips();
        tell(text);
      },
      tell: tell,
      input: input
    };
  }

  /* ---- uploads (XMLHttpRequest for progress events) ---- */
  function Uploader(root, onChange) {
    var input = $(root, "[data-upload-input]");
    var list = $(root, "[data-uploads]");
    var done = [];
    var running = 0;

    function row(name) {
      var li = document.createElement("li");
      li.className = "upload";
      var label = document.createElement("span");
      label.className = "upload-name";
      label.textContent = name;
      var bar = document.createElement("progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", name + " 上传进度");
      var status = document.createElement("span");
      status.className = "upload-status";
      status.textContent = "等待上传";
      li.appendChild(label);
      li.appendChild(bar);
      li.appendChild(status);
      list.appendChild(li);
      return { li: li, bar: bar, status: status };
    }
    function addDone(item, ui) {
      done.push(item);
      ui = ui || row(item.name);
      ui.bar.value = 100;
      ui.status.textContent = "已上传";
      var rm = document.createElement("button");
      rm.type = "button";
      rm.className = "btn btn-quiet";
      rm.textContent = "移除";
      rm.setAttribute("aria-label", "移除附件 " + item.name);
      rm.addEventListener("click", function () {
        done = done.filter(function (d) { return d.id !== item.id; });
        ui.li.remove();
        onChange();
      });
      ui.li.appendChild(rm);
    }
    function upload(file) {
      var ui = row(file.name);
      var xhr = new XMLHttpRequest();
      var data = new FormData();
      data.append("file", file, file.name);
      running += 1;
      xhr.open("POST", "/api/attachments");
      xhr.setRequestHeader("X-CSRF-Token", C.csrfToken());
      xhr.setRequestHeader("Idempotency-Key", C.newKey());
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) {
          ui.bar.value = Math.round(ev.loaded / ev.total * 100);
          ui.status.textContent = "上传中 " + ui.bar.value + "%";
        }
      });
      xhr.addEventListener("load", function () {
        running -= 1;
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 201 && body) {
          addDone({ id: body.id, name: body.original_name }, ui);
          onChange();
        } else {
          ui.bar.value = 0;
          ui.li.classList.add("upload-failed");
          ui.status.textContent = "上传失败：" + C.Problem(xhr.status, body).detail;
        }
      });
      xhr.addEventListener("error", function () {
        running -= 1;
        ui.li.classList.add("upload-failed");
        ui.status.textContent = "上传失败：网络连接中断，请恢复网络后重新选择文件";
      });
      xhr.send(data);
    }
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, upload);
      input.value = "";
    });
    return {
      value: function () { return done.slice(); },
      busy: function () { return running > 0; },
      set: function (items) { list.textContent = ""; done = []; (items || []).forEach(function (i) { addDone(i); }); },
      clear: function () { list.textContent = ""; done = []; }
    };
  }

  /* ---- metrics rows of the evidence form ---- */
  function addMetric(form, m) {
    var tpl = document.getElementById("metric-row");
    var li = tpl.content.firstElementChild.cloneNode(true);
    $$(li, ".field").forEach(function (field) {
      var id = nextId("metric");
      $(field, "label").setAttribute("for", id);
      $(field, "input").id = id;
    });
    if (m) {
      $(li, "[data-m=name]").value = m.name || "";
      $(li, "[data-m=value]").value = m.value === undefined ? "" : m.value;
      $(li, "[data-m=unit]").value = m.unit || "";
    }
    $(li, "[data-remove-metric]").addEventListener("click", function () { li.remove(); form.dispatchEvent(new Event("input")); });
    $(form, "[data-metrics]").appendChild(li);
    return li;
  }
  function metrics(form) {
    return $$(form, ".metric-row").map(function (li) {
      return { name: $(li, "[data-m=name]").value.trim(), value: $(li, "[data-m=value]").value,
               unit: $(li, "[data-m=unit]").value.trim() };
    });
  }

  /* ---- one filing form: draft, key, submit ---- */
  function Filing(form) {
    var kind = form.dataset.filing;
    var storeKey = "cadre-draft:" + form.dataset.user + ":" + kind;
    var picker = Picker($(form, "[data-picker]"), save, kind === "record" ? teamSource() : SEARCH_SOURCE);
    var uploads = Uploader($(form, "[data-uploader]"), save);
    var errorBox = $(form, ".form-error");
    var doneBox = $(form, ".form-done");
    var key = null;
    var pending = null;   // the body last sent without an answer (network failure)
    var submitFlag = true;
    var sending = false;  // a request is on its way: further clicks are ignored
    // Just filed and not touched since: another click (the second half of a double-click that lands
    // after a quick answer) must not wipe the success message or offer a second filing.
    var filed = false;

    function fields() {
      var out = {};
      $$(form, "input[name], select[name], textarea[name]").forEach(function (el) {
        if (el.type === "radio") { if (el.checked) out[el.name] = el.value; }
        else out[el.name] = el.value;
      });
      return out;
    }
    function save() {
      var state = { key: key, fields: fields(), cadres: picker.value(), files: uploads.value(),
                    metrics: kind === "evidence" ? metrics(form) : [], pending: pending, at: Date.now() };
      try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* storage full or off */ }
    }
    function restore() {
      var raw = null;
      try { raw = localStorage.getItem(storeKey); } catch (e) { raw = null; }
      if (!raw) return false;
      var state;
      try { state = JSON.parse(raw); } catch (e) { return false; }
      key = state.key || null;
      pending = state.pending || null;
      Object.keys(state.fields || {}).forEach(function (name) {
        $$(form, '[name="' + name + '"]').forEach(function (el) {
          if (el.type === "radio") el.checked = el.value === state.fields[name];
          else el.value = state.fields[name];
        });
      });
      picker.set(state.cadres);
      uploads.set(state.files);
      (state.metrics || []).forEach(function (m) { addMetric(form, m); });
      return true;
    }
    function discard() {
      try { localStorage.removeItem(storeKey); } catch (e) { /* ignore */ }
      key = null;
      pending = null;
    }
    function reset() {
      discard();
      form.reset();
      if (kind === "record") teamDates();
      picker.set([]);
      uploads.clear();
      $$(form, ".metric-row").forEach(function (li) { li.remove(); });
      showKind();
      $(form, "[data-draft-note]").hidden = true;
    }
    function showKind() {
      if (kind !== "record") return;
      var k = form.elements.kind.value;
      $$(form, "fieldset.details").forEach(function (fs) {
        fs.hidden = fs.dataset.kind !== k;
        $$(fs, "input, select, textarea").forEach(function (el) { el.disabled = fs.hidden; });
      });
    }
    function team() {
      var v = form.elements.team ? form.elements.team.value : "";
      if (!v) return {};
      var parts = v.split(":");
      return { campaign_id: parseInt(parts[0], 10), team_id: parseInt(parts[1], 10) };
    }
    function teamName() {
      var opt = form.elements.team && form.elements.team.selectedOptions[0];
      return opt ? opt.textContent.trim() : "";
    }
    // A field record may concern only cadres the chosen team may file on: the server offers those
    // (the team's assignment within what the user may read), the same rule it files records by.
    function teamCadresUrl() {
      var t = team();
      if (!t.team_id) return null;
      return "/api/campaigns/" + t.campaign_id + "/teams/" + t.team_id + "/cadres";
    }
    function teamSource() {
      return {
        url: function (q) {
          var base = teamCadresUrl();
          return base && base + "?limit=8&q=" + encodeURIComponent(q);
        },
        options: function (res) {
          return (res.items || []).map(function (c) {
            return { id: c.id, name: c.name, unit: [c.unit_name, c.post].filter(Boolean).join(" · ") };
          });
        },
        empty: "没有找到匹配的干部（只能选择所选调研组调研范围内的干部）",
        unavailable: "请先选择调研组"
      };
    }
    // Another team: picked cadres outside its range are taken off, named in a note.
    var teamCheck = 0;
    function recheckTeam() {
      picker.refresh();
      var picked = picker.value();
      var base = teamCadresUrl();
      var mine = ++teamCheck;
      if (!picked.length || !base) { picker.tell(""); return; }
      var name = teamName();
      var ids = picked.map(function (c) { return "ids=" + c.id; }).join("&");
      C.request("GET", base + "?limit=200&" + ids).then(function (res) {
        if (mine !== teamCheck) return;
        var allowed = (res.items || []).map(function (c) { return c.id; });
        var checked = picked.map(function (c) { return c.id; });
        var gone = picked.filter(function (c) { return allowed.indexOf(c.id) < 0; });
        picker.keep(function (c) { return checked.indexOf(c.id) < 0 || allowed.indexOf(c.id) >= 0; },
                    gone.length ? "已移除不在“" + name + "”调研范围内的干部：" +
                      gone.map(function (c) { return c.name; }).join("、") + "。如需填报其情况，请改选相应的调研组。" : "");
        save();
      }, function (err) {
        if (mine !== teamCheck) return;
        picker.tell("未能核对已选干部是否在“" + name + "”的调研范围内（" + err.detail + "），提交时将再次核对。");
      });
    }
    // The date must fall within the chosen team's campaign: bound the picker, and move a default
    // date (today) that lies outside it to the nearest allowed day.
    function teamDates() {
      if (!form.elements.team) return;
      var opt = form.elements.team.selectedOptions[0];
      var date = form.elements.occurred_on;
      if (!opt || !opt.dataset.min) return;
      date.min = opt.dataset.min;
      date.max = opt.dataset.max;
      if (date.value && date.value < date.min) date.value = date.min;
      if (date.value && date.value > date.max) date.value = date.max;
    }
    function intOr(value, fallback) { var n = parseInt(value, 10); return isNaN(n) ? fallback : n; }

    function recordBody() {
      var f = form.elements;
      var k = f.kind.value;
      var details = { kind: k };
      if (k === "interview") {
        details.interviewee_relation = f.interviewee_relation.value;
        details.interviewee_count = intOr(f.interviewee_count.value, 1);
      } else if (k === "window_service") {
        details.items_handled = intOr(f.items_handled.value, 0);
        details.problems_solved = intOr(f.problems_solved.value, 0);
      } else if (k === "arena_contest") {
        details.contest_name = f.contest_name.value.trim();
        details.achievements = f.achievements.value;
        details.shortcomings = f.shortcomings.value;
        details.goals = f.goals.value;
        if (f.score.value !== "") details.score = parseFloat(f.score.value);
      }
      var t = team();
      return { campaign_id: t.campaign_id, team_id: t.team_id, kind: k, occurred_on: f.occurred_on.value,
               place: f.place.value.trim(), title: f.title.value.trim(), body: f.body.value,
               details: details, cadre_ids: picker.value().map(function (c) { return c.id; }),
               attachment_ids: uploads.value().map(function (a) { return a.id; }), submit: submitFlag };
    }
    function evidenceBody() {
      var f = form.elements;
      var chosen = picker.value();
      var body = {
        cadre_id: chosen.length ? chosen[0].id : null, domain: f.domain.value, title: f.title.value.trim(),
        description: f.description.value, period_start: f.period_start.value, period_end: f.period_end.value,
        judgement: form.querySelector("input[name=judgement]:checked").value,
        metrics: metrics(form).filter(function (m) { return m.name || m.value; }).map(function (m) {
          return { name: m.name, value: m.value === "" ? null : Number(m.value), unit: m.unit };
        }),
        record_ids: f.record_ids.value.split(/[\s,，、]+/).filter(Boolean).map(function (s) {
          return parseInt(s.replace(/^FR-0*/i, ""), 10);
        }),
        attachment_ids: uploads.value().map(function (a) { return a.id; })
      };
      var t = team();
      if (t.team_id) { body.campaign_id = t.campaign_id; body.team_id = t.team_id; }
      return body;
    }
    function check(body) {
      var errors = [];
      // Each error names its field, so it also stands under that input (Cadre.markFields).
      if (kind === "record") {
        if (!body.team_id) errors.push({ field: "team_id", message: "请选择调研组" });
        if (!body.title) errors.push({ field: "title", message: "请填写标题" });
        if (!body.body.trim()) errors.push({ field: "body", message: "请填写正文" });
        if (!body.occurred_on) errors.push({ field: "occurred_on", message: "请选择日期" });
        if (!body.cadre_ids.length) errors.push({ field: "cadre_ids", message: "请至少选择一名干部" });
      } else {
        if (!body.cadre_id) errors.push({ field: "cadre_id", message: "请选择干部" });
        if (!body.title) errors.push({ field: "title", message: "请填写实绩标题" });
        if (!body.period_start) errors.push({ field: "period_start", message: "请填写开始日期" });
        if (!body.period_end) errors.push({ field: "period_end", message: "请填写结束日期" });
        if (body.record_ids.some(isNaN)) errors.push({ field: "record_ids", message: "记录编号应为数字" });
      }
      if (uploads.busy()) errors.push({ message: "附件仍在上传，请稍候" });
      return errors;
    }
    function submit() {
      if (sending) return;
      if (filed) { doneBox.focus(); return; }
      errorBox.hidden = true;
      doneBox.hidden = true;
      C.markFields(errorBox, []);
      var body = kind === "record" ? recordBody() : evidenceBody();
      var problems = check(body);
      if (problems.length) {
        C.showProblem(errorBox, { detail: "请先完善以下内容", errors: problems });
        return;
      }
      var text = JSON.stringify(body);
      // One key per draft: a re-submit of the same content after a lost answer reuses it, so the
      // server returns the first result instead of filing twice.
      if (!key) key = C.newKey();
      pending = text;
      save();
      var buttons = $$(form, "button[type=submit]");
      buttons.forEach(function (b) { b.disabled = true; });
      sending = true;
      C.request("POST", kind === "record" ? "/api/records" : "/api/evidence",
                { json: body, idempotencyKey: key }).then(function (out) {
        sending = false;
        reset();
        filed = true;
        buttons.forEach(function (b) { b.disabled = false; });
        doneBox.textContent = "";
        var p = document.createElement("p");
        var a = document.createElement("a");
        a.href = (kind === "record" ? "/records/" : "/evidence/") + out.id;
        a.textContent = (kind === "record" ? "FR-" : "EV-") + ("000000" + out.id).slice(-6) + " " + out.title;
        p.appendChild(document.createTextNode(kind === "record" ? (out.state === "draft" ? "已保存草稿：" : "已提交：") : "已提交实绩："));
        p.appendChild(a);
        doneBox.appendChild(p);
        doneBox.hidden = false;
        doneBox.setAttribute("tabindex", "-1");
        doneBox.focus();
      }, function (err) {
        sending = false;
        buttons.forEach(function (b) { b.disabled = false; });
        if (err.status >= 400 && err.status < 500) {
          // Refused: nothing was filed, the corrected draft will be a new request.
          pending = null;
          key = null;
        }
        save();
        if (!err.status) document.getElementById("net-status").hidden = false;
        // A refused cadre is named as the user picked it (the answer carries only its id).
        (err.errors || []).forEach(function (e) {
          if (!Array.isArray(e.ids)) return;
          var names = picker.value().filter(function (c) { return e.ids.indexOf(c.id) >= 0; })
            .map(function (c) { return c.name; });
          if (names.length) e.message = names.join("、") + " " + e.message;
        });
        C.showProblem(errorBox, err);
      });
    }

    if (restore()) $(form, "[data-draft-note]").hidden = false;
    if (!key) key = C.newKey();
    showKind();
    form.addEventListener("input", function () { filed = false; save(); });
    form.addEventListener("change", function (ev) {
      filed = false;
      if (ev.target.name === "kind") showKind();
      if (ev.target.name === "team" && kind === "record") { teamDates(); recheckTeam(); }
      save();
    });
    $$(form, "button[type=submit]").forEach(function (b) {
      b.addEventListener("click", function () { submitFlag = b.dataset.submit !== "false"; });
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); submit(); });
    $(form, "[data-draft-discard]").addEventListener("click", function () {
      reset();
      filed = false;
      picker.input.focus();
    });
    var add = $(form, "[data-add-metric]");
    if (add) add.addEventListener("click", function () { var li = addMetric(form); $(li, "input").focus(); save(); });
    if (kind === "record") teamDates();
  }

  document.addEventListener("DOMContentLoaded", function () {
    $$(document, "form[data-filing]").forEach(Filing);
    var net = document.getElementById("net-status");
    window.addEventListener("offline", function () { if (net) net.hidden = false; });
    window.addEventListener("online", function () { if (net) net.hidden = true; });
  });
})();
