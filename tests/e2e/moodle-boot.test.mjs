// The picker's no-modules build as the Moodle plugin ships it (`lablink/picker/` in the zip
// `cargo xtask dist` writes), booted the way a Moodle page must: a classic <script> (next to
// RequireJS's `define`), the global `lablink_picker` called with the .wasm's URL or its bytes,
// the .wasm served as application/octet-stream (as a web server that does not know the type
// sends it), and the Moodle transport.
//
// No Moodle runs in these tests, so Moodle's lib/ajax/service.php is a stand-in (a route in the
// browser context below): it checks the sesskey and forwards each list call to the demo's real
// file server, answering in Moodle's envelope. The plugin's own tests cover the real service.
//
//   LABLINK_BIN=… LABLINK_ASSETS=… LABLINK_MOODLE_PICKER=lms-plugin/submission/lablink/picker \
//     npm test --workspace tests/e2e

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { DemoServer, freePort, launchBrowser, row, until, withPage } from './support.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PICKER = path.resolve(
  process.env.LABLINK_MOODLE_PICKER ?? path.join(repo, 'lms-plugin/submission/lablink/picker'),
);
const SESSKEY = 'sesskey-e2e';
const LIST = 'assignsubmission_lablink_list_entries';
const HOME = ['intro-python', 'many', '<img src=x onerror=alert(1)>.ipynb'];
const TEST = { timeout: 45_000 };

// What the plugin's AMD module does: add the classic script, then boot its global with the
// .wasm given explicitly (Moodle's AMD build leaves no `import.meta` to find it by).
const PAGE = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Moodle boot</title>
<script>window.define = function () {}; window.define.amd = {};</script>
</head><body>
<form><div id="picker">Chargement…</div><input id="lablink_path" name="lablink_path" type="hidden"></form>
<script>
  const base = '/moodle/mod/assign/submission/lablink/picker/';
  const element = document.getElementById('picker');
  const script = document.createElement('script');
  script.src = base + 'lablink_picker.js';
  script.onload = async () => {
    try {
      let module_or_path = base + 'lablink_picker_bg.wasm';
      if (new URLSearchParams(location.search).get('load') === 'bytes') {
        module_or_path = await (await fetch(module_or_path)).arrayBuffer();
      }
      await lablink_picker({ module_or_path });
      window.lablinkPicker = lablink_picker.mount(element, {
        field: 'lablink_path',
        labels: { chooseHere: 'Choisir ce dossier' },
        transport: { kind: 'moodle', serviceUrl: '/moodle/lib/ajax/service.php', sesskey: '${SESSKEY}',
                     args: { contextid: 12 } },
      });
      window.__booted = { global: typeof lablink_picker, onWindow: typeof window.lablink_picker,
                          mount: typeof lablink_picker.mount, version: lablink_picker.version() };
    } catch (error) {
      element.textContent = 'The folder picker could not start: ' + error;
      throw error;
    }
  };
  document.head.append(script);
