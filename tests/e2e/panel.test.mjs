// End-to-end tests of the grades panel: the stack of `cargo xtask demo` (a real JupyterHub
// spawning real JupyterLab with the lab extension, `lablink grading` as its service, a real
// nbgrader gradebook, the lti1p3platform test LMS), driven in Debian's chromium.
//
//   cargo xtask test                                  # starts the stack, sets LABLINK_STACK
//   npm test --workspace tests/e2e                    # or: starts `cargo xtask demo --hub-only`
//   LABLINK_STACK=target/demo/hub/stack.json node --test tests/e2e/panel.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';

import { adminApi, lms, nbgraderScores, signIn, startStack } from './hub.mjs';
import { OUT, eventually, launchBrowser, withPage } from './support.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TEST = { timeout: 240_000 };
const VIEWPORT = { width: 1280, height: 800 };
/**
 * The panel's first call of a session, before the service has its own cookie: the service
 * answers 401 `signed_out` with the hub's login URL, which the client then follows (the hub's
 * OAuth) and asks again. Chromium logs that 401 as a console error; nothing else may appear.
 */
const PAGE = { viewport: VIEWPORT, allowConsole: [/status of 401 .* @ \S+\/services\/lablink-grading\/api\/me$/] };
/** The README's screenshots are of the panel alone, at a size that reads on GitHub. */
const SHOT_VIEWPORT = { width: 1180, height: 760 };
const SHOTS = path.join(repo, 'lab-extension/screenshots');

let browser;
let stack;
let info;

