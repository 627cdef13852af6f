// A box that scrolls (a wide table on a phone, a row of read-only inputs, a long findings panel) must be
// reachable by keyboard, or a person without a mouse cannot scroll it (WCAG 2.1.1; axe-core's
// scrollable-region-focusable). While such a box scrolls and holds nothing focusable, it takes the focus
// itself (tabindex 0, then the arrow keys scroll it); when it stops scrolling it gives the tab stop back.
(function () {
  "use strict";
  var BOXES = "main .table, main fieldset.rows, main .findings-panel";
  var FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

  function scrolls(box) {
    return box.scrollWidth > box.clientWidth + 1 || box.scrollHeight > box.clientHeight + 1;
  }

  function holdsFocus(box) {
    // Only what can take the focus now: not the inputs of a hidden template row, not disabled ones.
    return Array.prototype.some.call(box.querySelectorAll(FOCUSABLE), function (element) {
      return element.getClientRects().length > 0;
    });
  }

  function mark() {
    // Innermost first: a table that stopped scrolling gives its tab stop back before the box around it
    // asks whether anything inside can take the focus.
    var boxes = Array.prototype.slice.call(document.querySelectorAll(BOXES)).reverse();
    boxes.forEach(function (box) {
      var ours = box.hasAttribute("data-scroll-focus");
      if (ours && !scrolls(box)) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      } else if (!ours && scrolls(box) && !box.hasAttribute("tabindex") && !holdsFocus(box)) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
      }
    });
  }

  mark();
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
})();
