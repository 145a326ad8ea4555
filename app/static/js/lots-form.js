// Project registration: add or remove lot rows. Each row's inputs are named
// "lots-<n>-<field>"; rows are renumbered so the server reads them in order.
(function () {
  "use strict";
  var container = document.getElementById("lot-rows");
  var addButton = document.getElementById("add-lot");
  if (!container || !addButton) { return; }

  var DEFAULTS = { committee_size: "5", validity_days: "90" };

  function rows() { return container.querySelectorAll("[data-lot-row]"); }

  function renumber() {
    Array.prototype.forEach.call(rows(), function (row, index) {
      row.querySelectorAll("[data-field]").forEach(function (input) {
        input.name = "lots-" + index + "-" + input.getAttribute("data-field");
      });
      var number = row.querySelector("[data-lot-number]");
      if (number) { number.textContent = String(index + 1); }
      var remove = row.querySelector("[data-remove-lot]");
      if (remove) { remove.hidden = rows().length < 2; }
    });
  }

  function addRemoveButton(row) {
    if (row.querySelector("[data-remove-lot]")) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-ghost btn-sm";
    button.setAttribute("data-remove-lot", "");
    button.textContent = container.getAttribute("data-remove-label") || "删除此标段";
    button.addEventListener("click", function () {
      if (rows().length > 1) { row.remove(); renumber(); }
    });
    row.appendChild(button);
  }

  addButton.addEventListener("click", function () {
    var all = rows();
    var copy = all[all.length - 1].cloneNode(true);
    copy.querySelectorAll("[data-field]").forEach(function (input) {
      var field = input.getAttribute("data-field");
      if (input.tagName === "SELECT") {
        input.selectedIndex = 0;
      } else {
        input.value = DEFAULTS[field] || "";
      }
    });
    var oldButton = copy.querySelector("[data-remove-lot]");
    if (oldButton) { oldButton.remove(); }
    container.appendChild(copy);
    addRemoveButton(copy);
    renumber();
    var first = copy.querySelector("[data-field='name']");
    if (first) { first.focus(); }
  });

  Array.prototype.forEach.call(rows(), addRemoveButton);
  renumber();
})();
