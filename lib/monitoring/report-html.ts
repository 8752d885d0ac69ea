import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { resolveFromRoot } from '../config/paths';
import type { MonitoringAnalysis } from './analysis';
import type { ReportContext } from './summary';

/**
 * The drift report: one self-contained HTML file — counters, the verdict and why, model quality,
 * predicted classes, the embedding projection, a sortable table of every column and the
 * distributions of drifted columns — with ECharts and the data inlined, so it opens offline
 * (its content security policy forbids any network request).
 */
let assets: { echarts: string; client: string } | undefined;

function loadAssets(): { echarts: string; client: string } {
  assets ??= {
    // The package's main file sits in its dist/ folder, beside the prebuilt bundles.
    echarts: readFileSync(join(dirname(require.resolve('echarts')), 'echarts.common.min.js'), 'utf8'),
    // Plain browser JavaScript, read from the sources (it is not compiled).
    client: readFileSync(resolveFromRoot('lib', 'monitoring', 'report-client.js'), 'utf8'),
  };
  return assets;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );
}

/** JSON that can sit inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script body that cannot close its element early. */
function scriptText(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script');
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

function formatScore(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value !== 0 && Math.abs(value) < 1e-3) return value.toExponential(2);
  return value.toFixed(4);
}

function counter(label: string, value: string, tone: 'bad' | 'good' | 'plain' = 'plain', id?: string): string {
  return `<div class="counter ${tone}"${id ? ` id="${id}"` : ''}><div class="value">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`;
}

