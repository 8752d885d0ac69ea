// The drift report's page script: charts from the data embedded in the page, a sortable and
// filterable table. Runs offline: everything it needs (ECharts included) is in the page.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var REFERENCE = '#5470c6';
  var CURRENT = '#ee6666';
  var charts = [];

  function chart(element, option) {
    var instance = echarts.init(element, null, { renderer: 'canvas' });
    instance.setOption(Object.assign({ animation: false }, option));
    charts.push(instance);
    element.setAttribute('data-chart', 'rendered');
    return instance;
  }

  function percent(value) {
    return (value * 100).toFixed(1) + '%';
  }

  function sideBySide(title, categories, reference, current) {
    return {
      title: { text: title, left: 'center', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis', valueFormatter: percent },
      legend: { bottom: 0, data: ['reference', 'current'] },
      grid: { left: 48, right: 12, top: 36, bottom: 56 },
      xAxis: {
        type: 'category',
        data: categories,
        axisLabel: { rotate: categories.length > 6 ? 40 : 0, fontSize: 10 },
      },
      yAxis: { type: 'value', axisLabel: { formatter: percent } },
      series: [
        { name: 'reference', type: 'bar', data: reference, itemStyle: { color: REFERENCE } },
        { name: 'current', type: 'bar', data: current, itemStyle: { color: CURRENT } },
      ],
    };
  }

  function histogramOption(distribution) {
    var labels = distribution.reference.map(function (_, i) {
      return String(distribution.edges[i]);
    });
    var option = sideBySide(distribution.column, labels, distribution.reference, distribution.current);
    option.series.forEach(function (series) {
      series.barGap = '-100%';
      series.itemStyle.opacity = 0.55;
    });
    option.xAxis.axisLabel = { fontSize: 9, interval: 4 };
    return option;
  }

  var prediction = document.getElementById('prediction-chart');
  if (prediction && data.prediction) {
    chart(
      prediction,
      sideBySide(
        'Predicted classes',
        data.prediction.classes,
        data.prediction.referenceShares,
        data.prediction.currentShares,
      ),
    );
  }

  var quality = document.getElementById('quality-chart');
  if (quality && data.quality) {
    var classes = data.quality.perClass.map(function (row) {
      return row.label;
    });
    chart(quality, {
      title: { text: 'Recall per class', left: 'center', textStyle: { fontSize: 13 } },
      tooltip: { trigger: 'axis', valueFormatter: percent },
      legend: { bottom: 0, data: ['training test set', 'current window'] },
      grid: { left: 48, right: 12, top: 36, bottom: 56 },
      xAxis: { type: 'category', data: classes, axisLabel: { rotate: classes.length > 6 ? 40 : 0, fontSize: 10 } },
      yAxis: { type: 'value', max: 1, axisLabel: { formatter: percent } },
      series: [
        {
          name: 'training test set',
          type: 'bar',
          itemStyle: { color: REFERENCE },
          data: data.quality.perClass.map(function (row) {
            return row.baselineRecall;
          }),
        },
        {
          name: 'current window',
          type: 'bar',
          itemStyle: { color: CURRENT },
          data: data.quality.perClass.map(function (row) {
            return row.recall;
          }),
        },
      ],
    });
  }

  var projection = document.getElementById('projection-chart');
  if (projection && data.projection) {
    chart(projection, {
      title: {
        text: 'Embeddings on the reference\u2019s first two principal components',
        left: 'center',
        textStyle: { fontSize: 13 },
      },
      tooltip: { trigger: 'item' },
      legend: { bottom: 0, data: ['reference', 'current'] },
      grid: { left: 48, right: 16, top: 36, bottom: 48 },
      xAxis: { type: 'value', name: 'PC 1', scale: true },
      yAxis: { type: 'value', name: 'PC 2', scale: true },
      series: [
        {
          name: 'reference',
          type: 'scatter',
          symbolSize: 4,
          data: data.projection.reference,
          itemStyle: { color: REFERENCE, opacity: 0.5 },
        },
        {
          name: 'current',
          type: 'scatter',
          symbolSize: 4,
          data: data.projection.current,
          itemStyle: { color: CURRENT, opacity: 0.5 },
        },
      ],
    });
  }

  // Distribution charts render when they scroll into view: a report may hold hundreds.
  var byColumn = {};
  data.distributions.forEach(function (distribution) {
    byColumn[distribution.column] = distribution;
  });
  function renderDistribution(element) {
    if (element.getAttribute('data-chart') === 'rendered') return;
    var distribution = byColumn[element.getAttribute('data-column')];
    if (!distribution) return;
    chart(
      element,
      distribution.kind === 'histogram'
        ? histogramOption(distribution)
        : sideBySide(distribution.column, distribution.categories, distribution.reference, distribution.current),
    );
  }
  var pending = Array.prototype.slice.call(document.querySelectorAll('.distribution'));
  if ('IntersectionObserver' in window) {
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting) {
            renderDistribution(entry.target);
            observer.unobserve(entry.target);
          }
        });
      },
      { rootMargin: '400px' },
    );
    pending.forEach(function (element) {
      observer.observe(element);
    });
  } else {
    pending.forEach(renderDistribution);
  }

  // The column table: click a header to sort by it (again to reverse); the box shows drifted columns only.
  var table = document.getElementById('columns-table');
  var body = table.tBodies[0];
  var headers = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(headers, function (header, index) {
    header.addEventListener('click', function () {
      var ascending = header.getAttribute('aria-sort') !== 'ascending';
      Array.prototype.forEach.call(headers, function (other) {
        other.removeAttribute('aria-sort');
      });
      header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var numeric = header.getAttribute('data-numeric') === 'true';
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[index].getAttribute('data-value');
        var y = b.cells[index].getAttribute('data-value');
        var order = numeric ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
        return ascending ? order : -order;
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
    });
  });
  var onlyDrifted = document.getElementById('only-drifted');
  onlyDrifted.addEventListener('change', function () {
    Array.prototype.forEach.call(body.rows, function (row) {
      row.hidden = onlyDrifted.checked && row.getAttribute('data-drifted') !== 'true';
    });
  });

  window.addEventListener('resize', function () {
    charts.forEach(function (instance) {
      instance.resize();
    });
  });
  document.body.setAttribute('data-rendered', 'true');
})();
