// End-to-end tests of the grades panel: the stack of `cargo xtask demo` (a real JupyterHub
// spawning real JupyterLab with the lab extension, `lablink grading` as its service, a real
// nbgrader gradebook, the lti1p3platform test LMS), driven in Debian's chromium.
//
//   cargo xtask test                                  # starts the stack, sets LABLINK_STACK
//   npm test --workspace tests/e2e                    # or: starts `cargo xtask demo --hub-only`
//   LABLINK_STACK=target/demo/hub/stack.json node --test tests/e2e/panel.test.mjs

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { adminApi, lms, nbgraderScores, signIn, startStack } from './hub.mjs';
import { OUT, launchBrowser, withPage } from './support.mjs';

const TEST = { timeout: 240_000 };
const VIEWPORT = { width: 1280, height: 800 };

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
