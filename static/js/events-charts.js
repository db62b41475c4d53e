// Event report and yearly plan charts (ECharts from /static/vendor). Data comes from
// <script type="application/json" id="data-ID"> next to each <div class="event-chart" data-chart="ID">;
// every chart also has its table in the page, so nothing is lost without JavaScript.
(function () {
  "use strict";
  if (typeof echarts === "undefined") {
    return;
  }
  document.querySelectorAll(".event-chart").forEach(function (box) {
    var source = document.getElementById("data-" + box.getAttribute("data-chart"));
    if (!source) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var series;
    if (data.stacked) {
      series = data.stacked.map(function (values, i) {
        return {name: data.names[i], type: "bar", stack: "events", data: values};
      });
      if (data.target) {
        series.push({name: data.target.name, type: "line", symbol: "none", lineStyle: {type: "dashed"},
                     data: data.labels.map(function () { return data.target.value; })});
      }
    } else {
      series = [{type: "bar", data: data.values, itemStyle: {color: "#1d4f91"}}];
    }
    var chart = echarts.init(box, null, {renderer: "svg"});
    chart.setOption({
      animation: false,
      grid: {left: 40, right: 16, top: data.stacked ? 40 : 16, bottom: 60, containLabel: true},
      tooltip: {trigger: "axis"},
      legend: data.stacked ? {top: 0} : undefined,
      xAxis: {type: "category", data: data.labels, axisLabel: {interval: 0, rotate: data.labels.length > 6 ? 30 : 0}},
      yAxis: {type: "value", minInterval: 1},
      series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
