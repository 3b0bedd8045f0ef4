// Paint timings of the picker in headless chromium, for `cargo xtask bench ui`. Prints one
// JSON object on stdout. The picker reports progress through performance marks
// (`lablink:mount`, `lablink:data`, `lablink:listed`); a frame is taken as painted when a
// timeout queued from the next animation frame runs.
//
// Usage: node bench-ui.mjs <base url> [runs]

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchBrowser } from './support.mjs';

const base = process.argv[2];
const runs = Number(process.argv[3] ?? 15);
const here = path.dirname(fileURLToPath(import.meta.url));
const reference = readFileSync(path.join(here, 'bench-reference.html'), 'utf8');

// Runs in the page before its scripts: pairs every listing with the paint that followed it.
const observe = () => {
  window.benchPaints = [];
  let lastData = null;
  new PerformanceObserver((list) => {
    for (const mark of list.getEntries()) {
      if (mark.name === 'lablink:data') lastData = mark.startTime;
      if (mark.name === 'lablink:listed') {
        const data = lastData;
        requestAnimationFrame(() => setTimeout(() => {
          window.benchPaints.push({ data, painted: performance.now() });
        }));
      }
    }
  }).observe({ entryTypes: ['mark'] });
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await launchBrowser();
const results = { picker_first_paint: [], picker_10k: [], reference_first_paint: [], reference_10k: [] };

async function picker(query, wantRows, pagesWanted) {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  await page.addInitScript(observe);
  await page.goto(`${base}/${query}`);
  await page.waitForFunction((n) => window.benchPaints.length >= n, pagesWanted, { timeout: 30_000 });
  const out = await page.evaluate(() => ({
    mount: performance.getEntriesByName('lablink:mount')[0].startTime,
    paints: window.benchPaints,
  }));
  const rows = await page.locator('.lablink-row').count();
  await context.close();
  if (rows === 0 || rows > wantRows) throw new Error(`unexpected row count ${rows}`);
  return out;
}

async function referenceRun(query) {
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  await page.route(`${base}/bench-reference*`, (route) =>
    route.fulfill({ contentType: 'text/html', body: reference }));
  await page.goto(`${base}/bench-reference${query}`);
  await page.waitForFunction(() => window.benchResult, null, { timeout: 30_000 });
  const result = await page.evaluate(() => window.benchResult);
  await context.close();
  return result;
}

// One warm-up of each, then alternate so both see the same machine.
await picker('', 100, 1);
await referenceRun('');
for (let i = 0; i < runs; i++) {
  const first = await picker('', 100, 1);
  results.picker_first_paint.push(first.paints[0].painted - first.mount);
  // The 10,000-entry folder arrives in 3 pages (500, 5000, 4500): its cost is the slowest
  // data-to-paint among them (the last one, painting into a list of 10,000).
  const many = await picker('?path=many', 100, 3);
  results.picker_10k.push(Math.max(...many.paints.map((p) => p.painted - p.data)));
  results.reference_first_paint.push((await referenceRun('')).firstPaint);
  const ref = await referenceRun('?path=many&limit=10000');
  if (ref.rows !== 10000) throw new Error(`reference listed ${ref.rows} rows`);
  results.reference_10k.push(ref.dataToPaint);
}
await browser.close();

const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { median: median(v), min: Math.min(...v), max: Math.max(...v) }]));
console.log(JSON.stringify({ runs, summary }));
