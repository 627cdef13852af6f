// The overview's charts, drawn with Apache ECharts (vendored into the static files by
// scripts/vendor-js.sh) from the numbers the page carries in <script id="overview-charts"
// type="application/json">; review/statistics.py computes them. Each chart's box is
// <div data-chart="KEY">, next to its summary and table, which stay the text alternative.
//
// Under the site's Content-Security-Policy (no inline script or style attribute): ECharts draws on a
// canvas and styles its elements through the CSSOM, which the policy allows; tooltips are drawn on
// the canvas too (renderMode "richText"), because its HTML tooltips carry style attributes.
(function () {
  "use strict";
  var source = document.getElementById("overview-charts");
  if (!source || !window.echarts) return;
  var charts = JSON.parse(source.textContent).charts;
  var locale = (document.documentElement.lang || "").indexOf("zh") === 0 ? "ZH" : "EN";
  var palette = ["#1f5fae", "#1d7a46", "#a15c00", "#6b4fa3", "#2a8c9e", "#b3261e", "#5b6675", "#c2185b", "#7a8b00"];
  var tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" };

  // Horizontal bars grow with the number of rows, so that every label stays readable.
  function rowsHeight(count) {
    return Math.max(200, 34 * count + 90);
  }

  var builders = {
    // Submissions per hour (bars) and the running total (line) on a time axis, the deadline marked.
    // Times arrive as Beijing wall-clock milliseconds: useUTC shows them as they are.
    rush: function (c) {
      return {
        option: {
          useUTC: true,
          tooltip: { trigger: "axis", renderMode: "richText" },
          legend: { top: 0 },
          grid: { left: 8, right: 8, top: 48, bottom: 8, containLabel: true },
          xAxis: {
            type: "time",
            min: c.start,
            max: c.end,
            axisLabel: { hideOverlap: true, formatter: { day: "{MM}-{dd}", hour: "{HH}:{mm}", minute: "{HH}:{mm}" } },
          },
          yAxis: [
            { type: "value", name: c.names[0], minInterval: 1 },
            { type: "value", name: c.names[1], minInterval: 1, splitLine: { show: false } },
          ],
          series: [
            {
              name: c.names[0],
              type: "bar",
              data: c.hours,
              barMaxWidth: 6,
              markLine: {
                symbol: "none",
                silent: true,
                label: { formatter: c.deadline_label, position: "insideEndTop" },
                lineStyle: { color: "#b3261e", type: "dashed", width: 2 },
                data: [{ xAxis: c.deadline }],
              },
            },
            { name: c.names[1], type: "line", yAxisIndex: 1, data: c.cumulative, showSymbol: false },
          ],
        },
      };
    },
    // Applications per group, each bar split by state.
    stacked: function (c) {
      return {
        height: rowsHeight(c.groups.length),
        option: {
          tooltip: tooltip,
          legend: { top: 0, type: "scroll" },
          grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
          xAxis: { type: "value", minInterval: 1 },
          yAxis: { type: "category", data: c.groups, inverse: true, axisLabel: { width: 150, overflow: "truncate" } },
          series: c.series.map(function (s) {
            return { name: s.name, type: "bar", stack: "total", data: s.data, barMaxWidth: 22 };
          }),
        },
      };
    },
    // Recommended against quota: the quota as a pale bar, what is used over it (red once full).
    quota: function (c) {
      return {
        height: rowsHeight(c.groups.length),
        option: {
          tooltip: tooltip,
          legend: { top: 0 },
          grid: { left: 8, right: 48, top: 40, bottom: 8, containLabel: true },
          xAxis: { type: "value", minInterval: 1 },
          yAxis: { type: "category", data: c.groups, inverse: true, axisLabel: { width: 150, overflow: "truncate" } },
          series: [
            {
              name: c.names[1],
              type: "bar",
              data: c.quota,
              barGap: "-100%",
              barMaxWidth: 22,
              itemStyle: { color: "#dfe4ec" },
              label: {
                show: true,
                position: "right",
                formatter: function (p) {
                  return c.used[p.dataIndex] + " / " + c.quota[p.dataIndex];
                },
              },
            },
            {
              name: c.names[0],
              type: "bar",
              barMaxWidth: 22,
              data: c.used.map(function (n, i) {
                return { value: n, itemStyle: { color: n >= c.quota[i] ? "#b3261e" : "#1f5fae" } };
              }),
            },
          ],
        },
      };
    },
    // How many applications ask for how much, stacked by category.
    histogram: function (c) {
      return {
        option: {
          tooltip: tooltip,
          legend: { top: 0 },
          grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
          xAxis: { type: "category", data: c.buckets, axisLabel: { rotate: 40, interval: 0 } },
          yAxis: { type: "value", minInterval: 1 },
          series: c.series.map(function (s) {
            return { name: s.name, type: "bar", stack: "total", data: s.data };
          }),
        },
      };
    },
    pie: function (c) {
      return {
        option: {
          tooltip: { trigger: "item", renderMode: "richText" },
          legend: { bottom: 0 },
          series: [
            {
              type: "pie",
              radius: ["40%", "68%"],
              center: ["50%", "45%"],
              // Nothing to draw for an empty share; the table still lists it.
              data: c.values.filter(function (v) {
                return v.value > 0;
              }),
              label: { formatter: "{b}\n{c}（{d}%）" },
            },
          ],
        },
      };
    },
    // One bar per priority tag (long names: wrapped).
    bars: function (c) {
      return {
        height: rowsHeight(c.names.length),
        option: {
          tooltip: tooltip,
          grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: "value", minInterval: 1 },
          yAxis: { type: "category", data: c.names, inverse: true, axisLabel: { width: 200, overflow: "break" } },
          series: [{ type: "bar", data: c.values, barMaxWidth: 22, label: { show: true, position: "right" } }],
        },
      };
    },
  };

  var drawn = [];
  charts.forEach(function (chart) {
    var box = document.querySelector('[data-chart="' + chart.key + '"]');
    var build = builders[chart.kind];
    if (!box || !build) return;
    var built = build(chart);
    box.classList.add("drawn");
    if (built.height) box.style.height = built.height + "px"; // the CSSOM, not a style attribute
    var instance = window.echarts.init(box, null, { renderer: "canvas", locale: locale });
    built.option.color = palette;
    built.option.animation = false;
    instance.setOption(built.option);
    box.setAttribute("data-drawn", "true");
    drawn.push(instance);
  });
  window.addEventListener("resize", function () {
    drawn.forEach(function (instance) {
      instance.resize();
    });
  });
})();
