// Scoring scheme editor: add or remove item rows, show the fields of the chosen scoring
// type, and keep a running total of the points. Each row's inputs are named
// "<section>-<n>-<field>"; rows are renumbered so the server reads them in order.
(function () {
  "use strict";
  var form = document.querySelector("[data-scheme-form]");
  if (!form) { return; }

  function number(text) {
    var value = parseFloat(String(text || "").replace(/\s/g, ""));
    return isFinite(value) ? value : 0;
  }

  // Points as people write them: 70 rather than 70.000001 after float sums.
  function points(value) { return String(Math.round(value * 100) / 100); }

  function renumber(section) {
    var name = section.getAttribute("data-scheme-section");
    var rows = section.querySelectorAll("[data-rows] > [data-scheme-row]");
    Array.prototype.forEach.call(rows, function (row, index) {
      row.querySelectorAll("[data-field]").forEach(function (input) {
        input.name = name + "-" + index + "-" + input.getAttribute("data-field");
      });
    });
  }

  function showTypeFields(row) {
    var select = row.querySelector("[data-type]");
    if (!select) { return; }
    row.querySelectorAll("[data-when]").forEach(function (label) {
      label.hidden = label.getAttribute("data-when") !== select.value;
    });
  }

  function sectionTotal(name) {
    var section = form.querySelector("[data-scheme-section='" + name + "']");
    if (!section) { return 0; }
    var sum = 0;
    section.querySelectorAll("[data-rows] [data-maximum]").forEach(function (input) {
      sum += number(input.value);
    });
    var badge = section.querySelector("[data-section-total]");
    if (badge) {
      badge.textContent = "（" + badge.getAttribute("data-template").replace("{n}", points(sum)) + "）";
    }
    return sum;
  }

  function updateTotal() {
    var line = form.querySelector("[data-scheme-total]");
    var t = sectionTotal("technical");
    var c = sectionTotal("commercial");
    if (!line) { return; }
    var weight = form.querySelector("[data-price-weight]");
    var p = weight ? number(weight.value) : 0;
    var sum = t + c + p;
    line.textContent = line.getAttribute("data-template")
      .replace("{t}", points(t)).replace("{c}", points(c))
      .replace("{p}", points(p)).replace("{sum}", points(sum));
    line.classList.toggle("scheme-total-off", Math.abs(sum - 100) > 1e-9);
  }

  function wire(row, section) {
    var remove = row.querySelector("[data-remove-row]");
    if (remove) {
      remove.addEventListener("click", function () {
        row.remove();
        renumber(section);
        updateTotal();
      });
    }
    var select = row.querySelector("[data-type]");
    if (select) {
      select.addEventListener("change", function () { showTypeFields(row); });
      showTypeFields(row);
    }
  }

  form.querySelectorAll("[data-scheme-section]").forEach(function (section) {
    var container = section.querySelector("[data-rows]");
    var template = section.querySelector("template[data-row-template]");
    var add = section.querySelector("[data-add-row]");
    container.querySelectorAll("[data-scheme-row]").forEach(function (row) { wire(row, section); });
    if (!template || !add) { return; }
    add.addEventListener("click", function () {
      var row = template.content.firstElementChild.cloneNode(true);
      row.querySelectorAll("input:not([type=hidden])").forEach(function (input) {
        if (input.getAttribute("data-field") !== "step") { input.value = ""; }
      });
      row.querySelectorAll("[data-field='id']").forEach(function (input) { input.value = ""; });
      container.appendChild(row);
      wire(row, section);
      renumber(section);
      var first = row.querySelector("[data-field='name']");
      if (first) { first.focus(); }
    });
  });

  form.addEventListener("input", updateTotal);
  updateTotal();
})();
