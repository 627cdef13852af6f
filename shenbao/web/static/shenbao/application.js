// The 申报书 section form: autosave while typing and when leaving, live findings, table rows.
// Without JavaScript the form still works: the Save button posts it and the page comes back.
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form) return;
  var autosave = form.dataset.autosave === "1";
  var state = document.getElementById("save-state");
  var version = document.getElementById("version");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  // dirty: something changed since the last save was sent. Nothing is posted without it, so leaving a
  // page (which fires visibilitychange) never saves an unchanged section behind the next page's back.
  var timer = null, inFlight = false, pending = false, stopped = false, dirty = false;

  // Template rows are copied by "add a row"; they must never be posted themselves.
  form.querySelectorAll("tr.template input, tr.template select, tr.template textarea").forEach(function (el) {
    el.disabled = true;
  });

  function say(text) { if (state) state.textContent = text; }

  function showErrors(errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (p) {
      p.textContent = errors[p.dataset.errorFor] || "";
      var field = p.closest(".field");
      if (field) field.classList.toggle("has-error", Boolean(errors[p.dataset.errorFor]));
    });
  }

  function save(leaving) {
    if (!autosave || stopped || !dirty) return Promise.resolve();
    if (inFlight) { pending = true; return Promise.resolve(); }
    inFlight = true;
    dirty = false;
    say("正在保存…");
    var body = new FormData(form);
    return fetch(window.location.pathname, {
      method: "POST", body: body, credentials: "same-origin", keepalive: Boolean(leaving),
      headers: { "X-Autosave": "1", "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      if (result.status === 409) {
        stopped = true;
        var stale = document.getElementById("stale");
        stale.textContent = result.data.message;
        stale.hidden = false;
        say("未保存");
        return;
      }
      version.value = result.data.version;
      showErrors(result.data.errors || {});
      document.getElementById("findings-panel").querySelector("ul, p.finding")
        .outerHTML = result.data.findings_html;
      document.getElementById("progress-panel").innerHTML = result.data.progress_html;
      var errorCount = Object.keys(result.data.errors || {}).length;
      say(errorCount ? "已保存，" + errorCount + "处内容有误未保存" : "已自动保存 " + new Date().toLocaleTimeString("zh-CN"));
    }).catch(function () {
      say("网络异常，未能保存，稍后自动重试；请勿关闭页面");
      dirty = true;
      pending = true;
    }).finally(function () {
      inFlight = false;
      if (pending && !stopped) { pending = false; schedule(3000); }
    });
  }

  function schedule(delay) {
    if (!autosave) return;
    clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, delay);
  }

  form.addEventListener("input", function () { dirty = true; say("有未保存的修改"); schedule(1500); });
  form.addEventListener("change", function () { dirty = true; schedule(300); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { clearTimeout(timer); save(true); }
  });
  // Leaving for another section: save first, then go.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || !autosave || stopped || link.target || link.getAttribute("href").charAt(0) === "#") return;
    event.preventDefault();
    clearTimeout(timer);
    save(true).then(function () { window.location.href = link.href; });
  });

  form.addEventListener("click", function (event) {
    var add = event.target.closest(".add-row");
    if (add) {
      var table = add.closest("fieldset").querySelector("table");
      var rows = table.tBodies[0];
      var next = 0;
      rows.querySelectorAll("[name]").forEach(function (el) {
        var match = el.name.match(/\.(\d+)\./);
        if (match) next = Math.max(next, Number(match[1]) + 1);
      });
      var row = table.querySelector("tr.template").cloneNode(true);
      row.hidden = false;
      row.classList.remove("template");
      row.querySelectorAll("[name]").forEach(function (el) {
        el.disabled = false;
        el.name = el.name.replace("__index__", String(next));
        if (el.id) el.id = el.name;
      });
      rows.appendChild(row);
      var first = row.querySelector("input, select, textarea");
      if (first) first.focus();
      return;
    }
    var remove = event.target.closest(".remove-row");
    if (remove) {
      remove.closest("tr").remove();
      dirty = true;
      schedule(300);
    }
  });
})();
