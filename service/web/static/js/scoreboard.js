/* Trend chart of the scoreboard page: each unit's rank per published period (ECharts, served by the app). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("trend-chart");
    var dataEl = document.getElementById("trend-data");
    if (!el || !dataEl || !window.echarts) return;
    var data = JSON.parse(dataEl.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      color: ["#a8071a", "#0b4f9c", "#135200", "#874d00", "#531dab", "#006d75", "#595959", "#c41d7f",
              "#ad4e00", "#10239e"],
      textStyle: { fontFamily: "sans-serif", color: "#1f1f1f" },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, textStyle: { color: "#1f1f1f" } },
      grid: { left: 48, right: 24, top: 48, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.periods, axisLabel: { color: "#1f1f1f" } },
      yAxis: { type: "value", name: "名次", inverse: true, minInterval: 1, min: 1,
               axisLabel: { color: "#1f1f1f" }, nameTextStyle: { color: "#1f1f1f" } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", data: s.rank, connectNulls: false, symbolSize: 8 };
      })
    });
    el.classList.add("chart-ready");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
