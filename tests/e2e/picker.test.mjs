// End-to-end tests of the folder picker: `lablink demo` serving the page, the Wasm picker and
// the file server, driven in Debian's chromium through playwright-core.
//
//   cd /work/main && LABLINK_BIN=$PWD/target/debug/lablink LABLINK_ASSETS=$PWD/target/dist/picker \
//     npm test --workspace tests/e2e

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import {
  DemoServer,
  OUT,
  eventually,
  freePort,
  launchBrowser,
  row,
  snapshot,
  tabTo,
  until,
  withPage,
} from './support.mjs';

const HOSTILE = '<img src=x onerror=alert(1)>.ipynb';
const RLO_SHOWN = 'homework⟨U+202E⟩txt.py';
const HOME = ['intro-python', 'many', HOSTILE, RLO_SHOWN, 'link-to-someone-else', 'notes ünïcode.md'];
const INTRO = [
  '__pycache__',
  'data',
  'helpers.py',
  'week1-variables.ipynb',
  'week2-loops.ipynb',
  'week3-functions.ipynb',
  'week4-plotting.ipynb',
];
const WEEKS = INTRO.filter((n) => n.startsWith('week'));
const DATA = ['scores.csv'];
const TEST = { timeout: 45_000 };

let browser;
let demo;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  demo = await new DemoServer(await freePort()).start();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await demo?.stop();
});

/** Loads the demo page (with `query`) and waits for the first listing. */
async function open(page, query = '', server = demo) {
  await page.goto(`${server.origin}/${query}`);
  return until(page, (s) => {
    assert.ok(s.mounted, `the picker did not mount: ${s.text}`);
    assert.ok(!s.loading && (s.rowCount > 0 || s.error), 'still loading');
  });
}

const atHome = (s) => {
  assert.deepEqual(s.crumbs, ['Home']);
  assert.equal(s.current, 'Home');
  assert.deepEqual(s.rows, HOME);
};
const inIntro = (s) => {
  assert.deepEqual(s.crumbs, ['Home', 'intro-python']);
  assert.deepEqual(s.crumbButtons, ['Home']);
  assert.equal(s.current, 'intro-python');
  assert.deepEqual(s.rows, INTRO);
};
const inData = (s) => {
  assert.deepEqual(s.crumbs, ['Home', 'intro-python', 'data']);
  assert.deepEqual(s.crumbButtons, ['Home', 'intro-python']);
  assert.equal(s.current, 'data');
  assert.deepEqual(s.rows, DATA);
};

