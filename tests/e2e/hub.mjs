// Helpers of the grades panel's end-to-end tests: the JupyterHub stack of `cargo xtask demo`
// (hub, JupyterLab, the grading service, the test LMS), signing in through the hub's own
// login form, and the stack's side doors (the test LMS's controls, the hub's admin API,
// nbgrader's own CSV export) that the tests check the panel against.

import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort } from './support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

/**
 * The running stack: the one `cargo xtask test` started (its `stack.json` named by
 * LABLINK_STACK), else one started here with `cargo xtask demo --hub-only` in
 * target/e2e/hub, stopped by `stop()`.
 */
export async function startStack({ timeout = 15 * 60_000 } = {}) {
  if (process.env.LABLINK_STACK) {
    const info = JSON.parse(readFileSync(process.env.LABLINK_STACK, 'utf8'));
    return { info, stop: async () => {} };
  }
  // The picker's port is not used with --hub-only; the stack takes the five after it.
  const port = await freePort();
  const args = ['xtask', 'demo', '--hub-only', '--port', String(port), '--dir', path.join(repo, 'target/e2e/hub')];
  const child = spawn('cargo', args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      keep(chunk);
      const found = /^stack ready: (.+)$/m.exec(output);
      if (found) resolve(found[1]);
    });
    exited.then((code) => reject(new Error(`cargo xtask demo exited (${code}) before the stack was up:\n${output}`)));
    setTimeout(() => reject(new Error(`the stack was not up within ${timeout} ms:\n${output}`)), timeout).unref();
  });
  const file = await ready;
  const info = JSON.parse(readFileSync(file, 'utf8'));
  const stop = async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  return { info, stop };
}

/** The password of a demo user. */
export function password(info, name) {
  return info.users.find((u) => u.name === name).password;
}

/** Signs in at the hub's login form; resolves once JupyterLab's shell is on the page. */
export async function signIn(page, info, name, { timeout = 120_000 } = {}) {
  await page.goto(`${info.hub_url}/hub/login`);
  await page.locator('input#username_input').fill(name);
  await page.locator('input#password_input').fill(password(info, name));
  await page.locator('#login_submit').click();
  // The hub spawns the server (a progress page), then redirects into /user/<name>/lab.
  await page.waitForURL(new RegExp(`/user/${name}/lab`), { timeout });
  await page.locator('#jp-main-dock-panel').waitFor({ timeout });
}

/** JSON from the hub's REST API as the stack's admin service. */
export async function adminApi(info, method, apiPath, body) {
  const response = await fetch(`${info.hub_url}/hub/api/${apiPath}`, {
    method,
    headers: { authorization: `token ${info.admin_token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`hub API ${method} ${apiPath}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A demo user's API token (for calls a script makes, not the panel). */
export async function userToken(info, name) {
  const reply = await adminApi(info, 'POST', `users/${name}/tokens`, { expires_in: 3600, note: 'e2e' });
  return reply.token;
}

/** The test LMS's control API (`/_test/...`). */
export async function lms(info, method, controlPath, body) {
  const response = await fetch(`${info.lms_url}${controlPath}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`LMS ${method} ${controlPath}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/**
 * nbgrader's own view of the gradebook, not the service's: its CSV export, run now in the
 * stack's venv. Returns { assignment: { student: { score, max } } }.
 */
export function nbgraderScores(info) {
  const script = [
    'import sys, tempfile, os',
    'from nbgrader.api import Gradebook',
    'from nbgrader.plugins.export import CsvExportPlugin',
    'out = os.path.join(tempfile.mkdtemp(), "grades.csv")',
    'with Gradebook("sqlite:///" + sys.argv[1], course_id=sys.argv[2]) as gb:',
    '    CsvExportPlugin(to=out).export(gb)',
    'sys.stdout.write(open(out).read())',
  ].join('\n');
  const env = { ...process.env, PATH: `${path.join(info.venv, 'bin')}:${process.env.PATH}` };
  const csv = execFileSync(path.join(info.venv, 'bin/python'), ['-c', script, info.gradebook, info.course], {
    env,
    encoding: 'utf8',
  });
  const [head, ...lines] = csv.trim().split('\n');
  const cols = head.split(',');
  const at = (name) => cols.indexOf(name);
  const out = {};
  for (const line of lines) {
    const cells = line.split(',');
    const assignment = cells[at('assignment')];
    out[assignment] ??= {};
    out[assignment][cells[at('student_id')]] = {
      score: Number(cells[at('score')]),
      max: Number(cells[at('max_score')]),
    };
  }
  return out;
}

/** Runs Python with nbgrader's API on the stack's gradebook (e.g. to change a grade). */
export function nbgrader(info, code) {
  const env = { ...process.env, PATH: `${path.join(info.venv, 'bin')}:${process.env.PATH}` };
  const script = [
    'import sys',
    'from nbgrader.api import Gradebook',
    'gb = Gradebook("sqlite:///" + sys.argv[1], course_id=sys.argv[2])',
    code,
    'gb.db.commit()',
    'gb.close()',
  ].join('\n');
  return execFileSync(path.join(info.venv, 'bin/python'), ['-c', script, info.gradebook, info.course], {
    env,
    encoding: 'utf8',
  });
}
