// Follows the unit queue's background work without reloading the page: a batch of seals just started
// (data-progress-batch) and every row shown as pending (tr[data-pending]). Every 3 s while anything is
// pending it asks the small JSON endpoint of data-progress-url, shows "签章中 n/N", names the failures,
// and brings each row up to date: its state, its PDF link, and its next-step button.
// A static file (no inline script) so the page works under a strict Content-Security-Policy.
(function () {
  "use strict";
  const panel = document.querySelector("[data-progress-url]");
  if (!panel) return;
  const bar = panel.querySelector("progress");
  const status = panel.querySelector("[data-progress-status]");
  const failures = panel.querySelector("[data-progress-failures]");
  const EVERY = 3000;
  let delay = EVERY;

  function pendingRows() {
    return Array.from(document.querySelectorAll("tr[data-row][data-pending]")).map(function (row) {
      return row.dataset.row;
    });
  }

  function url() {
    const query = new URLSearchParams();
    if (panel.dataset.progressBatch) query.append("batch", panel.dataset.progressBatch);
    pendingRows().forEach(function (id) { query.append("row", id); });
    return panel.dataset.progressUrl + "?" + query.toString();
  }

  function fill(text, data, failed) {
    return text.replace("{done}", data.done).replace("{total}", data.total)
      .replace("{failed}", failed).replace("{pending}", data.pending);
  }

  // The row's next step as the page would have drawn it: one primary button, or "签章中…".
  function nextStep(cell, row) {
    // Redraw only what changed: a button replaced under a person's pointer loses the click (or its
    // confirmation), and the page asks every few seconds.
    const shown = cell.querySelector("button");
    if (row.pending ? cell.querySelector(".badge") : (row.next && shown && shown.value === row.next.value)) return;
    if (!row.pending && !row.next && !cell.firstElementChild) return;
    cell.replaceChildren();
    if (row.pending) {
      const busy = document.createElement("span");
      busy.className = "badge warn";
      busy.textContent = panel.dataset.pendingLabel;
      cell.appendChild(busy);
    } else if (row.next) {
      const button = document.createElement("button");
      button.name = "step";
      button.value = row.next.value;
      button.className = "primary";
      button.textContent = row.next.label;
      const which = document.createElement("span");
      which.className = "sr-only";
      which.textContent = "：" + row.title;
      button.appendChild(which);
      if (row.next.confirm) button.dataset.confirm = row.next.confirm;
      cell.appendChild(button);
    }
  }

  function update(row) {
    const tr = document.querySelector('tr[data-row="' + row.id + '"]');
    if (!tr) return;
    if (row.pending) tr.setAttribute("data-pending", ""); else tr.removeAttribute("data-pending");
    const state = tr.querySelector("[data-state-of]");
    if (state) state.textContent = row.state_label;
    const pdf = tr.querySelector("[data-pdf-of]");
    if (pdf && row.sealed) pdf.textContent = panel.dataset.sealedLabel;
    const next = tr.querySelector("[data-next-of]");
    if (next) nextStep(next, row);
  }

  function render(data) {
    const failed = data.failed.length;
    panel.hidden = data.total === 0;
    bar.max = Math.max(data.total, 1);
    bar.value = data.done + failed;
    let text = fill(panel.dataset.progressText, data, failed);
    if (failed) text += "，" + fill(panel.dataset.progressFailed, data, failed);
    status.textContent = data.pending === 0 ? panel.dataset.progressFinished + "：" + text : text;
    failures.replaceChildren(...data.failed.map(function (f) {
      const item = document.createElement("li");
      item.textContent = "“" + f.title + "”：" + f.error;
      return item;
    }));
    data.rows.forEach(update);
    return data.pending > 0;
  }

  function poll() {
    fetch(url(), {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (data) {
        delay = EVERY;
        if (render(data)) setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 30000);  // the server is busy or away: ask less often
        setTimeout(poll, delay);
      });
  }

  if (panel.dataset.progressBatch || pendingRows().length) poll();
})();
