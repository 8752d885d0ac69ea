/**
 * A PNG of a drift report as a browser shows it (the README's picture), from headless Chromium.
 *
 *   node dist/scripts/screenshot-report.js REPORT.html OUT.png [height]
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

async function main(): Promise<void> {
  const [report, out, height] = process.argv.slice(2);
  if (!report || !out) throw new Error('usage: screenshot-report REPORT.html OUT.png [height]');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: Number(height ?? 2000) } });
    await page.goto(pathToFileURL(resolve(report)).href);
    await page.waitForSelector('body[data-rendered="true"]');
    await page.waitForTimeout(300);
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