</script>
</body></html>`;

let browser;
let demo;

before(async () => {
  demo = await new DemoServer(await freePort()).start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** The stand-in for service.php: Moodle's envelope around the demo file server's answers. */
async function service(route, calls) {
  const request = route.request();
  const url = new URL(request.url());
  const body = JSON.parse(request.postData() ?? 'null');
  calls.push({ sesskey: url.searchParams.get('sesskey'), info: url.searchParams.get('info'), body });
  if (url.searchParams.get('sesskey') !== SESSKEY) {
    return route.fulfill({ json: { error: 'Invalid sesskey', errorcode: 'invalidsesskey' } });
  }
  const answers = [];
  for (const call of body) {
    if (call.methodname !== LIST) {
      answers.push({ error: true, exception: { message: `no ${call.methodname}`, errorcode: 'invalidrecord' } });
      continue;
    }
    const api = '/v2/homes/demo/entries';
    const token = await (await fetch(`${demo.origin}/demo/token?${new URLSearchParams({ method: 'GET', path: api })}`)).text();
    const query = new URLSearchParams({ path: call.args.path, limit: String(call.args.limit ?? 500) });
    if (call.args.cursor) query.set('cursor', call.args.cursor);
    const response = await fetch(`${demo.origin}/files${api}?${query}`, { headers: { authorization: `Bearer ${token}` } });
    const page = await response.json();
    answers.push(
      response.ok
        ? { error: false, data: { ...page, next_cursor: page.next_cursor ?? '' } }
        : { error: true, exception: { message: page.error.message, errorcode: page.error.code } },
    );
  }
  return route.fulfill({ json: answers });
}

/** Serves the boot page, the shipped picker files and service.php under demo.origin/moodle/. */
async function moodle(context) {
  const calls = [];
  const served = {};
  const files = {
    'lablink_picker.js': 'application/javascript',
    'lablink_picker_bg.wasm': 'application/octet-stream',
  };
  await context.route(`${demo.origin}/moodle/**`, async (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === '/moodle/boot.html') return route.fulfill({ contentType: 'text/html', body: PAGE });
    if (pathname === '/moodle/lib/ajax/service.php') return service(route, calls);
    const name = pathname.replace('/moodle/mod/assign/submission/lablink/picker/', '');
    if (files[name]) {
      served[name] = files[name];
      return route.fulfill({ headers: { 'content-type': files[name] }, body: readFileSync(path.join(PICKER, name)) });
    }
    return route.fulfill({ status: 404, body: 'not here' });
  });
  return { calls, served };
}

/** Loads the boot page and waits for the home's listing. */
async function boot(page, query = '') {
  const warnings = [];
  page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  await page.goto(`${demo.origin}/moodle/boot.html${query}`);
  const s = await until(page, (s) => {
    assert.ok(s.mounted, `the picker did not mount: ${s.text}`);
    assert.deepEqual(s.rows.slice(0, 3), HOME);
  }, { timeout: 20_000 });
  return { s, warnings };
}

describe('the no-modules picker, booted as on a Moodle page', () => {
  it('from a classic script, its .wasm URL served as application/octet-stream, through service.php', TEST, async () => {
    await withPage(browser, async ({ page, context }) => {
      const { calls, served } = await moodle(context);
      const { warnings } = await boot(page);
      assert.deepEqual(served, { 'lablink_picker.js': 'application/javascript', 'lablink_picker_bg.wasm': 'application/octet-stream' });
      // Streaming instantiation refuses that type; the glue fell back to the bytes.
      assert.ok(warnings.some((w) => /application\/wasm/.test(w)), `warnings: ${warnings}`);
      const booted = await page.evaluate(() => window.__booted);
      assert.equal(booted.global, 'function');
      assert.equal(booted.mount, 'function');
      // A top-level \`let\`, as the README says: hosts call it by name, not through window.
      assert.equal(booted.onWindow, 'undefined');
      assert.match(booted.version, /^\d+\.\d+\.\d+/);

      // Every call carried the sesskey and the host's context, in Moodle's batch shape.
      assert.ok(calls.length >= 1);
      const first = calls[0];
      assert.equal(first.sesskey, SESSKEY);
      assert.equal(first.info, LIST);
      const [{ args: { limit, ...args }, ...call }] = first.body;
      assert.deepEqual(call, { index: 0, methodname: LIST });
      assert.deepEqual(args, { contextid: 12, path: '', cursor: '' });
      assert.ok(limit > 0);

      await row(page, 'intro-python').dblclick();
      await until(page, (s) => assert.deepEqual(s.crumbs, ['Home', 'intro-python']));
      assert.equal(calls.at(-1).body[0].args.path, 'intro-python');
      await row(page, 'helpers.py').click();
      await until(page, (s) => assert.equal(s.choose, 'Choisir ce dossier'));
      await page.locator('button.lablink-choose').click();
      await until(page, (s) => assert.equal(s.field, '/intro-python'));
    });
  });

  it('from the .wasm bytes the host fetched itself', TEST, async () => {
    await withPage(browser, async ({ page, context }) => {
      const { served } = await moodle(context);
      const { warnings } = await boot(page, '?load=bytes');
      assert.ok('lablink_picker_bg.wasm' in served);
      assert.deepEqual(warnings.filter((w) => /application\/wasm/.test(w)), []);
    });
  });
});
