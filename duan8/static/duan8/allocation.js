// Allocation grid: recompute "allocated" and "not yet allocated" as figures are typed.
// Numbers are read and written the Vietnamese way (1.234,5).
(function () {
  "use strict";
  function read(text) {
    text = (text || "").trim().split(".").join("").replace(",", ".");
    if (text === "") return 0;
    var value = Number(text);
    return isNaN(value) ? NaN : value;
  }
  function write(value) {
    if (isNaN(value)) return "?";
    var negative = value < 0;
    var parts = Math.abs(value).toFixed(2).replace(/\.?0+$/, "").split(".");
    parts[0] = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (negative ? "-" : "") + parts.join(",");
  }
  function update(grid, id) {
    var allocated = 0;
    grid.querySelectorAll('[data-cell="' + id + '"]').forEach(function (input) {
      allocated += read(input.value);
    });
    var allocatedCell = grid.querySelector('[data-allocated="' + id + '"]');
    if (allocatedCell) allocatedCell.textContent = write(allocated);
    var totalCell = grid.querySelector('[data-total="' + id + '"]');
    var remainderCell = grid.querySelector('[data-remainder="' + id + '"]');
    if (!totalCell || !remainderCell || totalCell.dataset.value === "") return;
    var kept = grid.querySelector('[data-kept="' + id + '"]');
    var remainder = Number(totalCell.dataset.value) - (kept ? read(kept.value) : 0) - allocated;
    remainderCell.textContent = write(remainder);
    remainderCell.classList.toggle("text-danger", remainder < 0);
    remainderCell.classList.toggle("fw-bold", remainder < 0);
  }
  document.querySelectorAll("[data-allocation-grid]").forEach(function (grid) {
    // Figures typed before the form came back (an error, an over-allocation to confirm).
    grid.querySelectorAll("[data-total]").forEach(function (cell) {
      update(grid, cell.dataset.total);
    });
    grid.addEventListener("input", function (event) {
      var id = event.target.dataset.cell || event.target.dataset.kept;
      if (id) update(grid, id);
    });
  });
})();
