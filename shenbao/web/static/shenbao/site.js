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
    // <input type="checkbox" data-check-all="NAME">: ticks or clears every checkbox named NAME.
    var name = target.getAttribute("data-check-all");
    if (name) {
      document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = target.checked;
      });
    }
  });
})();
