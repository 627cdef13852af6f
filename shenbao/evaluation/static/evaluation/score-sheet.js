// The score sheet's autosave: a draft is posted a moment after each change, so nothing typed is lost.
(function () {
  "use strict";
  // Messages in the person's language: Django's JavaScript catalog (docs/i18n.md), else as written.
  var gettext = window.gettext || function (text) { return text; };
  var form = document.getElementById("score-sheet");
  if (!form || !form.dataset.autosave) return;
  var status = document.getElementById("autosave-status");
  var timer = null;
  function save() {
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.autosave, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        if (status) status.textContent = body.ok ? gettext("已自动保存") + " " + body.saved_at : body.error;
      })
      .catch(function () { if (status) status.textContent = gettext("自动保存失败，请点击“保存草稿”。"); });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
  // What was typed before this deferred script ran fired no event here.
  if (window.shenbao.editedBeforeScript(form)) timer = setTimeout(save, 300);
})();
