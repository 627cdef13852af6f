// The score sheet's autosave: a draft is posted a moment after each change, so nothing typed is lost.
(function () {
  "use strict";
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
        if (status) status.textContent = body.ok ? "已自动保存 " + body.saved_at : body.error;
      })
      .catch(function () { if (status) status.textContent = "自动保存失败，请点击“保存草稿”。"; });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  });
})();
