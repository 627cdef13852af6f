// The upload form asks for what the chosen kind of attachment is matched by: the partner of a 联合申报协议,
// the year of a 财务报表 (the kind's option says which: data-needs). The other field is hidden and not
// sent. Without JavaScript both are shown with their help, and the server refuses what is missing.
(function () {
  "use strict";
  var kind = document.getElementById("kind");
  if (!kind) return;
  var fields = document.querySelectorAll("[data-needed-by]");

  function update() {
    var option = kind.options[kind.selectedIndex];
    var needs = option ? option.dataset.needs || "" : "";
    fields.forEach(function (field) {
      var needed = field.dataset.neededBy === needs;
      field.hidden = !needed;
      var select = field.querySelector("select");
      var label = field.querySelector("label");
      if (select) { select.required = needed; select.disabled = !needed; }
      if (label) label.classList.toggle("required", needed);
    });
  }

  kind.addEventListener("change", update);
  update();
})();
