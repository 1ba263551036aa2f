// The dashboard's trend chart, drawn with Chart.js from the numbers the page also shows in
// its table (#trend-data). Percentages are written the Vietnamese way (84,7%).
(function () {
  "use strict";
  function vn(value) {
    if (value === null || value === undefined) return "";
    return value.toFixed(1).replace(".", ",") + "%";
  }
  function draw() {
    var canvas = document.getElementById("trend-chart");
    var source = document.getElementById("trend-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var palette = ["#8a1c4a", "#1f6feb", "#14652f", "#b35c00", "#6f42c1", "#0b7285", "#9b1c1c", "#495057"];
    var datasets = data.series.map(function (series, index) {
      return {
        label: series.code + " – " + series.label,
        data: series.values,
        borderColor: palette[index % palette.length],
        backgroundColor: palette[index % palette.length],
        tension: 0.2,
        spanGaps: true
      };
    });
    datasets.push({
      label: canvas.dataset.elapsedLabel || "Time elapsed",
      data: data.elapsed,
      borderColor: "#adb5bd",
      borderDash: [6, 4],
      pointRadius: 0
    });
    new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return vn(v); } } } },
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + vn(c.parsed.y); } } }
        }
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
