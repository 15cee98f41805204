// Customer list: "select all on this page" and a count of the selection.
// Progressive enhancement only: without it, rows are still selected one by one.
(function () {
  function update() {
    var boxes = document.querySelectorAll(".row-select");
    var ticked = document.querySelectorAll(".row-select:checked").length;
    var label = document.getElementById("bulk-count");
    if (label) { label.textContent = ticked ? ticked + " selected" : ""; }
    var all = document.getElementById("select-all");
    if (all) { all.checked = boxes.length > 0 && ticked === boxes.length; }
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "select-all") {
      document.querySelectorAll(".row-select").forEach(function (box) { box.checked = target.checked; });
    }
    if (target.id === "select-all" || target.classList.contains("row-select")) { update(); }
  });
  document.addEventListener("htmx:afterSwap", update);
})();
