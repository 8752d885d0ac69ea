import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { numericColumn, stringColumn, tableOf, type Table } from '../../lib/drift';
import { LegacyRandomState } from '../../lib/drift/numpy-random';
import { analyze, monitorMapping, renderReport, type MonitoringAnalysis } from '../../lib/monitoring';
import { launchChromium } from '../support/browser';

/** The HTML drift report opened in headless Chromium: rendered, interactive, and offline. */
const CLASSES = ['cs.CL', 'cs.CV', 'cs.LG', 'math.NA'];

function window(rows: number, seed: number, shift: number): Table {
  const random = new LegacyRandomState(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.rand())) * Math.cos(2 * Math.PI * random.rand());
  const label = Array.from(
    { length: rows },
    () => CLASSES[Math.floor(random.rand() * (CLASSES.length - (shift > 0 ? 1 : 0)))]!,
  );
  const prediction = label.map((truth) =>
    random.rand() < 0.85 - shift * 0.3 ? truth : CLASSES[Math.floor(random.rand() * CLASSES.length)]!,
  );
  const columns = [
    stringColumn(
      'arxiv_id',
      label.map((_, i) => `2501.${String(seed * 10_000 + i).padStart(5, '0')}`),
    ),
    ...Array.from({ length: 16 }, (_, d) =>
      numericColumn(
        `emb_${d}`,
        Array.from({ length: rows }, () => 0.1 * normal() + (d < 6 ? shift * 0.08 : 0)),
      ),
    ),
    stringColumn('label', label),
    stringColumn('prediction', prediction),
    numericColumn(
      'abstract_chars',
      Array.from({ length: rows }, () => Math.round(1100 + 250 * normal() + shift * 200)),
      'int',
    ),
  ];
  return tableOf(columns);
}

describe('the drift report in a browser', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-page-'));
  const file = join(dir, 'report.html');
  let analysis: MonitoringAnalysis;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    const reference = window(1_500, 1, 0);
    const current = window(1_200, 2, 1);
    const { mapping, embedding } = monitorMapping(reference, current);
    analysis = analyze(reference, current, {
      mapping,
      embedding,
      qualityBaseline: {
        accuracy: 0.86,
        macroF1: 0.85,
        recall: Object.fromEntries(CLASSES.map((label) => [label, 0.85])),
      },
    });
    writeFileSync(
      file,
      renderReport(analysis, {
        title: 'Drift report <test>',
        generatedAt: '2026-12-01T10:00:00Z',
        reference: 'training run abc123 (reference_data.csv)',
        current: 'papers published 2025-01-01 … 2025-12-31',
        links: [{ label: 'MLflow: training run', url: 'http://127.0.0.1:5000/#/experiments/1/runs/abc123' }],
      }),
    );
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.on('request', (request) => requests.push(request.url()));
    page = await context.newPage();
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-rendered="true"]', { timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads nothing but the file itself', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => url !== pathToFileURL(file).href)).toEqual([]);
  });

  it('shows the verdict, its reasons and the counters first', async () => {
    expect(await page.textContent('#verdict')).toBe('Drift detected');
    expect(await page.textContent('h1')).toBe('Drift report <test>');
    expect(await page.textContent('#count-columns .value')).toBe(String(analysis.data.numberOfColumns));
    expect(await page.textContent('#count-drifted .value')).toBe(String(analysis.data.numberOfDriftedColumns));
    expect((await page.locator('.reasons li').allTextContents()).length).toBe(analysis.reasons.length);
  });

  it('draws the predicted classes, model quality and embedding projection with ECharts', async () => {
    for (const id of ['prediction-chart', 'quality-chart', 'projection-chart']) {
      expect(await page.getAttribute(`#${id}`, 'data-chart')).toBe('rendered');
      expect(await page.locator(`#${id} canvas`).count()).toBeGreaterThan(0);
    }
  });

  it('draws a distribution for every drifted column once it scrolls into view', async () => {
    const charts = page.locator('.distribution');
    expect(await charts.count()).toBeGreaterThanOrEqual(analysis.data.numberOfDriftedColumns);
    const last = charts.last();
    await last.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (element) => element?.getAttribute('data-chart') === 'rendered',
      await last.elementHandle(),
    );
    expect(await last.locator('canvas').count()).toBeGreaterThan(0);
  });

  it('sorts the column table by a header click and filters it to drifted columns', async () => {
    const rows = page.locator('#columns-table tbody tr');
    expect(await rows.count()).toBe(analysis.data.numberOfColumns);
    await page.click('#columns-table th:nth-child(5)');
    const scores = await page
      .locator('#columns-table tbody tr td:nth-child(5)')
      .evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute('data-value'))));
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    await page.check('#only-drifted');
    expect(await page.locator('#columns-table tbody tr:not([hidden])').count()).toBe(
      analysis.data.numberOfDriftedColumns,
    );
  });

  it('escapes text that comes from the data', async () => {
    expect(await page.locator('h1 test').count()).toBe(0);
    expect(statSync(file).size).toBeLessThan(3 * 1024 * 1024);
  });
});
