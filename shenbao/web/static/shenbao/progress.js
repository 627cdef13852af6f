// Follows a batch of background seals without reloading the page: polls the small JSON endpoint named
// in data-progress-url, shows "n of N", names the failures, and updates each row's state cell.
// A static file (no inline script) so the page works under a strict Content-Security-Policy.
(function () {
  "use strict";
  const panel = document.querySelector("[data-progress-url]");
  if (!panel) return;
  const bar = panel.querySelector("progress");
  const status = panel.querySelector("[data-progress-status]");
  const failures = panel.querySelector("[data-progress-failures]");
  let delay = 1000;

  function render(data) {
    const failed = data.failed.length;
    bar.max = Math.max(data.total, 1);
    bar.value = data.done + failed;
    status.textContent = data.pending === 0
      ? panel.dataset.progressFinished + "：" + format(data, failed)
      : format(data, failed);
    failures.replaceChildren(...data.failed.map(function (f) {
      const item = document.createElement("li");
      item.textContent = "“" + f.title + "”：" + f.error;
      return item;
    }));
    data.rows.forEach(function (row) {
      const cell = document.querySelector('[data-state-of="' + row.id + '"]');
      if (cell) cell.textContent = row.state_label;
    });
    return data.pending > 0;
  }

  function format(data, failed) {
    return panel.dataset.progressText
      .replace("{done}", data.done).replace("{total}", data.total)
      .replace("{failed}", failed).replace("{pending}", data.pending);
  }

  function poll() {
    fetch(panel.dataset.progressUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        delay = 1000;
        if (render(data)) setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 15000);  // the server is busy or away: ask less often
        setTimeout(poll, delay);
      });
  }

  poll();
})();
