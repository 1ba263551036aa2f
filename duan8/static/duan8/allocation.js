// Allocation grid: recompute "allocated" and "not yet allocated" as figures are typed.
// Numbers are read and written the Vietnamese way (1.234,5).
(function () {
  "use strict";
  // Amounts are handled in whole hundredths so that 0,1 + 0,2 is exactly 0,3.
  function read(text) {
    text = (text || "").trim().split(".").join("").replace(",", ".");
    if (text === "") return 0;
    var value = Number(text);
    return isNaN(value) ? NaN : Math.round(value * 100);
  }
  function write(hundredths) {
    if (isNaN(hundredths)) return "?";
    var negative = hundredths < 0;
    var whole = Math.floor(Math.abs(hundredths) / 100);
    var cents = Math.abs(hundredths) % 100;
    var parts = [String(whole)];
    if (cents) parts.push(String(cents).padStart(2, "0"));
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
    var total = Math.round(Number(totalCell.dataset.value) * 100);
    var remainder = total - (kept ? read(kept.value) : 0) - allocated;
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
