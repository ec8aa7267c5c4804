/* Export buttons (花名册, LRMX, 任免审批表 PDF/Word) on search results, shortlists and dossiers.
   A button names what to export with data attributes; the file comes from the JSON API (POST with
   the CSRF token) and is saved under the name the server gives it. */
(function () {
  "use strict";

  var ENDPOINTS = {
    roster: { url: "/api/rosters/export", body: {} },
    lrmx: { url: "/api/lrmx/export", body: {} },
    "form-pdf": { url: "/api/approval-forms/batch", body: { format: "pdf" } },
    "form-docx": { url: "/api/approval-forms/batch", body: { format: "docx" } }
  };

  function fileName(res) {
    var header = res.headers.get("content-disposition") || "";
    var star = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (star) return decodeURIComponent(star[1]);
    var plain = /filename="([^"]+)"/i.exec(header);
    return plain ? plain[1] : "导出文件";
  }

  function idsFrom(selector) {
    var seen = {};
    var ids = [];
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (a) {
      var m = /\/cadres\/(\d+)/.exec(a.getAttribute("href") || "") || [null, a.getAttribute("data-cadre-id")];
      var id = m[1] && parseInt(m[1], 10);
      if (id && !seen[id]) { seen[id] = true; ids.push(id); }
    });
    return ids;
  }

  function payload(button) {
    var spec = ENDPOINTS[button.getAttribute("data-export")];
    var body = {};
    Object.keys(spec.body).forEach(function (k) { body[k] = spec.body[k]; });
    if (button.hasAttribute("data-shortlist")) {
      body.shortlist_id = parseInt(button.getAttribute("data-shortlist"), 10);
      body.version = parseInt(button.getAttribute("data-version"), 10);
    } else if (button.hasAttribute("data-ids-from")) {
      body.cadre_ids = idsFrom(button.getAttribute("data-ids-from"));
    }
    if (button.getAttribute("data-export") === "roster" && button.hasAttribute("data-per-unit")) {
      body.per_unit = true;
    }
    return { url: spec.url, body: body };
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-export]") : null;
    if (!button || !window.Cadre) return;
    event.preventDefault();
    var req = payload(button);
    if (req.body.cadre_ids && req.body.cadre_ids.length === 0) {
      window.Cadre.flash("当前页面没有可导出的干部", "error");
      return;
    }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    fetch(req.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": window.Cadre.csrfToken() },
      body: JSON.stringify(req.body)
    }).then(function (res) {
      if (!res.ok) {
        return res.json().catch(function () { return null; }).then(function (body) {
          throw new Error((body && (body.detail || body.title)) || ("导出失败（" + res.status + "）"));
        });
      }
      return res.blob().then(function (blob) {
        save(blob, fileName(res));
        window.Cadre.flash("已导出：" + fileName(res), "success");
      });
    }).catch(function (err) {
      window.Cadre.flash(err.message || "网络连接失败，请稍后重试", "error");
    }).then(function () {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
})();
