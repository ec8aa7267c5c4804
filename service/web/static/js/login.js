/* Sign-in: POST /api/auth/session sets the HttpOnly session cookie and the CSRF cookie. */
(function () {
  "use strict";
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
        var next = form.dataset.next || "/";
        // Only a local path (the server already checked it; checked again here).
        location.assign(next.charAt(0) === "/" && next.charAt(1) !== "/" ? next : "/");
      }, function (err) {
        button.disabled = false;
        if (err.status === 422) err = { detail: "请输入用户名和密码", errors: [] };
        window.Cadre.showProblem(box, err);
        form.elements.password.value = "";
      });
    });
  });
})();
