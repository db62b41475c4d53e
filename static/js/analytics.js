/* Operators' analytics: draw each report's chart from the JSON block the page carries (no inline script). */
(function () {
  "use strict";
  var block = document.getElementById("analytics-data");
  if (!block || typeof echarts === "undefined") { return; }
  var reports = JSON.parse(block.textContent);

  function option(report) {
    var names = report.rows.map(function (r) { return String(r[0]); });
    var values = report.rows.map(function (r) { return Number(r[1]) || 0; });
    if (report.chart === "funnel") {
      return {
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "8%",
                   label: { show: true, position: "inside", formatter: "{b}: {c}" },
                   data: names.map(function (n, i) { return { name: n, value: values[i] }; }) }]
      };
    }
    if (report.chart === "line") {
      return {
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: names },
        yAxis: { type: "value" },
        series: [{ type: "line", name: report.columns[2],
                   data: report.rows.map(function (r) { return Number(r[2]) || 0; }) }]
      };
    }
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: names.slice().reverse(), axisLabel: { width: 120, overflow: "truncate" } },
      series: [{ type: "bar", name: report.columns[1], data: values.slice().reverse() }]
    };
  }

  reports.forEach(function (report) {
    var node = document.getElementById("chart-" + report.key);
    if (!node || !report.rows.length) { return; }
    var chart = echarts.init(node);
    chart.setOption(option(report));
    window.addEventListener("resize", function () { chart.resize(); });
  });
}());