before(async () => {
  mkdirSync(OUT, { recursive: true });
  stack = await startStack();
  info = stack.info;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A GET in the page (its cookies: the hub's OAuth sign-in), as JSON. */
async function getJson(page, url) {
  const response = await page.goto(url);
  assert.equal(response.status(), 200, `${url}: ${await response.text()}`);
  return JSON.parse(await response.text());
}

describe('the JupyterHub stack', () => {
  it('is seeded: the LMS holds the course roster and a line item per assignment', TEST, async () => {
    const state = await lms(info, 'GET', '/_test/state');
    const course = state.courses[info.lms_context];
    const learners = course.members.filter((m) => m.roles.some((r) => r.endsWith('#Learner')));
    assert.equal(learners.length, 18, 'all but quinn (no LMS id) and theo (not enrolled)');
    assert.ok(!learners.some((m) => m.user_id === 'lms-theo'));
    assert.deepEqual(course.lineitems.map((l) => l.resourceId).sort(), Object.keys(info.assignments).sort());
    const scores = nbgraderScores(info);
    assert.equal(Object.keys(scores.week1).length, 20);
  });

  it('the instructor signs in at the hub, JupyterLab opens, and the service knows the course', TEST, async () => {
    await withPage(
      browser,
      async ({ page }) => {
        await signIn(page, info, 'instructor');
        const server = await adminApi(info, 'GET', 'users/instructor');
        assert.equal(server.servers[''].ready, true);
        // The service's sign-in: the hub's OAuth, followed by the browser on a plain GET.
        const me = await getJson(page, `${info.service_url}api/courses`);
        assert.equal(me.user, 'instructor');
        assert.deepEqual(
          me.courses.map((c) => c.id),
          [info.course],
        );
      },
      { viewport: VIEWPORT },
    );
  });

  it('the student signs in too, and the service gives them no course', TEST, async () => {
    await withPage(
      browser,
      async ({ page }) => {
        await signIn(page, info, 'student');
        const me = await getJson(page, `${info.service_url}api/courses`);
        assert.equal(me.user, 'student');
        assert.deepEqual(me.courses, []);
      },
      { viewport: VIEWPORT },
    );
  });
});

/** Opens the grades panel from JupyterLab's launcher; resolves with the panel's root. */
async function openPanel(page) {
  const card = page.locator('.jp-LauncherCard:visible', { hasText: 'Grades' });
  // A lab restored with other tabs shows no launcher: open one, as a user would with "+".
  const shown = await card.waitFor({ timeout: 5_000 }).then(() => true, () => false);
  if (!shown) await page.locator('.lm-TabBar-addButton:not(.lm-mod-hidden)').first().click();
  await card.click();
  const panel = page.locator('.lablink-root.lablink-panel');
  await panel.waitFor({ timeout: 30_000 });
  return panel;
}

/** Chooses an assignment in the panel and waits for its student table. */
async function chooseAssignment(panel, name) {
  await panel.locator('button.lablink-assignment', { hasText: name }).click();
  const grid = panel.locator('.lablink-students [role=grid]');
  await grid.waitFor();
  await eventually(async () => assert.ok((await grid.locator('[role=row]:not(.lablink-table-header)').count()) > 0));
  return grid;
}

/**
 * Every row of a (virtualised) data table, scrolled through: { first cell: [cells...] }, each
 * cell its full text (the `title` the table sets). Tick boxes are left out.
 */
async function readTable(grid) {
  return grid.evaluate(async (el) => {
    const rows = {};
    const total = Number(el.getAttribute('aria-rowcount')) - 1;
    el.scrollTop = 0;
    for (let guard = 0; guard < 200; guard++) {
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      for (const row of el.querySelectorAll('[role=row]:not(.lablink-table-header)')) {
        const cells = [...row.querySelectorAll('[role=gridcell]:not(.lablink-table-check)')].map(
          (c) => c.getAttribute('title') ?? c.textContent.trim(),
        );
        rows[cells[0]] = cells;
      }
      if (Object.keys(rows).length >= total || el.scrollTop + el.clientHeight >= el.scrollHeight) break;
      el.scrollTop += Math.max(40, el.clientHeight - 40);
    }
    el.scrollTop = 0;
    return rows;
  });
}

/** "7.5 / 10" → [7.5, 10]; "–" → null. */
function scoreOf(text) {
  const found = /^([\d.]+) \/ ([\d.]+)$/.exec(text);
  return found ? [Number(found[1]), Number(found[2])] : null;
}

/** The scores the test LMS holds for one assignment's line item: { userId: entry }. */
async function lmsScores(assignment) {
  const state = await lms(info, 'GET', '/_test/state');
  const item = state.courses[info.lms_context].lineitems.find((l) => l.resourceId === assignment);
  const number = item.id.match(/lineitems\/(\d+)\/lineitem/)[1];
  const scores = await lms(info, 'GET', '/_test/scores');
  const current = {};
  for (const entry of scores.current) {
    if (entry.ctx === info.lms_context && entry.lineitem === number) current[entry.userId] = entry;
  }
  const log = scores.log.filter((e) => e.ctx === info.lms_context && e.lineitem === number);
  return { current, log };
}

/** Clicks Sync grades (or Retry failed), checks the preview, confirms, waits for the outcomes. */
async function syncThrough(page, panel, { button = /^Sync grades$/, counts, tick = [] }) {
  await panel.getByRole('button', { name: button }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('.lablink-counts').waitFor({ timeout: 30_000 });
  const shown = await dialog.locator('.lablink-counts li').allTextContents();
  assert.deepEqual(shown.map((t) => t.trim()).sort(), counts.slice().sort(), 'the preview counts');
  for (const student of tick) {
    await dialog.getByRole('checkbox', { name: new RegExp(`: ${student}$`) }).check();
  }
  // The progress bar is seen even when the job is quick: a flag set by a DOM observer.
  await page.evaluate(() => {
    window.__barSeen = false;
    const root = document.querySelector('.lablink-panel');
    const observer = new MutationObserver(() => {
      window.__barSeen ||= !!root.querySelector('.lablink-sync [role=progressbar]');
    });
    observer.observe(root, { childList: true, subtree: true, attributes: true });
  });
  await dialog.getByRole('button', { name: 'Sync now' }).click();
  const done = panel.locator('.lablink-sync-done');
  await done.waitFor({ timeout: 120_000 });
  assert.ok(await page.evaluate(() => window.__barSeen), 'a progress bar showed while the job ran');
  return readTable(done.locator('[role=grid]'));
}

describe('the grades panel in JupyterLab', () => {
  it('the instructor checks the table against nbgrader, syncs, and the LMS gets exactly those scores', TEST, async () => {
    await withPage(
      browser,
      async ({ page }) => {
        await signIn(page, info, 'instructor');
        const panel = await openPanel(page);
        const grid = await chooseAssignment(panel, 'week1');

        // The table against nbgrader's own export: every student, score and maximum.
        const expected = nbgraderScores(info).week1;
        const rows = await readTable(grid);
        assert.deepEqual(Object.keys(rows).sort(), Object.keys(expected).sort());
        for (const [student, { score, max }] of Object.entries(expected)) {
          assert.deepEqual(scoreOf(rows[student][2]), [score, max], `${student}'s nbgrader score`);
        }
        assert.equal(rows.quinn[4], 'No LMS id');
        assert.equal(rows.theo[4], 'Not enrolled in the LMS');
        // The score a teacher edited in the LMS gradebook: shown, and not to be overwritten.
        assert.equal(rows.elena[4], 'Changed in the LMS');
        assert.deepEqual(scoreOf(rows.elena[3]), [8, 10]);
        const toSend = Object.keys(expected).filter((s) => !['quinn', 'theo', 'elena'].includes(s));
        for (const student of toSend) assert.equal(rows[student][4], 'Send', student);

        await page.screenshot({ path: `${OUT}/panel-week1-table.png` });
        const outcomes = await syncThrough(page, panel, {
          counts: [`Send: ${toSend.length}`, 'No LMS id: 1', 'Not enrolled in the LMS: 1', 'Changed in the LMS: 1'],
        });
        for (const student of toSend) assert.equal(outcomes[student][3], 'Sent', `${student}'s outcome`);
        assert.equal(outcomes.elena[3], 'Changed in the LMS');

        // What the LMS received: one score per sent student, nbgrader's, and none for elena.
        const { current, log } = await lmsScores('week1');
        assert.deepEqual(
          log.map((e) => e.body.userId).sort(),
          toSend.map((s) => `lms-${s}`).sort(),
          'score POSTs',
        );
        for (const student of toSend) {
          const got = current[`lms-${student}`];
          assert.equal(got.source, 'tool');
          assert.equal(got.score.scoreGiven, expected[student].score, student);
          assert.equal(got.score.scoreMaximum, expected[student].max, student);
          assert.equal(got.score.gradingProgress, 'FullyGraded');
        }
        assert.equal(current['lms-elena'].source, 'gradebook');
        assert.equal(current['lms-elena'].resultScore, 8);
      },
      PAGE,
    );
  });

  it('light and dark screenshots of the panel for the README', TEST, async () => {
    await withPage(
      browser,
      async ({ page }) => {
        await signIn(page, info, 'instructor');
        const panel = await openPanel(page);
        await chooseAssignment(panel, 'week1');
        mkdirSync(SHOTS, { recursive: true });
        const widget = page.locator('.lablink-grades');
        await widget.screenshot({ path: `${SHOTS}/panel-light.png` });
        await setTheme(page, 'JupyterLab Dark');
        assert.equal(await page.locator('body').getAttribute('data-jp-theme-light'), 'false');
        // The panel follows the lab's theme through the --jp-* variables, without a reload.
        const color = await panel.evaluate((el) => getComputedStyle(el).color);
        await widget.screenshot({ path: `${SHOTS}/panel-dark.png` });
        await setTheme(page, 'JupyterLab Light');
        assert.notEqual(await panel.evaluate((el) => getComputedStyle(el).color), color);
      },
      { ...PAGE, viewport: SHOT_VIEWPORT },
    );
  });

  it('two scores fail in the LMS; Retry failed sends only those two once the LMS is back', TEST, async () => {
    await withPage(
      browser,
      async ({ page }) => {
        await signIn(page, info, 'instructor');
        const panel = await openPanel(page);
        await chooseAssignment(panel, 'week2');
        const expected = nbgraderScores(info).week2;
        const toSend = Object.keys(expected).filter((s) => !['quinn', 'theo'].includes(s));
        const failing = ['ada', 'ben'];
        // The LMS answers 503 to every score of these two, however often they are retried.
        await lms(info, 'POST', '/_test/faults', {
          method: 'POST',
          path: '/scores',
          users: failing.map((s) => `lms-${s}`),
          status: 503,
          times: null,
        });
        try {
          const outcomes = await syncThrough(page, panel, {
            counts: [`Send: ${toSend.length}`, 'No LMS id: 1', 'Not enrolled in the LMS: 1'],
          });
          for (const student of toSend) {
            assert.equal(outcomes[student][3], failing.includes(student) ? 'Failed' : 'Sent', student);
          }
        } finally {
          await lms(info, 'DELETE', '/_test/faults');
        }
        let { current } = await lmsScores('week2');
        assert.deepEqual(Object.keys(current).sort(), toSend.filter((s) => !failing.includes(s)).map((s) => `lms-${s}`).sort());

        const before = (await lmsScores('week2')).log.length;
        const retried = await syncThrough(page, panel, { button: /^Retry failed \(2\)$/, counts: ['Send: 2'] });
        assert.deepEqual(Object.keys(retried).sort(), failing);
        for (const student of failing) assert.equal(retried[student][3], 'Sent', student);
        const after = await lmsScores('week2');
        // Only the two were sent again, each once now that the LMS answers.
        assert.deepEqual(after.log.slice(before).map((e) => e.body.userId).sort(), failing.map((s) => `lms-${s}`));
        current = after.current;
        for (const student of toSend) {
          assert.equal(current[`lms-${student}`].score.scoreGiven, expected[student].score, student);
        }
      },
      PAGE,
    );
  });

  it('ticking the score changed in the LMS overwrites it with nbgrader\'s', TEST, async () => {
    await withPage(
      browser,
      async ({ page }) => {
        await signIn(page, info, 'instructor');
        const panel = await openPanel(page);
        await chooseAssignment(panel, 'week1');
        const outcomes = await syncThrough(page, panel, {
          counts: ['Unchanged: 17', 'No LMS id: 1', 'Not enrolled in the LMS: 1', 'Changed in the LMS: 1'],
          tick: ['elena'],
        });
        assert.equal(outcomes.elena[3], 'Sent');
        const { current } = await lmsScores('week1');
        assert.equal(current['lms-elena'].source, 'tool');
        assert.equal(current['lms-elena'].score.scoreGiven, nbgraderScores(info).week1.elena.score);
      },
      PAGE,
    );
  });

  it('the student opens the panel and is told they are not an instructor', TEST, async () => {
    await withPage(
      browser,
      async ({ page }) => {
        await signIn(page, info, 'student');
        const panel = await openPanel(page);
        const alert = panel.getByRole('alert');
        await alert.waitFor({ timeout: 30_000 });
        const text = await alert.textContent();
        assert.match(text, /signed in as student/);
        assert.match(text, /not an instructor/);
        assert.equal(await panel.locator('.lablink-students').count(), 0, 'no grade table');
      },
      PAGE,
    );
  });
});

/** Settings → Theme → `name`, then waits until the lab has switched. */
async function setTheme(page, name) {
  await page.locator('.lm-MenuBar-itemLabel', { hasText: /^Settings$/ }).click();
  await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
  await page.locator('.lm-Menu-itemLabel', { hasText: new RegExp(`^${name}$`) }).click();
  const light = name.includes('Light') ? 'true' : 'false';
  await page.locator(`body[data-jp-theme-light="${light}"]`).waitFor({ state: 'attached' });
  // The theme's stylesheet swaps in after the attribute.
  await page.waitForTimeout(500);
}
