import * as echarts from 'echarts';
import Papa from 'papaparse';

/** One trained candidate, as the comparison shows it. */
export interface CandidateRow {
  name: string;
  family: string;
  validationAccuracy: number;
  validationMacroF1: number;
  accuracy: number;
  macroF1: number;
  seconds: number;
  peakRssBytes: number;
  perClassF1: Record<string, number>;
}

const round = (value: number, digits = 4) => Number(value.toFixed(digits));

/** One line per candidate: scores, time, memory, and the test F1 of every class (where small classes win or lose). */
export function candidatesCsv(rows: readonly CandidateRow[], winner: string): string {
  const labels = [...new Set(rows.flatMap((row) => Object.keys(row.perClassF1)))].sort();
  return Papa.unparse(
    rows.map((row) => ({
      candidate: row.name,
      family: row.family,
      winner: row.name === winner,
      val_accuracy: round(row.validationAccuracy),
      val_macro_f1: round(row.validationMacroF1),
      test_accuracy: round(row.accuracy),
      test_macro_f1: round(row.macroF1),
      seconds: round(row.seconds, 1),
      peak_rss_mb: Math.round(row.peakRssBytes / 2 ** 20),
      ...Object.fromEntries(
        labels.map((label) => [
          `test_f1/${label}`,
          row.perClassF1[label] === undefined ? '' : round(row.perClassF1[label]!),
        ]),
      ),
    })),
    {
      columns: [
        'candidate',
        'family',
        'winner',
        'val_accuracy',
        'val_macro_f1',
        'test_accuracy',
        'test_macro_f1',
        'seconds',
        'peak_rss_mb',
        ...labels.map((label) => `test_f1/${label}`),
      ],
    },
  );
}

/** The candidates side by side as a standalone SVG: scores as bars, training time as a line on its own axis. */
export function candidatesChartSvg(rows: readonly CandidateRow[], winner: string): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: Math.max(640, 160 * rows.length + 200),
    height: 420,
  });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: '#fff',
      title: { text: 'Training candidates', subtext: `winner on validation macro-F1: ${winner}`, left: 'center' },
      legend: { top: 52 },
      grid: { top: 100, bottom: 70, left: 60, right: 70 },
      xAxis: {
        type: 'category',
        data: rows.map((row) => (row.name === winner ? `★ ${row.name}` : row.name)),
        axisLabel: { interval: 0, width: 150, overflow: 'break' },
      },
      yAxis: [
        { type: 'value', name: 'score', min: 0, max: 1 },
        { type: 'value', name: 'seconds', position: 'right' },
      ],
      series: [
        {
          name: 'validation macro-F1',
          type: 'bar',
          data: rows.map((row) => round(row.validationMacroF1)),
          label: { show: true, position: 'top', fontSize: 10 },
        },
        { name: 'test macro-F1', type: 'bar', data: rows.map((row) => round(row.macroF1)) },
        { name: 'test accuracy', type: 'bar', data: rows.map((row) => round(row.accuracy)) },
        { name: 'training seconds', type: 'line', yAxisIndex: 1, data: rows.map((row) => round(row.seconds, 1)) },
      ],
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
