// Behaviour every page may use, kept out of the HTML: the Content-Security-Policy allows no inline
// script or event handler. Elements opt in with data attributes.
(function () {
  "use strict";
  // <button data-confirm="…">: a step that cannot be undone asks first, saying what it cannot undo;
  // cancelling sends nothing. (Pressing Enter in a form clicks its default button, so it asks too.)
  document.addEventListener("click", function (event) {
    var asking = event.target.closest("[data-confirm]");
    if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("change", function (event) {
    var target = event.target;
    // <select data-submit-on-change>: the language switcher submits its form when a language is chosen.
    if (target.matches("[data-submit-on-change]") && target.form) {
      target.form.submit();
    }
    warnIfAfter(target);
    // <input type="checkbox" data-check-all="NAME">: ticks or clears every checkbox named NAME.
    var name = target.getAttribute("data-check-all");
    if (name) {
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });
  document.addEventListener("input", function (event) {
    warnIfAfter(event.target);
  });

  // <input type="date" data-warn-after="YYYY-MM-DD" data-warning="ID">: a date later than that shows the
  // element ID (its text from its data-text), a warning that does not stop the form (e.g. 一(一)1 on the
  // unit registration: a unit registered later may register but not lead a project of the call).
  function warnIfAfter(input) {
    if (!input.matches || !input.matches("[data-warn-after]")) {
      return;
    }
    var warning = document.getElementById(input.getAttribute("data-warning"));
    if (!warning) {
      return;
    }
    // ISO dates compare as strings; an empty or partial value shows nothing.
    var late = /^\d{4}-\d{2}-\d{2}$/.test(input.value) && input.value > input.getAttribute("data-warn-after");
    warning.textContent = late ? warning.getAttribute("data-text") : "";
    warning.hidden = !late;
  }

  // Whether a form's fields differ from what the page came with. A deferred script that saves a form
  // as it is typed in asks when it starts: on a slow connection a person may type before it listens.
  function editedBeforeScript(form) {
    return Array.prototype.some.call(form.elements, differsFromPage);
  }

  function differsFromPage(el) {
    if (el.disabled || !el.name) return false;
    if (el.tagName === "SELECT") return selectChanged(el);
    if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
    // A date the browser could not read shows empty: the person did not clear it, and saving would.
    if (el.type === "date" && !el.value) return false;
    if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "file")) return el.value !== el.defaultValue;
    return false;
  }

  // A single select without a preselected option starts on its first.
  function selectChanged(select) {
    if (select.multiple) {
      return Array.prototype.some.call(select.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    var preset = Array.prototype.findIndex.call(select.options, function (o) { return o.defaultSelected; });
    return select.selectedIndex !== Math.max(preset, 0);
  }

  window.shenbao = { editedBeforeScript: editedBeforeScript };
})();
