/* Charts of the statistics pages, drawn with the vendored Apache ECharts.
 *
 * Every element with data-chart="trend|cohort|risk|ranking" carries its rows (data-rows) and the Chinese
 * names of its series (data-labels) as JSON, put there by the server; the same rows are in the table beside
 * the chart. Tooltips are drawn inside the canvas (renderMode "richText"), so no inline style reaches the
 * page and the Content-Security-Policy holds.
 */
(function () {
  "use strict";

  if (typeof window.echarts === "undefined") {
    return; // the tables beside the charts still say everything
  }

  var COLORS = {
    brand: "#0b5394", closed: "#2e7d32", rate: "#e07b00", overdue: "#c62828", major: "#8e24aa",
    red: "#c62828", yellow: "#e0a100", green: "#2e7d32", grey: "#78848f"
  };
  var BAR_ROW_HEIGHT = 34;
  var charts = [];

  function json(element, name) {
    try {
      return JSON.parse(element.getAttribute(name) || "null");
    } catch (error) {
      return null;
    }
  }

  function base() {
    return {
      animation: false,
      aria: { enabled: true },
      textStyle: { fontFamily: "system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif" },
      tooltip: { trigger: "axis", renderMode: "richText", confine: true, axisPointer: { type: "shadow" } },
      legend: { type: "scroll", top: 0, left: 0, right: 0, itemWidth: 14, itemHeight: 10 },
      grid: { left: 4, right: 24, top: 36, bottom: 4, containLabel: true }
    };
  }

  function percent(value) {
    return Math.round(value * 1000) / 10 + "%";
  }

  // Months by their last five characters ("26-03"): twelve of them fit across a phone.
  function trend(rows, labels) {
    var option = base();
    option.xAxis = {
      type: "category", data: rows.map(function (row) { return row.month; }),
      axisLabel: { hideOverlap: true, formatter: function (month) { return month.slice(2); } }
    };
    option.yAxis = [
      { type: "value", minInterval: 1, name: "", splitLine: { lineStyle: { color: "#e3e8ee" } } },
      { type: "value", min: 0, max: 1, axisLabel: { formatter: percent }, splitLine: { show: false } }
    ];
    option.series = [
      { name: labels.findings_found, type: "bar", color: COLORS.brand,
        data: rows.map(function (row) { return row.findings_found; }) },
      { name: labels.findings_closed, type: "bar", color: COLORS.closed,
        data: rows.map(function (row) { return row.findings_closed; }) },
      { name: labels.on_time_rate, type: "line", yAxisIndex: 1, color: COLORS.rate, symbolSize: 6,
        data: rows.map(function (row) { return row.on_time_rate; }),
        tooltip: { valueFormatter: percent } }
    ];
    return option;
  }

  // Horizontal bars, largest first at the top, so long Chinese names stay readable on a phone.
  function horizontal(rows, nameOf, series) {
    var option = base();
    var ordered = rows.slice().reverse();
    option.yAxis = {
      type: "category", data: ordered.map(nameOf),
      axisLabel: { width: 84, overflow: "truncate" }, axisTick: { show: false }
    };
    option.xAxis = {
      type: "value", minInterval: 1, splitNumber: 4, axisLabel: { hideOverlap: true },
      splitLine: { lineStyle: { color: "#e3e8ee" } }
    };
    option.series = series.map(function (item) {
      return {
        name: item.name, type: "bar", stack: item.stack, color: item.color, barMaxWidth: 22,
        data: ordered.map(function (row) { return row[item.key]; })
      };
    });
    return option;
  }

  function cohort(rows, labels) {
    var key = "category" in labels ? "category" : "sector";
    return horizontal(rows, function (row) { return row[key]; }, [
      { key: "found", name: labels.found, color: COLORS.brand },
      { key: "major", name: labels.major, color: COLORS.major },
      { key: "overdue", name: labels.overdue, color: COLORS.overdue }
    ]);
  }

  function risk(rows, labels) {
    return horizontal(rows, function (row) { return row.township_name; }, [
      { key: "red", name: labels.red, color: COLORS.red, stack: "units" },
      { key: "yellow", name: labels.yellow, color: COLORS.yellow, stack: "units" },
      { key: "green", name: labels.green, color: COLORS.green, stack: "units" },
      { key: "closed", name: labels.closed, color: COLORS.grey, stack: "units" }
    ]);
  }

  function ranking(rows, labels) {
    var option = horizontal(rows, function (row) { return row.rank + ". " + row.township_name; }, [
      { key: "score", name: labels.score, color: COLORS.brand }
    ]);
    option.legend = { show: false };
    option.grid.top = 8;
    option.xAxis.minInterval = 0;
    option.xAxis.max = function (extent) { return Math.max(100, Math.ceil(extent.max)); };
    option.xAxis.min = function (extent) { return Math.min(0, Math.floor(extent.min)); };
    option.series[0].label = { show: true, position: "insideRight", color: "#fff", formatter: function (item) {
      return item.value.toFixed(2);
    } };
    return option;
  }

  var BUILDERS = { trend: trend, cohort: cohort, risk: risk, ranking: ranking };

  function draw(element) {
    var build = BUILDERS[element.getAttribute("data-chart")];
    var rows = json(element, "data-rows");
    var labels = json(element, "data-labels") || {};
    if (!build || !rows || rows.length === 0) {
      return;
    }
    if (element.getAttribute("data-chart") !== "trend") {
      element.style.height = Math.max(180, rows.length * BAR_ROW_HEIGHT + 60) + "px";
    }
    var locale = (document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0 ? "ZH" : "EN";
    var chart = window.echarts.init(element, null, { renderer: "canvas", locale: locale });
    chart.setOption(build(rows, labels));
    charts.push(chart);
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);

  var pending = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      charts.forEach(function (chart) { chart.resize(); });
    }, 150);
  });
})();
