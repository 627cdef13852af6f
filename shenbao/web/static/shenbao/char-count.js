// How much of a limited field is used, as the person types: "，已输入12个字" beside "最多50个字（…）".
// Characters are counted as the server counts them (code points, after trimming), so the number shown
// is the number a refusal would name. The input's maxlength stops typing at the limit; a longer value
// saved before the limit existed is shown with how much it is over. The words come translated from
// the page (data-count-text, data-over-text, with {n} for the number).
(function () {
  "use strict";
  document.querySelectorAll(".char-count[data-count-for]").forEach(function (counter) {
    var input = document.getElementById(counter.dataset.countFor);
    if (!input) return;
    var limit = Number(counter.dataset.maxLength);
    function update() {
      var length = Array.from(input.value.trim()).length;
      var text = counter.dataset.countText.replace("{n}", String(length));
      if (length > limit) text += counter.dataset.overText.replace("{n}", String(length - limit));
      counter.textContent = text;
      counter.classList.toggle("over", length > limit);
    }
    input.addEventListener("input", update);
    update();
  });
})();
