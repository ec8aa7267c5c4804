/* Sign-in: POST /api/auth/session sets the HttpOnly session cookie and the CSRF cookie. */
(function () {
  "use strict";
  // The same rule as safe_next() in service/web/pages/auth.py: a plain path on this origin,
  // also after a browser drops TAB/CR/LF and reads "\\" as "/" (and after one more decoding).
  var LOCAL_PATH = /^\/(?![\/\\])[A-Za-z0-9\-._~!$&'()*+,;=:@%\/?]*$/;
  function safeNext(next) {
    if (typeof next !== "string" || !LOCAL_PATH.test(next)) return "/";
    var decoded;
    try { decoded = decodeURIComponent(next); } catch (e) { return "/"; }
    decoded = decoded.replace(/[\x00-\x20\x7f]/g, "").replace(/\\/g, "/");
    if (decoded.charAt(0) !== "/" || decoded.charAt(1) === "/") return "/";
    if (new URL(next, location.origin).origin !== location.origin) return "/";
    return next;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("login-form");
    var box = document.getElementById("login-error");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var username = form.elements.username.value.trim();
      var password = form.elements.password.value;
      if (!username || !password) {
        window.Cadre.showProblem(box, { detail: "请输入用户名和密码" });
        return;
      }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      window.Cadre.request("POST", "/api/auth/session", {
        json: { username: username, password: password }, noRedirect: true
      }).then(function () {
        // Only a local path (the server already checked it; checked again here).
        location.assign(safeNext(form.dataset.next || "/"));
      }, function (err) {
        button.disabled = false;
        if (err.status === 422) err = { detail: "请输入用户名和密码", errors: [] };
        window.Cadre.showProblem(box, err);
        form.elements.password.value = "";
      });
    });
  });
})();
