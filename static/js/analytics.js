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
    // report.series: the table columns drawn (a line or a bar each); the first column names the points
    function column(i, reverse) {
      var data = report.rows.map(function (r) { return Number(r[i]) || 0; });
      return reverse ? data.reverse() : data;
    }
    if (report.chart === "line") {
      return {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { top: 32, left: 8, right: 16, containLabel: true },
        xAxis: { type: "category", data: names },
        yAxis: { type: "value" },
        series: (report.series || [2]).map(function (i) {
          return { type: "line", name: report.columns[i], data: column(i, false) };
        })
      };
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { top: 32, left: 8, right: 16, containLabel: true },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: names.slice().reverse(), axisLabel: { width: 120, overflow: "truncate" } },
      series: (report.series || [1]).map(function (i) {
        return { type: "bar", name: report.columns[i], data: column(i, true) };
      })
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
