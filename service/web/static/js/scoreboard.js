/* Trend chart of the scoreboard page: each unit's rank per published period (ECharts, served by the app). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("trend-chart");
    var dataEl = document.getElementById("trend-data");
    if (!el || !dataEl || !window.echarts) return;
    var data = JSON.parse(dataEl.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    function labelWidth() {
      // The plot is the width less the grid's margins and the rank labels, shared by the periods.
      return Math.max(36, Math.floor((el.clientWidth - 100) / Math.max(1, data.periods.length)) - 8);
    }
    chart.setOption({
      animation: false,
      color: ["#a8071a", "#0b4f9c", "#135200", "#874d00", "#531dab", "#006d75", "#595959", "#c41d7f",
              "#ad4e00", "#10239e"],
      textStyle: { fontFamily: "sans-serif", color: "#1f1f1f" },
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0, textStyle: { color: "#1f1f1f" } },
      grid: { left: 48, right: 24, top: 64, bottom: 40, containLabel: true },
      // Every period named, wrapped to its share of the width (a phone would otherwise show
      // only the first of the long period names, over the axis name).
      xAxis: { type: "category", data: data.periods,
               axisLabel: { color: "#1f1f1f", interval: 0, width: labelWidth(), overflow: "break",
                            lineHeight: 18 } },
      // The axis is inverted (rank 1 on top): its name goes at the top, above the best rank.
      yAxis: { type: "value", name: "名次", nameLocation: "start", inverse: true, minInterval: 1, min: 1,
               axisLabel: { color: "#1f1f1f" }, nameTextStyle: { color: "#1f1f1f" } },
      series: data.series.map(function (s) {
        return { name: s.name, type: "line", data: s.rank, connectNulls: false, symbolSize: 8 };
      })
    });
    el.classList.add("chart-ready");
    window.addEventListener("resize", function () {
      chart.setOption({ xAxis: { axisLabel: { width: labelWidth() } } });
      chart.resize();
    });
  });
})();
