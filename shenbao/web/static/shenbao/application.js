// The 申报书 section form: autosave while typing and when leaving, live findings, table rows.
// Without JavaScript the form still works: the Save button posts it and the page comes back.
(function () {
  "use strict";
  // Messages in the person's language: Django's JavaScript catalog (docs/i18n.md), else as written.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  };
  var form = document.getElementById("section-form");
  if (!form) return;
  var autosave = form.dataset.autosave === "1";
  var state = document.getElementById("save-state");
  var version = document.getElementById("version");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  // The digest of what the live panels show: the server skips drawing them when nothing in them changed.
  var findingsPanel = document.getElementById("findings-panel");
  var panels = (findingsPanel && findingsPanel.dataset.panels) || "";
  // The live panels: a save asks for them (header X-Panels) when they are PANELS_EVERY_MS old, so a save
  // costs the server its UPDATE alone most of the time; once the person pauses for PANELS_QUIET_MS after
  // a save that did not bring them, a request of its own fetches them.
  var PANELS_EVERY_MS = 5000, PANELS_QUIET_MS = 4000, PANELS_TIMEOUT_MS = 10000;
  var panelsShownAt = Date.now(), panelsTimer = null, panelsInFlight = false, panelsAgain = false;
  // dirty: something changed since the last save was sent. Nothing is posted without it, so leaving a
  // page (which fires visibilitychange) never saves an unchanged section behind the next page's back.
  // unanswered: a save whose outcome is unknown (the network failed, or the server answered with an
  // error after perhaps committing it). It is sent again exactly as it was, at the version it named:
  // the server recognises content it already holds, so the retry succeeds instead of conflicting.
  var timer = null, inFlight = false, stopped = false, dirty = false;
  var unanswered = null, retryDelay = 2000, current = Promise.resolve();

  // Template rows are copied by "add a row"; they must never be posted themselves.
  form.querySelectorAll("tr.template input, tr.template select, tr.template textarea").forEach(function (el) {
    el.disabled = true;
  });

  function say(text) { if (state) state.textContent = text; }

  // The message is the input's description while it stands (aria-describedby keeps any other ids).
  function describe(input, id, on) {
    var ids = (input.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) input.setAttribute("aria-describedby", ids.join(" "));
    else input.removeAttribute("aria-describedby");
  }

  // Each message in the cell or field of the input the page posted it under (the server answers with
  // the page's names), the input marked invalid and described by it.
  function showErrors(errors) {
    form.querySelectorAll("[data-error-for]").forEach(function (p) {
      var message = errors[p.dataset.errorFor] || "";
      p.textContent = message;
      var holder = p.closest(".field") || p.closest("td");
      if (holder) holder.classList.toggle("has-error", Boolean(message));
      var input = form.querySelector('[name="' + p.dataset.errorFor + '"]');
      if (input) {
        if (message) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
        if (p.id) describe(input, p.id, Boolean(message));
      }
    });
  }

  function cell(tag, text) {
    var el = document.createElement(tag);
    el.textContent = text;
    return el;
  }

  // Another tab saved this section differently: show both, keep what the person chooses.
  function showConflict(data) {
    var box = document.getElementById("conflict");
    box.replaceChildren(cell("p", data.message));
    var table = document.createElement("table");
    table.className = "table compact";
    var head = table.createTHead().insertRow();
    [gettext("栏目"), gettext("其他窗口已保存的内容"), gettext("本窗口输入的内容")].forEach(function (title) {
      var th = cell("th", title);
      th.scope = "col";
      head.appendChild(th);
    });
    var body = table.createTBody();
    data.differences.forEach(function (d) {
      var row = body.insertRow();
      var th = cell("th", d.label);
      th.scope = "row";
      row.appendChild(th);
      var theirs = cell("td", d.theirs || gettext("（空）")), mine = cell("td", d.mine || gettext("（空）"));
      theirs.className = mine.className = "pre";
      row.appendChild(theirs);
      row.appendChild(mine);
    });
    box.appendChild(table);
    var keepMine = cell("button", gettext("保留本窗口的内容"));
    keepMine.type = "button";
    keepMine.className = "primary keep-mine";
    keepMine.addEventListener("click", function () {
      version.value = data.version;
      box.hidden = true;
      stopped = false;
      dirty = true;
      save(false);
    });
    var keepTheirs = cell("button", gettext("采用其他窗口的内容"));
    keepTheirs.type = "button";
    keepTheirs.className = "keep-theirs";
    keepTheirs.addEventListener("click", function () { window.location.reload(); });
    var actions = document.createElement("p");
    actions.className = "actions";
    actions.appendChild(keepMine);
    actions.appendChild(keepTheirs);
    box.appendChild(actions);
    box.hidden = false;
    say(gettext("未保存：请选择保留哪一份内容"));
  }

  function refuse(message) {
    stopped = true;
    var stale = document.getElementById("stale");
    stale.textContent = message;
    stale.hidden = false;
    say(gettext("未保存"));
  }

  function showPanels(data) {
    panelsShownAt = Date.now();
    if (data.panels) panels = data.panels;
    // Absent when what the panels show did not change.
    if (data.findings_html) {
      findingsPanel.querySelector("ul, p.finding").outerHTML = data.findings_html;
      document.getElementById("progress-panel").innerHTML = data.progress_html;
    }
  }

  // One refresh at a time, given up after PANELS_TIMEOUT_MS: on a crowded deadline day a slow refresh
  // must never hold the browser's connections that the saves need.
  function refreshPanels() {
    panelsTimer = null;
    if (panelsInFlight) { panelsAgain = true; return; }
    panelsInFlight = true;
    var controller = window.AbortController ? new AbortController() : null;
    var giveUp = controller && setTimeout(function () { controller.abort(); }, PANELS_TIMEOUT_MS);
    fetch(form.dataset.panels, {
      credentials: "same-origin", headers: { "X-Panels": panels }, signal: controller ? controller.signal : undefined
    }).then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) showPanels(data); })
      .catch(function () {})  // the panels stay as they were until a later save brings them
      .finally(function () {
        clearTimeout(giveUp);
        panelsInFlight = false;
        if (panelsAgain) { panelsAgain = false; panelsAfterPause(); }
      });
  }

  function panelsAfterPause() {
    clearTimeout(panelsTimer);
    if (findingsPanel && form.dataset.panels) panelsTimer = setTimeout(refreshPanels, PANELS_QUIET_MS);
  }

  function panelsWanted() { return Boolean(findingsPanel) && Date.now() - panelsShownAt >= PANELS_EVERY_MS; }

  function saved(data) {
    version.value = data.version;
    showErrors(data.errors || {});
    if ("panels" in data) {
      clearTimeout(panelsTimer);
      panelsAgain = false;  // brought by this save: the refresh on its way need not be followed by another
      showPanels(data);
    } else {
      panelsAfterPause();
    }
    var errorCount = Object.keys(data.errors || {}).length;
    var time = new Date().toLocaleTimeString(document.documentElement.lang || "zh-CN");
    say(errorCount
      ? interpolate(gettext("已保存 %(time)s，%(count)s处内容无法识别，已保留在原处，请改正"), { time: time, count: errorCount }, true)
      : interpolate(gettext("已保存 %(time)s"), { time: time }, true));
  }

  // The fields as a JSON list of [name, value] pairs: the server reads JSON far faster than the same
  // Chinese text URL-encoded or as multipart parts, and autosaves are most of its work on deadline day.
  function formPairs() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") pairs.push([name, value]);
    });
    return JSON.stringify(pairs);
  }

  function save(leaving) {
    if (!autosave || stopped || !(dirty || unanswered)) return Promise.resolve();
    // One save at a time; what is typed meanwhile is sent when it returns (at once when leaving).
    if (inFlight) return leaving ? current.then(function () { return save(true); }) : Promise.resolve();
    inFlight = true;
    var body = unanswered;
    if (!body) {
      body = formPairs();
      dirty = false;
    }
    say(unanswered ? gettext("网络异常，正在重试") : gettext("正在保存…"));
    var headers = { "Content-Type": "application/json", "X-Autosave": "1", "X-CSRFToken": csrf };
    if (panelsWanted()) headers["X-Panels"] = panels;
    current = fetch(window.location.pathname, {
      method: "POST", body: body, credentials: "same-origin", keepalive: Boolean(leaving), headers: headers
    }).then(function (response) {
      if (response.status >= 500) throw new Error("server error " + response.status);
      return response.json().then(function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: {} }; });
    }).then(function (result) {
      unanswered = null;
      retryDelay = 2000;
      if (result.status === 409 && result.data.conflict) { stopped = true; showConflict(result.data); return; }
      if (result.status === 409) { refuse(result.data.message); return; }
      if (!result.data.ok) { refuse(gettext("未能保存：登录已失效或无权修改，请复制尚未保存的内容后刷新页面。")); return; }
      saved(result.data);
    }).catch(function () {
      unanswered = body;
      say(gettext("网络异常，正在重试"));
    }).finally(function () {
      inFlight = false;
      if (stopped) return;
      if (unanswered) {
        schedule(retryDelay);
        retryDelay = Math.min(retryDelay * 2, 30000);
      } else if (dirty) {
        schedule(1500);  // typed while this save was on its way
      }
    });
    return current;
  }

  function schedule(delay) {
    if (!autosave) return;
    clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, delay);
  }

  form.addEventListener("input", function () { dirty = true; say(gettext("有未保存的修改")); schedule(1500); });
  form.addEventListener("change", function () { dirty = true; schedule(300); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { clearTimeout(timer); save(true); }
  });
  // Leaving for another section: save first, then go.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[href]");
    if (!link || !autosave || link.target || link.getAttribute("href").charAt(0) === "#") return;
    if (stopped) {
      if (!document.getElementById("conflict").hidden && !window.confirm(gettext("本页内容尚未保存，确定离开？"))) {
        event.preventDefault();
      }
      return;
    }
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
      row.querySelectorAll("[data-error-for]").forEach(function (p) {
        p.dataset.errorFor = p.dataset.errorFor.replace("__index__", String(next));
        if (p.id) p.id = p.dataset.errorFor + "-error";
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

  // This script is deferred: a person on a slow connection may type before it runs, and no event told
  // it so. What differs from what the page came with is saved as if it had just been typed.
  if (window.shenbao.editedBeforeScript(form)) {
    dirty = true;
    say(gettext("有未保存的修改"));
    schedule(300);
  }
})();
