// Paint timings of the grades panel in headless chromium, for `cargo xtask bench ui`. Prints one
// JSON object on stdout.
//
// The panel is served from a loopback HTTP server started here, beside canned answers of the
// grading API in its wire format (the real service only answers through a JupyterHub sign-in;
// what is measured here is the panel's own work: requests on loopback, decoding, painting).
// The panel reports through performance marks (`lablink:panel-mount`, `lablink:panel-data`,
// `lablink:panel-table-painted`); a frame counts as painted when a timeout queued from the
// next animation frame runs. The reference draws the same table from the same answers with
// plain DOM calls, every row created, as a hand-written panel would.
//
// Usage: node bench-panel.mjs <panel dir (web glue + wasm)> [runs]

import { readFileSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchBrowser } from './support.mjs';

const panelDir = path.resolve(process.argv[2]);
const runs = Number(process.argv[3] ?? 15);
const here = path.dirname(fileURLToPath(import.meta.url));

// The English labels, as labels.ts hands them to the panel (`key: trans.__('text'),` lines).
const labels = Object.fromEntries(
  readFileSync(path.join(here, '../../lab-extension/src/labels.ts'), 'utf8')
    .split('\n')
    .map((line) => line.trim().match(/^(\w+): trans\.__\('(.*)'\),?$/))
    .filter(Boolean)
    .map(([, key, text]) => [key, text.replace(/\\'/g, "'").replace(/\\\\/g, '\\')]),
);

// A course of `n` students, scores spread over the range, a third already in the LMS.
function gradeTable(n) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const score = (i * 37) % 101 / 10;
    rows.push({
      student_id: `student${String(i).padStart(4, '0')}`,
      first_name: `First${i}`,
      last_name: `Last${(i * 7919) % n}`,
      lms_user_id: `${1000 + i}`,
      submitted_at: '2026-11-20 10:00:00.000000',
      raw_score: score,
      late_penalty: 0,
      score,
      max_score: 10,
      ungraded_cells: 0,
      lms_score: i % 3 === 0 ? score : null,
      status: i % 3 === 0 ? 'unchanged' : 'pending',
    });
  }
  return { course: 'bench', assignment: `ps${n}`, max_score: 10, lms: { line_item: 'https://lms.invalid/li/1', line_max: 10, error: null }, rows };
}

// Each size is its own service (`/svc100/`, `/svc2000/`) with one course and one assignment,
// which the panel opens by itself.
const tables = { 100: JSON.stringify(gradeTable(100)), 2000: JSON.stringify(gradeTable(2000)) };
const answers = (n) => ({
  me: { name: 'instructor', admin: false, groups: ['formgrade-bench'] },
  courses: { user: 'instructor', courses: [{ id: 'bench', lms: 'lti13', instructor_group: 'formgrade-bench' }] },
  'courses/bench/assignments': {
    course: 'bench',
    assignments: [{ name: `ps${n}`, duedate: '2026-11-20 23:59:00', max_score: 10, submissions: n, students: n }],
  },
  'courses/bench/jobs': { jobs: [] },
  [`courses/bench/assignments/ps${n}/grades`]: null,
});

const page = (n) => `<!doctype html><html lang="en"><meta charset="utf-8"><title>grades panel bench</title>
<div id="panel" style="height: 700px"></div>
<script type="module">
import init, { mount } from '/panel/lablink_grades_panel.js';
await init();
mount(document.getElementById('panel'), { serviceUrl: '/svc${n}/', labels: ${JSON.stringify(labels)} });
</script></html>`;

const reference = (n) => `<!doctype html><html lang="en"><meta charset="utf-8"><title>bench reference</title>
<div id="table" style="height: 700px; overflow: auto"></div>
<script type="module">
const started = performance.now();
const get = async (p) => (await fetch('/svc${n}/api/' + p, { credentials: 'same-origin' })).json();
await get('me');
await get('courses');
await get('courses/bench/assignments');
const table = await get('courses/bench/assignments/ps${n}/grades');
const arrived = performance.now();
const t = document.createElement('table');
const head = t.createTHead().insertRow();
for (const h of ['Student', 'Name', 'nbgrader score', 'LMS score', 'Sync would']) head.insertCell().textContent = h;
const body = t.createTBody();
for (const r of table.rows) {
  const row = body.insertRow();
  row.insertCell().textContent = r.student_id;
  row.insertCell().textContent = (r.first_name ?? '') + ' ' + (r.last_name ?? '');
  row.insertCell().textContent = r.score + ' / ' + r.max_score;
  row.insertCell().textContent = r.lms_score === null ? '–' : String(r.lms_score);
  row.insertCell().textContent = r.status ?? '';
}
document.getElementById('table').replaceChildren(t);
requestAnimationFrame(() => setTimeout(() => {
  const painted = performance.now();
  window.benchResult = { firstPaint: painted - started, dataToPaint: painted - arrived, rows: table.rows.length };
}));
</script></html>`;

const types = { '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  const send = (status, type, body) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const size = Number(url.searchParams.get('n') ?? 100);
  if (url.pathname === '/') return send(200, 'text/html', page(size));
  if (url.pathname === '/reference') return send(200, 'text/html', reference(size));
  if (url.pathname.startsWith('/panel/')) {
    const file = path.join(panelDir, path.basename(url.pathname));
    try {
      return send(200, types[path.extname(file)] ?? 'application/octet-stream', readFileSync(file));
    } catch {
      return send(404, 'text/plain', 'no such file');
    }
  }
  const call = url.pathname.match(/^\/svc(100|2000)\/api\/(.+)$/);
  const service = call && answers(Number(call[1]));
  if (service && call[2] in service) {
    const body = service[call[2]];
    return send(200, 'application/json', body === null ? tables[call[1]] : JSON.stringify(body));
  }
  return send(404, 'application/json', JSON.stringify({ error: { code: 'not_found', message: url.pathname } }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const base = `http://127.0.0.1:${server.address().port}`;

// Runs in the page before its scripts: the mount, and the paint after each table's data.
const observe = () => {
  window.benchPaints = [];
  let lastData = null;
  new PerformanceObserver((list) => {
    for (const mark of list.getEntries()) {
      if (mark.name === 'lablink:panel-data') lastData = mark.startTime;
      if (mark.name === 'lablink:panel-table-painted' && lastData !== null) {
        const data = lastData;
        lastData = null;
        requestAnimationFrame(() => setTimeout(() => window.benchPaints.push({ data, painted: performance.now() })));
      }
    }
  }).observe({ entryTypes: ['mark'] });
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const browser = await launchBrowser();

async function panel(n) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const tab = await context.newPage();
  await tab.addInitScript(observe);
  await tab.goto(`${base}/?n=${n}`);
  await tab.waitForFunction(() => window.benchPaints.length >= 1, null, { timeout: 30_000 });
  const out = await tab.evaluate(() => ({
    mount: performance.getEntriesByName('lablink:panel-mount')[0].startTime,
    paint: window.benchPaints[0],
  }));
  // Virtualised: some rows drawn, never all 2,000.
  const rows = await tab.locator('tbody tr, [role=row]').count();
  await context.close();
  if (rows === 0 || (n === 2000 && rows >= 2000)) throw new Error(`unexpected row count ${rows} for ${n}`);
  return out;
}

async function referenceRun(n) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const tab = await context.newPage();
  await tab.goto(`${base}/reference?n=${n}`);
  await tab.waitForFunction(() => window.benchResult, null, { timeout: 30_000 });
  const result = await tab.evaluate(() => window.benchResult);
  await context.close();
  if (result.rows !== n) throw new Error(`the reference drew ${result.rows} rows`);
  return result;
}

const results = { panel_first_paint: [], panel_2000: [], reference_first_paint_panel: [], reference_2000: [] };
// One warm-up of each, then alternate so both see the same machine.
await panel(100);
await referenceRun(100);
for (let i = 0; i < runs; i++) {
  const first = await panel(100);
  results.panel_first_paint.push(first.paint.painted - first.mount);
  const many = await panel(2000);
  results.panel_2000.push(many.paint.painted - many.paint.data);
  results.reference_first_paint_panel.push((await referenceRun(100)).firstPaint);
  results.reference_2000.push((await referenceRun(2000)).dataToPaint);
}
await browser.close();
server.close();

const summary = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { median: median(v), min: Math.min(...v), max: Math.max(...v) }]));
console.log(JSON.stringify({ runs, summary }));