describe('folder picker in chromium', () => {
  it('browses down and up with the mouse (double-click, Up, breadcrumbs)', TEST, async () => {
    await withPage(browser, async ({ page }) => {
      let s = await open(page);
      atHome(s);
      assert.ok(await page.getByRole('button', { name: 'Up', exact: true }).isDisabled(), 'Up is disabled at Home');

      // Folders, files and the link carry their kind.
      assert.match(await row(page, 'intro-python').getAttribute('class'), /lablink-row-folder/);
      assert.match(await row(page, 'notes ünïcode.md').getAttribute('class'), /lablink-row-file/);
      assert.match(await row(page, 'link-to-someone-else').getAttribute('class'), /lablink-row-link/);

      // A link is listed but never followed: double-clicking it leaves the folder as it is.
      await row(page, 'link-to-someone-else').dblclick();
      s = await until(page, (s) => assert.deepEqual(s.selected, ['link-to-someone-else']));
      assert.equal(s.choose, 'Choose this folder');
      atHome(await snapshot(page));
      await row(page, 'intro-python').dblclick();
      await until(page, inIntro);

      await row(page, 'data').dblclick();
      s = await until(page, inData);
      assert.equal(await page.locator('nav.lablink-crumbs [aria-current="page"]').count(), 1);

      await page.getByRole('button', { name: 'Up', exact: true }).click();
      await until(page, inIntro);

      await row(page, 'data').dblclick();
      await until(page, inData);
      await page.locator('nav.lablink-crumbs').getByRole('button', { name: 'intro-python', exact: true }).click();
      await until(page, inIntro);

      await row(page, 'data').dblclick();
      await until(page, inData);
      await page.locator('nav.lablink-crumbs').getByRole('button', { name: 'Home', exact: true }).click();
      await until(page, atHome);
      assert.ok(await page.getByRole('button', { name: 'Up', exact: true }).isDisabled());
    });
  });

  // Opening a folder keeps the list mounted (it says "Loading…" meanwhile), so keyboard
  // users never have to Tab back in.
  it('keyboard only: arrows, Enter opens a folder, Backspace goes up, focus stays on the list', TEST, async () => {
    await withPage(browser, async ({ page }) => {
      atHome(await open(page));
      await tabTo(page, '.lablink-list[role=listbox]');

      let s = await until(page, (s) => assert.deepEqual(s.selected, ['intro-python']));
      assert.equal(s.activedescendantName, 'intro-python');
      await page.keyboard.press('ArrowDown');
      s = await until(page, (s) => assert.deepEqual(s.selected, ['many']));
      assert.equal(s.activedescendantName, 'many');
      await page.keyboard.press('End');
      await until(page, (s) => assert.deepEqual(s.selected, ['notes ünïcode.md']));
      await page.keyboard.press('ArrowUp');
      await until(page, (s) => assert.deepEqual(s.selected, ['link-to-someone-else']));
      await page.keyboard.press('Home');
      await until(page, (s) => assert.deepEqual(s.selected, ['intro-python']));
      await page.keyboard.press('PageDown');
      await until(page, (s) => assert.deepEqual(s.selected, ['notes ünïcode.md']));
      await page.keyboard.press('PageUp');
      await until(page, (s) => assert.deepEqual(s.selected, ['intro-python']));

      await page.keyboard.press('Enter');
      s = await until(page, inIntro);
      // The focus must survive the listing being replaced, or the next keys go nowhere.
      await until(page, (s) => assert.equal(s.focus, 'list', 'focus after Enter opened a folder'), { timeout: 3_000 });

      await page.keyboard.press('ArrowDown');
      await until(page, (s) => assert.deepEqual(s.selected, ['data']));
      await page.keyboard.press('Enter');
      await until(page, inData);
      await until(page, (s) => assert.equal(s.focus, 'list', 'focus after Enter opened data'), { timeout: 3_000 });

      await page.keyboard.press('Backspace');
      await until(page, inIntro);
      await until(page, (s) => assert.equal(s.focus, 'list', 'focus after Backspace went up'), { timeout: 3_000 });
      await page.keyboard.press('Backspace');
      await until(page, atHome);
    });
  });

  // A folder that arrives in several pages shows a progress bar meanwhile. The bar coming and
  // going once re-created the list, so the focus fell to the page body when the last page came
  // in, and arrows and End went nowhere until a click.
  it('keyboard only: the 10,000-entry folder keeps the focus once all its pages have loaded', TEST, async () => {
    await withPage(browser, async ({ page }) => {
      atHome(await open(page));
      await tabTo(page, '.lablink-list[role=listbox]');
      await page.keyboard.press('ArrowDown');
      await until(page, (s) => assert.deepEqual(s.selected, ['many']));
      await page.evaluate(() => {
        window.__barSeen = false;
        const root = document.querySelector('.lablink-picker');
        new MutationObserver(() => {
          window.__barSeen ||= !!root.querySelector('[role=progressbar]');
        }).observe(root, { childList: true, subtree: true });
      });

      await page.keyboard.press('Enter');
      await until(page, (s) => assert.equal(s.setsize, 10_000), { timeout: 20_000 });
      await page.locator('.lablink-picker [role=progressbar]').waitFor({ state: 'detached' });
      assert.ok(await page.evaluate(() => window.__barSeen), 'the folder loaded in several pages');
      let s = await snapshot(page);
      assert.deepEqual(s.crumbs, ['Home', 'many']);
      assert.equal(s.focus, 'list', 'focus once the last page was in');

      await page.keyboard.press('End');
      s = await until(page, (s) => assert.deepEqual(s.selected, ['item-09999.txt']), { timeout: 3_000 });
      assert.equal(s.focus, 'list');
      await page.keyboard.press('ArrowUp');
      s = await until(page, (s) => assert.deepEqual(s.selected, ['item-09998.txt']), { timeout: 3_000 });
      assert.equal(s.activedescendantName, 'item-09998.txt');
      assert.equal(s.focus, 'list');
    });
  });

  it('keyboard only: type-ahead filter, Escape, choose with Space/Enter, submit the form', TEST, async () => {
    await withPage(browser, async ({ page }) => {
      inIntro(await open(page, '?path=intro-python'));
      await tabTo(page, '.lablink-list[role=listbox]');

      await page.keyboard.type('wee');
      let s = await until(page, (s) => assert.deepEqual(s.rows, WEEKS));
      assert.equal(s.filter, 'wee');
      assert.equal(s.setsize, 4);
      assert.deepEqual(s.selected, ['week1-variables.ipynb']);
      assert.equal(s.focus, 'list');

      await page.keyboard.type('k3');
      s = await until(page, (s) => assert.deepEqual(s.rows, ['week3-functions.ipynb']));
      assert.equal(s.filter, 'week3');
      assert.deepEqual(s.selected, ['week3-functions.ipynb']);

      // Backspace takes back one character of the filter (and stays in the folder).
      await page.keyboard.press('Backspace');
      s = await until(page, (s) => assert.deepEqual(s.rows, WEEKS));
      assert.equal(s.filter, 'week');
      assert.deepEqual(s.crumbs, ['Home', 'intro-python']);

      await page.keyboard.press('Escape');
      s = await until(page, (s) => assert.deepEqual(s.rows, INTRO));
      assert.equal(s.filter, '');

      // Cursor on a folder: the button chooses that folder.
      await page.keyboard.press('ArrowDown');
      await until(page, (s) => assert.deepEqual(s.selected, ['data']));
      await tabTo(page, 'button.lablink-choose', { max: 1 });
      s = await snapshot(page);
      assert.equal(s.choose, 'Choose “data”');
      await page.keyboard.press('Space');
      s = await until(page, (s) => assert.equal(s.field, '/intro-python/data'));
      assert.deepEqual(s.picked, ['/intro-python/data']);
      assert.ok(s.notices.includes('Chosen: /intro-python/data'), `notices: ${s.notices}`);

      // Cursor on a file: the button chooses the folder shown.
      await tabTo(page, '.lablink-list[role=listbox]', { shift: true, max: 1 });
      await page.keyboard.press('End');
      await until(page, (s) => assert.deepEqual(s.selected, ['week4-plotting.ipynb']));
      await tabTo(page, 'button.lablink-choose', { max: 1 });
      assert.equal((await snapshot(page)).choose, 'Choose this folder');
      await page.keyboard.press('Enter');
      s = await until(page, (s) => assert.equal(s.field, '/intro-python'));
      assert.deepEqual(s.picked, ['/intro-python/data', '/intro-python']);
      assert.ok(s.notices.includes('Chosen: /intro-python'), `notices: ${s.notices}`);
      assert.equal(s.chosen, 'Chosen: /intro-python');

      // On to the form's Save button, and submit with Enter.
      await tabTo(page, 'form button[type=submit]');
      await Promise.all([page.waitForURL('**/demo/submit'), page.keyboard.press('Enter')]);
      assert.equal(await page.locator('#submitted').textContent(), '/intro-python');
    });
  });

  it('picks with the mouse in folder mode; lablink-picked carries the same path', TEST, async () => {
    await withPage(browser, async ({ page }) => {
      atHome(await open(page));
      const choose = page.locator('button.lablink-choose');

      await row(page, 'many').click();
      let s = await until(page, (s) => assert.equal(s.choose, 'Choose “many”'));
      assert.deepEqual(s.selected, ['many']);
      await choose.click();
      s = await until(page, (s) => assert.equal(s.field, '/many'));
      assert.deepEqual(s.picked, ['/many']);
      assert.ok(s.notices.includes('Chosen: /many'));

      // A file under the cursor: the folder shown is chosen (here the home, written as "/").
      await row(page, 'notes ünïcode.md').click();
      await until(page, (s) => assert.equal(s.choose, 'Choose this folder'));
      await choose.click();
      s = await until(page, (s) => assert.equal(s.field, '/'));
      assert.deepEqual(s.picked, ['/many', '/']);

      await row(page, 'intro-python').dblclick();
      await until(page, inIntro);
      await row(page, 'helpers.py').click();
      await until(page, (s) => assert.equal(s.choose, 'Choose this folder'));
      await choose.click();
      s = await until(page, (s) => assert.equal(s.field, '/intro-python'));
      assert.equal(s.picked.at(-1), s.field);

      await row(page, 'data').click();
      await until(page, (s) => assert.equal(s.choose, 'Choose “data”'));
      await choose.click();
      s = await until(page, (s) => assert.equal(s.field, '/intro-python/data'));
      assert.deepEqual(s.picked, ['/many', '/', '/intro-python', '/intro-python/data']);
      assert.equal(await page.inputValue('#lablink_path'), '/intro-python/data');
    });
  });

  it('picks with the mouse in destination mode: the folder shown, whatever the cursor', TEST, async () => {
    await withPage(browser, async ({ page }) => {
      atHome(await open(page, '?mode=destination'));
      assert.equal(await page.locator('#legend').textContent(), 'Copy into folder');
      await page.getByRole('button', { name: 'New folder', exact: true }).waitFor();
      // Files are shown but greyed out when choosing a destination.
      assert.equal(await row(page, 'notes ünïcode.md').getAttribute('aria-disabled'), 'true');

      await row(page, 'intro-python').click();
      let s = await until(page, (s) => assert.deepEqual(s.selected, ['intro-python']));
      assert.equal(s.choose, 'Choose this folder');

      await row(page, 'intro-python').dblclick();
      await until(page, inIntro);
      await row(page, 'data').dblclick();
      await until(page, inData);
      s = await snapshot(page);
      assert.equal(s.choose, 'Choose this folder');
      await page.locator('button.lablink-choose').click();
      s = await until(page, (s) => assert.equal(s.field, '/intro-python/data'));
      assert.deepEqual(s.picked, [s.field]);
      assert.ok(s.notices.includes('Chosen: /intro-python/data'));

      // Back up, cursor on a folder: still the folder shown.
      await page.getByRole('button', { name: 'Up', exact: true }).click();
      await until(page, inIntro);
      await row(page, '__pycache__').click();
      await until(page, (s) => assert.deepEqual(s.selected, ['__pycache__']));
      await page.locator('button.lablink-choose').click();
      s = await until(page, (s) => assert.equal(s.field, '/intro-python'));
      assert.deepEqual(s.picked, ['/intro-python/data', '/intro-python']);
    });
  });

  it('destination mode: New folder checks the name, creates it on the server and opens it', TEST, async () => {
    const name = `e2e folder ${process.pid}`;
    const onDisk = path.join(demo.dir, 'homes/demo/intro-python', name);
    rmSync(onDisk, { recursive: true, force: true });
    try {
      await withPage(
        browser,
        async ({ page }) => {
          await open(page, '?mode=destination&path=intro-python');
          await page.getByRole('button', { name: 'New folder', exact: true }).click();
          const dialog = page.getByRole('dialog');
          const input = dialog.getByRole('textbox');
          // The dialog focuses its field; a name with a slash is refused before any request.
          await eventually(async () => assert.ok(await input.evaluate((el) => el === document.activeElement)));
          await page.keyboard.type('a/b');
          await page.keyboard.press('Enter');
          await dialog.getByRole('alert').waitFor();
          assert.equal(await input.getAttribute('aria-invalid'), 'true');
          assert.ok(!existsSync(path.join(demo.dir, 'homes/demo/intro-python/a')));

          await input.fill(name);
          await page.keyboard.press('Enter');
          const s = await until(page, (s) => {
            assert.deepEqual(s.crumbs, ['Home', 'intro-python', name]);
            assert.equal(s.rowCount, 0);
          });
          assert.ok(s.notices.includes(`Created “/intro-python/${name}”`), s.notices.join(' | '));
          assert.equal(await dialog.count(), 0);
          assert.ok(statSync(onDisk).isDirectory(), 'the folder exists on the server');

          // The same name again: the server refuses and the picker says so.
          await page.getByRole('button', { name: 'Up', exact: true }).click();
          await until(page, (s) => assert.ok(s.rows.includes(name)));
          await page.getByRole('button', { name: 'New folder', exact: true }).click();
          await input.fill(name);
          await page.keyboard.press('Enter');
          await until(page, (s) =>
            assert.ok(s.notices.some((n) => n.startsWith('The file server refused the request.')), s.notices.join(' | ')));
        },
        { allowConsole: [/status of 409 .*\/files\/v2\/homes\/demo\/folders/] },
      );
    } finally {
      rmSync(onDisk, { recursive: true, force: true });
    }
  });

  it('shows hostile and bidi names as text: no markup, no script, visible U+202E', TEST, async () => {
    await withPage(
      browser,
      async ({ page, dialogs }) => {
        const s = await open(page);
        atHome(s);
        const hostile = row(page, HOSTILE);
        assert.equal(await hostile.count(), 1);
        assert.equal(await hostile.locator('.lablink-name').textContent(), HOSTILE);
        assert.equal(await hostile.locator('.lablink-name').getAttribute('title'), HOSTILE);
        assert.equal(await page.locator('.lablink-picker img').count(), 0);
        assert.equal(await page.evaluate(() => document.images.length), 0);

        const rlo = row(page, RLO_SHOWN);
        assert.equal(await rlo.locator('.lablink-name').textContent(), RLO_SHOWN);
        const bidi = await page.evaluate(() => {
          const root = document.querySelector('.lablink-picker');
          const titles = [...root.querySelectorAll('[title]')].map((e) => e.getAttribute('title')).join('');
          return /[\u202A-\u202E\u2066-\u2069]/.test(root.textContent + titles);
        });
        assert.equal(bidi, false, 'no raw bidi override character reaches the page');
        assert.equal(await row(page, 'notes ünïcode.md').locator('.lablink-name').textContent(), 'notes ünïcode.md');

        // Hovering and choosing with the hostile row under the cursor changes nothing.
        await hostile.hover();
        await hostile.click();
        await page.locator('button.lablink-choose').click();
        await until(page, (s) => assert.equal(s.field, '/'));

        // The name as the start folder: shown in the breadcrumbs and the error, as text.
        await page.goto(`${demo.origin}/?path=${encodeURIComponent(HOSTILE)}`);
        const t = await until(page, (s) => assert.ok(s.error, 'an error is shown (a file is no folder)'));
        assert.equal(t.current, HOSTILE);
        assert.ok(t.error.includes(HOSTILE), t.error);
        assert.equal(await page.evaluate(() => document.images.length), 0);

        // No script ran: nothing called alert & co., no dialog opened.
        assert.deepEqual(await page.evaluate(() => window.__alerts), []);
        assert.deepEqual(dialogs, []);
      },
      // Opening a file as a folder is refused (409); chromium logs the failed fetch.
      { allowConsole: [/status of 409 .*\/files\/v2\/homes\/demo\/entries\?path=%3Cimg/] },
    );
  });

  it('pages in a folder of 10,000 entries with < 100 rows in the DOM; scroll, End, filter', TEST, async () => {
    await withPage(browser, async ({ page, context }) => {
      atHome(await open(page));
      // Slow each request down so that the folder visibly pages in.
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 150,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
      await page.evaluate(() => {
        window.__maxRows = 0;
        window.__progress = [];
        const root = document.querySelector('.lablink-picker');
        const look = () => {
          window.__maxRows = Math.max(window.__maxRows, root.querySelectorAll('.lablink-row').length);
          for (const bar of root.querySelectorAll('[role=progressbar]')) {
            window.__progress.push([bar.getAttribute('aria-valuenow'), bar.getAttribute('aria-label')]);
          }
        };
        new MutationObserver(look).observe(root, { childList: true, subtree: true, attributes: true });
      });

      await row(page, 'many').dblclick();
      const bar = page.locator('.lablink-picker [role=progressbar]');
      await bar.waitFor({ state: 'visible' });
      const now = Number(await bar.getAttribute('aria-valuenow'));
      assert.ok(now > 0 && now < 100, `aria-valuenow ${now}`);
      assert.match(await bar.getAttribute('aria-label'), /^Loaded \d+ of 10000$/);

      const s = await until(page, (s) => assert.equal(s.setsize, 10_000), { timeout: 20_000 });
      assert.deepEqual(s.crumbs, ['Home', 'many']);
      assert.equal(s.rows[0], 'item-00000.txt');
      await bar.waitFor({ state: 'detached' });
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });

      // End goes to the last of all 10,000, which is drawn and in view.
      await page.locator('.lablink-list').focus();
      await page.keyboard.press('End');
      await until(page, (s) => {
        assert.deepEqual(s.selected, ['item-09999.txt']);
        assert.equal(s.activedescendantName, 'item-09999.txt');
      });
      await eventually(async () => {
        const [r, l] = await Promise.all([
          row(page, 'item-09999.txt').boundingBox(),
          page.locator('.lablink-list').boundingBox(),
        ]);
        assert.ok(r && r.y >= l.y - 1 && r.y + r.height <= l.y + l.height + 1, 'the last row is in view');
      });

      // The middle: set the scroll position as a scrollbar drag would.
      await page.locator('.lablink-list').evaluate((list) => {
        list.scrollTop = 5000 * 32;
      });
      const mid = await until(page, (s) => assert.ok(s.rows.includes('item-05000.txt'), `rows: ${s.rows.slice(0, 3)}…`));
      const numbers = mid.rows.filter((n) => n !== 'item-09999.txt').map((n) => Number(n.slice(5, 10)));
      assert.ok(Math.min(...numbers) >= 4950 && Math.max(...numbers) <= 5050, `rows drawn: ${numbers}`);
      assert.ok(await row(page, 'item-05000.txt').isVisible());

      await page.locator('input.lablink-filter').fill('item-0999');
      const f = await until(page, (s) => assert.equal(s.setsize, 10));
      assert.deepEqual(
        f.rows,
        Array.from({ length: 10 }, (_, i) => `item-0999${i}.txt`),
      );

      const maxRows = await page.evaluate(() => window.__maxRows);
      assert.ok(maxRows > 0 && maxRows < 100, `at most ${maxRows} rows were in the DOM at once`);
      assert.ok((await page.evaluate(() => window.__progress)).length > 0, 'the progress bar was seen');
    });
  });

  it('server going away: an error with Retry; after a restart Retry brings the listing back', TEST, async () => {
    const own = await new DemoServer(await freePort()).start();
    try {
      await withPage(
        browser,
        async ({ page }) => {
          await open(page, '', own);
          await row(page, 'intro-python').dblclick();
          await until(page, inIntro);

          assert.equal(await own.stop(), true, 'lablink demo exits on SIGTERM within 5 s');
          await page.getByRole('button', { name: 'Refresh', exact: true }).click();
          let s = await until(page, (s) => assert.ok(s.error, 'an error is shown'));
          const alert = page.locator('.lablink-picker [role=alert]');
          assert.equal(await alert.count(), 1);
          assert.match(s.error, /can't be reached/);
          assert.ok(s.retry, 'a Retry button');
          assert.equal(await alert.locator('button.lablink-retry').textContent(), 'Retry');
          assert.equal(s.chooseDisabled, true, 'nothing to choose while the folder cannot be shown');

          await own.start();
          await alert.locator('button.lablink-retry').click();
          s = await until(page, inIntro);
          assert.equal(s.error, null);
          assert.equal(await page.locator('[role=alert]').count(), 0);
          assert.equal(s.chooseDisabled, false);
        },
        { allowConsole: [new RegExp(`ERR_CONNECTION_REFUSED @ ${own.origin}/`)] },
      );
    } finally {
      await own.stop();
    }
  });

  it('an initial path that is gone falls back to Home with a notice; an existing one starts there', TEST, async () => {
    await withPage(
      browser,
      async ({ page }) => {
        await page.goto(`${demo.origin}/?path=gone/away`);
        const gone = await until(page, (s) => {
          atHome(s);
          assert.deepEqual(s.notices, ['“/gone/away” no longer exists; showing your home folder.']);
        });
        assert.equal(gone.error, null);
        assert.equal(await page.locator('.lablink-notice-info').count(), 1);

        const intro = await open(page, '?path=intro-python');
        inIntro(intro);
        assert.deepEqual(intro.notices, []);
        assert.equal(intro.error, null);
      },
      // The first listing of the missing folder is a 404, which chromium logs.
      { allowConsole: [/status of 404 .*\/files\/v2\/homes\/demo\/entries\?path=gone%2Faway/] },
    );
  });

  // The page sets --lablink-* on <body>; they inherit into the picker.
  it('theme=dark reaches the picker itself', TEST, async () => {
    await withPage(browser, async ({ page }) => {
      atHome(await open(page, '?theme=dark'));
      const colours = await page.evaluate(() => {
        const root = getComputedStyle(document.querySelector('.lablink-root'));
        const list = getComputedStyle(document.querySelector('.lablink-list'));
        return { bg: root.backgroundColor, fg: root.color, listBg: list.backgroundColor };
      });
      assert.equal(colours.fg, 'rgb(230, 230, 230)', `picker text colour in the dark theme: ${JSON.stringify(colours)}`);
      assert.equal(colours.bg, 'rgb(37, 40, 45)', `picker background in the dark theme: ${JSON.stringify(colours)}`);
      assert.notEqual(colours.listBg, 'rgb(255, 255, 255)', `list background in the dark theme: ${JSON.stringify(colours)}`);
    });
  });

  it('screenshots for the README (light and dark)', TEST, async () => {
    for (const [query, file, dark] of [
      ['', 'picker.png', false],
      ['?theme=dark', 'picker-dark.png', true],
    ]) {
      await withPage(browser, async ({ page }) => {
        atHome(await open(page, query));
        await row(page, 'intro-python').dblclick();
        await until(page, inIntro);
        await row(page, 'data').click();
        await until(page, (s) => assert.equal(s.choose, 'Choose “data”'));
        const theme = await page.evaluate(() => ({
          dark: document.body.classList.contains('dark'),
          checked: document.getElementById('dark').checked,
          form: getComputedStyle(document.querySelector('form')).backgroundColor,
        }));
        assert.deepEqual(theme, {
          dark,
          checked: dark,
          form: dark ? 'rgb(37, 40, 45)' : 'rgb(255, 255, 255)',
        });
        const target = path.join(OUT, file);
        await page.screenshot({ path: target, fullPage: true });
        const png = readFileSync(target);
        assert.equal(png.subarray(1, 4).toString(), 'PNG');
        assert.equal(png.readUInt32BE(16), 900, 'width');
        assert.ok(statSync(target).size > 10_000, `${file} has content`);
      });
    }
  });
});
