// The budget section's 小计 and 合计, worked out again as the person types, exactly as the server
// works them out when it draws the page (applications/budget_form.py): the cells as typed, blanks left
// out, what the form would refuse (words, negative numbers) left out and counted, sums in cents.
// A cell names what it adds up: data-sum-names="budget.fiscal.设备费|budget.self_raised.设备费", or
// data-sum-table="budget.by_unit" with data-sum-column="fiscal" for a column of a table whose rows
// are added and removed. The words come translated from the page (data-unreadable-text, {n}).
(function () {
  "use strict";
  var form = document.getElementById("section-form");
  if (!form) return;
  var totals = form.querySelectorAll("[data-sum-names], [data-sum-column]");
  if (!totals.length) return;
  var NUMBER = /^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

  // A cell in cents, null when blank, NaN when the form would not accept it as an amount.
  function cents(text) {
    text = text.normalize("NFKC").trim().replace(/,/g, "");
    if (!text) return null;
    if (!NUMBER.test(text)) return NaN;
    var value = Number(text);
    return isFinite(value) ? Math.round(value * 100) : NaN;
  }

  function format(sum) {
    var whole = Math.floor(sum / 100), rest = sum % 100;
    var text = whole.toLocaleString("en-US");
    return rest ? text + "." + String(rest).padStart(2, "0") : text;
  }

  function inputsOf(total) {
    if (total.dataset.sumNames) {
      return total.dataset.sumNames.split("|").map(function (name) {
        return form.querySelector('[name="' + name + '"]');
      }).filter(Boolean);
    }
    // The table's rows as they are now (a template row for "add a row" is disabled, so left out).
    var prefix = total.dataset.sumTable + ".", suffix = "." + total.dataset.sumColumn;
    return Array.prototype.filter.call(form.querySelectorAll("input[name]"), function (input) {
      var name = input.name;
      return !input.disabled && name.indexOf(prefix) === 0 && name.slice(-suffix.length) === suffix &&
        /^\d+$/.test(name.slice(prefix.length, -suffix.length));
    });
  }

  function update() {
    totals.forEach(function (total) {
      var sum = 0, unreadable = 0;
      inputsOf(total).forEach(function (input) {
        var value = cents(input.value);
        if (value === null) return;
        if (isNaN(value)) unreadable += 1; else sum += value;
      });
      var note = total.closest("[data-unreadable-text]");
      var text = format(sum) + (unreadable && note ? note.dataset.unreadableText.replace("{n}", unreadable) : "");
      if (total.textContent !== text) total.textContent = text;
    });
  }

  form.addEventListener("input", update);
  // Rows added or removed change a table's 合计: watch the rows of the tables that have one.
  var watch = new MutationObserver(update);
  form.querySelectorAll("[data-sum-table]").forEach(function (total) {
    var rows = total.closest("table").tBodies[0];
    if (rows) watch.observe(rows, { childList: true });
  });
  update();
})();