function columnTable(analysis: MonitoringAnalysis): string {
  const rows = analysis.data.columns
    .map(
      (result) =>
        `<tr data-drifted="${result.drifted}"><td data-value="${escapeHtml(result.column)}">${escapeHtml(result.column)}</td>` +
        `<td data-value="${result.type}">${result.type}</td>` +
        `<td data-value="${escapeHtml(result.testLabel)}">${escapeHtml(result.testLabel)}</td>` +
        `<td data-value="${result.threshold}" class="num">${result.threshold}</td>` +
        `<td data-value="${Number.isFinite(result.score) ? result.score : 0}" class="num">${formatScore(result.score)}</td>` +
        `<td data-value="${result.drifted ? 1 : 0}" class="${result.drifted ? 'bad' : 'good'}">${result.drifted ? 'drift' : 'no drift'}</td></tr>`,
    )
    .join('\n');
  return `<table id="columns-table">
<thead><tr><th>column</th><th>type</th><th>test</th><th data-numeric="true">threshold</th><th data-numeric="true">score</th><th data-numeric="true">verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function qualitySection(analysis: MonitoringAnalysis): string {
  const { quality } = analysis;
  if (!quality)
    return '<section id="quality"><h2>Model quality</h2><p class="muted">The current data has no true labels: quality is not watched.</p></section>';
  const baseline = quality.baseline;
  const rows = [
    ['rows scored', String(quality.rows)],
    ['accuracy', `${pct(quality.accuracy)}${baseline ? ` (training test set ${pct(baseline.accuracy)})` : ''}`],
    ['macro-F1', `${pct(quality.macroF1)}${baseline ? ` (training test set ${pct(baseline.macroF1)})` : ''}`],
    [
      'macro-F1 drop',
      quality.macroF1Drop === null
        ? 'no baseline'
        : `${(quality.macroF1Drop * 100).toFixed(1)} points (alert above ${(quality.maxMacroF1Drop * 100).toFixed(1)})`,
    ],
  ];
  return `<section id="quality"><h2>Model quality <span class="badge ${quality.alert ? 'bad' : 'good'}">${quality.alert ? 'quality alert' : 'quality holds'}</span></h2>
<table class="facts">${rows.map(([label, value]) => `<tr><th>${label}</th><td>${escapeHtml(value!)}</td></tr>`).join('')}</table>
<div class="chart wide" id="quality-chart"></div></section>`;
}

function embeddingSection(analysis: MonitoringAnalysis): string {
  const { embedding } = analysis;
  if (!embedding) return '';
  const test = embedding.bootstrap ? `bootstrap ${embedding.threshold.toFixed(3)}` : `threshold ${embedding.threshold}`;
  return `<section id="embedding"><h2>Embedding <span class="badge ${embedding.drifted ? 'bad' : 'good'}">${embedding.drifted ? 'drift' : 'no drift'}</span></h2>
<p>${escapeHtml(`${embedding.dimensions} dimensions, method "${embedding.method}": score ${formatScore(embedding.score)} against ${test}.`)}</p>
<div class="chart wide tall" id="projection-chart"></div></section>`;
}

function predictionSection(analysis: MonitoringAnalysis): string {
  const { prediction } = analysis;
  if (!prediction) return '';
  return `<section id="prediction"><h2>Predicted classes <span class="badge ${prediction.drifted ? 'bad' : 'good'}">${prediction.drifted ? 'drift' : 'no drift'}</span></h2>
<p>${escapeHtml(`${prediction.testLabel}: ${formatScore(prediction.score)} (threshold ${prediction.threshold}).`)}</p>
<div class="chart wide" id="prediction-chart"></div></section>`;
}

const STYLE = `
:root { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f6f8fa; }
body { margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { margin: 0 0 4px; font-size: 24px; } h2 { font-size: 18px; margin: 0 0 12px; }
section, header { background: #fff; border: 1px solid #d0d7de; border-radius: 8px; padding: 16px 20px; margin-bottom: 16px; }
.muted, header p { color: #57606a; margin: 4px 0; }
.verdict { display: inline-block; margin-top: 12px; padding: 8px 14px; border-radius: 6px; font-weight: 600; font-size: 18px; }
.verdict.bad { background: #ffebe9; color: #a40e26; } .verdict.good { background: #dafbe1; color: #116329; }
.reasons { margin: 8px 0 0; padding-left: 20px; }
.counters { display: flex; flex-wrap: wrap; gap: 12px; }
.counter { flex: 1 1 140px; border: 1px solid #d0d7de; border-radius: 6px; padding: 10px 12px; }
.counter .value { font-size: 22px; font-weight: 600; } .counter .label { color: #57606a; font-size: 13px; }
.counter.bad .value, td.bad { color: #cf222e; } .counter.good .value, td.good { color: #1a7f37; }
.badge { font-size: 12px; padding: 2px 8px; border-radius: 10px; vertical-align: middle; }
.badge.bad { background: #ffebe9; color: #a40e26; } .badge.good { background: #dafbe1; color: #116329; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eaeef2; }
#columns-table th { cursor: pointer; user-select: none; position: sticky; top: 0; background: #fff; }
#columns-table th[aria-sort="ascending"]::after { content: " ▲"; } #columns-table th[aria-sort="descending"]::after { content: " ▼"; }
.table-scroll { max-height: 480px; overflow: auto; margin-top: 8px; }
td.num { font-variant-numeric: tabular-nums; }
table.facts { width: auto; } table.facts th { color: #57606a; font-weight: normal; }
.chart { height: 260px; } .chart.wide { width: 100%; } .chart.tall { height: 420px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
.links a { margin-right: 16px; }
`;

export function renderReport(analysis: MonitoringAnalysis, context: ReportContext): string {
  const { data } = analysis;
  const { echarts, client } = loadAssets();
  const payload = {
    prediction: analysis.prediction
      ? {
          classes: analysis.prediction.classes,
          referenceShares: analysis.prediction.referenceShares,
          currentShares: analysis.prediction.currentShares,
        }
      : null,
    quality: analysis.quality,
    projection: analysis.charts.projection,
    distributions: analysis.charts.distributions,
  };
  const counters = [
    counter('columns tested', String(data.numberOfColumns), 'plain', 'count-columns'),
    counter(
      'columns drifted',
      String(data.numberOfDriftedColumns),
      data.numberOfDriftedColumns > 0 ? 'bad' : 'good',
      'count-drifted',
    ),
    counter(
      `drifted share (dataset drift at ≥ ${pct(data.driftShare)})`,
      pct(data.shareOfDriftedColumns),
      data.datasetDrift ? 'bad' : 'good',
      'drift-share',
    ),
    analysis.embedding
      ? counter(
          'embedding',
          analysis.embedding.drifted ? 'drift' : 'no drift',
          analysis.embedding.drifted ? 'bad' : 'good',
        )
      : '',
    analysis.prediction
      ? counter(
          'predicted classes',
          analysis.prediction.drifted ? 'drift' : 'no drift',
          analysis.prediction.drifted ? 'bad' : 'good',
        )
      : '',
    analysis.quality
      ? counter('model quality', analysis.quality.alert ? 'alert' : 'holds', analysis.quality.alert ? 'bad' : 'good')
      : '',
    counter('rows (reference / current)', `${analysis.rows.reference} / ${analysis.rows.current}`),
  ].join('');
  const verdict = analysis.drift ? 'Drift detected' : 'No drift';
  const links = context.links.length
    ? `<p class="links">${context.links.map((link) => `<a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a>`).join('')}</p>`
    : '';
  const skipped = data.skipped.length
    ? `<p class="muted">Not tested: ${escapeHtml(data.skipped.map((entry) => `${entry.column} (${entry.reason})`).join('; '))}.</p>`
    : '';
  const distributions = analysis.charts.distributions
    .map((distribution) => `<div class="chart distribution" data-column="${escapeHtml(distribution.column)}"></div>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(context.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(context.title)}</h1>
<p>Reference: ${escapeHtml(context.reference)}</p>
<p>Current: ${escapeHtml(context.current)}</p>
<p>Generated ${escapeHtml(context.generatedAt)}</p>
${links}
<div class="verdict ${analysis.drift ? 'bad' : 'good'}" id="verdict">${verdict}</div>
${analysis.reasons.length ? `<ul class="reasons">${analysis.reasons.map((reason) => `<li>${escapeHtml(reason)}</li>`).join('')}</ul>` : ''}
${analysis.qualityAlert ? '<div class="verdict bad" id="quality-verdict">Quality alert</div>' : ''}
</header>
<section class="counters" id="counters">${counters}</section>
${qualitySection(analysis)}
${predictionSection(analysis)}
${embeddingSection(analysis)}
<section id="columns"><h2>Columns</h2>
<label><input type="checkbox" id="only-drifted"> drifted columns only</label>
${skipped}
<div class="table-scroll">${columnTable(analysis)}</div></section>
<section id="distributions"><h2>Distributions: reference vs current</h2>
<p class="muted">Every drifted column, and the ${Math.max(analysis.charts.distributions.length - data.numberOfDriftedColumns, 0)} others nearest to drifting.</p>
<div class="grid">
${distributions}
</div></section>
<script type="application/json" id="report-data">${scriptJson(payload)}</script>
<script>${scriptText(echarts)}</script>
<script>${scriptText(client)}</script>
</body>
</html>
`;
}
