// Helpers of the picker's end-to-end tests: the `lablink demo` server, the browser, waits on
// conditions, and a snapshot of what the picker shows.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export const BIN = path.resolve(process.env.LABLINK_BIN ?? path.join(repo, 'target/debug/lablink'));
export const ASSETS = path.resolve(process.env.LABLINK_ASSETS ?? path.join(repo, 'target/dist/picker'));
/** Where the tests write: the demo's workspace (kept across runs) and the screenshots. */
export const OUT = path.join(repo, 'target/e2e');
export const DEMO_DIR = path.join(OUT, 'demo');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function launchBrowser() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** A loopback port nobody listens on right now. */
export async function freePort() {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries `fn` (which throws, e.g. an assertion, until the condition holds) until it returns. */
export async function eventually(fn, { timeout = 10_000, interval = 25, what = '' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (Date.now() > deadline) {
        if (what) error.message = `${what}: ${error.message}`;
        throw error;
      }
    }
    await delay(interval);
  }
}

/**
 * One `lablink demo` process. `start()` waits until `/files/v2/health` answers 200;
 * `stop()` sends SIGTERM and waits for the exit.
 */
export class DemoServer {
  constructor(port, dir = DEMO_DIR) {
    this.port = port;
    this.dir = dir;
    this.origin = `http://127.0.0.1:${port}`;
    this.child = null;
    this.output = '';
  }

  async start({ timeout = 60_000 } = {}) {
    mkdirSync(this.dir, { recursive: true });
    const args = ['demo', '--dir', this.dir, '--listen', `127.0.0.1:${this.port}`, '--assets', ASSETS];
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = once(child, 'exit');
    const keep = (chunk) => {
      this.output = (this.output + chunk).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let exitedEarly = false;
    child.once('exit', () => (exitedEarly = true));
    child.once('error', (e) => keep(`spawn error: ${e}\n`));
    const deadline = Date.now() + timeout;
    for (;;) {
      if (exitedEarly) throw new Error(`lablink demo exited before answering:\n${this.output}`);
      try {
        const response = await fetch(`${this.origin}/files/v2/health`);
        await response.arrayBuffer();
        if (response.status === 200) return this;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`lablink demo did not answer on ${this.origin} within ${timeout} ms:\n${this.output}`);
      }
      await delay(50);
    }
  }

  /** SIGTERM, then waits for the exit; returns whether it exited on its own within `grace`. */
  async stop({ grace = 5_000 } = {}) {
    const child = this.child;
    if (!child) return true;
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return true;
    child.kill('SIGTERM');
    const timer = delay(grace).then(() => 'timeout');
    const result = await Promise.race([this.exited.then(() => 'exited'), timer]);
    if (result === 'timeout') {
      child.kill('SIGKILL');
      await this.exited;
      return false;
    }
    return true;
  }
}

/** Runs before any page script: records dialogs-by-script and the picker's event. */
export function initScript() {
  window.__alerts = [];
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    window[name] = (...args) => {
      window.__alerts.push(`${name}(${args.map(String).join(', ')})`);
    };
  }
  window.__picked = [];
  document.addEventListener('lablink-picked', (event) => window.__picked.push(event.detail));
}

/**
 * Opens a fresh context and page, runs `body({ page, context, errors, dialogs })`, then
 * asserts that no page error or console error happened (a 404 of /favicon.ico aside, and any
 * console error a test expects, matched by `allowConsole` against "text @ url").
 */
export async function withPage(browser, body, { allowConsole = [], viewport = { width: 900, height: 700 } } = {}) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(10_000);
  await context.addInitScript(initScript);
  const page = await context.newPage();
  const errors = [];
  const dialogs = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const url = message.location()?.url ?? '';
    const line = `${message.text()} @ ${url}`;
    if (/^Failed to load resource/.test(message.text()) && /\/favicon\.ico$/.test(new URL(url, 'http://x/').pathname)) {
      return;
    }
    if (allowConsole.some((pattern) => pattern.test(line))) return;
    errors.push(`console.error: ${line}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  try {
    await body({ page, context, errors, dialogs });
    if (errors.length) throw new Error(`errors in the page:\n${errors.join('\n')}`);
    if (dialogs.length) throw new Error(`dialogs opened:\n${dialogs.join('\n')}`);
  } finally {
    await context.close();
  }
}

/** What the picker shows, read from the DOM in one go. */
export function snapshot(page) {
  return page.evaluate(() => {
    const root = document.querySelector('.lablink-root.lablink-picker');
    if (!root) return { mounted: false, text: document.getElementById('picker')?.textContent ?? '' };
    const list = root.querySelector('.lablink-list[role=listbox]');
    const rowEls = [...root.querySelectorAll('.lablink-row[role=option]')].sort(
      (a, b) => Number(a.getAttribute('aria-posinset')) - Number(b.getAttribute('aria-posinset')),
    );
    const name = (row) => row.querySelector('.lablink-name')?.textContent ?? null;
    const selected = rowEls.filter((r) => r.getAttribute('aria-selected') === 'true');
    const active = document.activeElement;
    const alert = root.querySelector('[role=alert]');
    const choose = root.querySelector('button.lablink-choose');
    return {
      mounted: true,
      crumbs: [...root.querySelectorAll('nav.lablink-crumbs li')].map((li) => li.textContent.trim()),
      crumbButtons: [...root.querySelectorAll('nav.lablink-crumbs button')].map((b) => b.textContent.trim()),
      current: root.querySelector('nav.lablink-crumbs [aria-current=page]')?.textContent ?? null,
      rows: rowEls.map(name),
      rowCount: rowEls.length,
      setsize: rowEls.length ? Number(rowEls[0].getAttribute('aria-setsize')) : 0,
      selected: selected.map(name),
      activedescendant: list?.getAttribute('aria-activedescendant') ?? null,
      activedescendantName: (() => {
        const id = list?.getAttribute('aria-activedescendant');
        const el = id && document.getElementById(id);
        return el ? name(el) : null;
      })(),
      loading: !!root.querySelector('.lablink-loading'),
      error: alert ? alert.textContent : null,
      retry: !!alert?.querySelector('button.lablink-retry'),
      filter: root.querySelector('input.lablink-filter')?.value ?? null,
      choose: choose?.textContent ?? null,
      chooseDisabled: choose?.disabled ?? null,
      notices: [...root.querySelectorAll('.lablink-notices .lablink-notice-text')].map((n) => n.textContent),
      chosen: root.querySelector('.lablink-chosen')?.textContent ?? '',
      field: document.getElementById('lablink_path').value,
      picked: [...window.__picked],
      alerts: [...window.__alerts],
      focus: active === list ? 'list' : active?.matches?.('button.lablink-choose') ? 'choose' : active?.tagName ?? null,
    };
  });
}

/** Waits until `check(snapshot)` stops throwing; returns that snapshot. */
export function until(page, check, options = {}) {
  return eventually(async () => {
    const s = await snapshot(page);
    check(s);
    return s;
  }, options);
}

/** A row, found by the name it shows. */
export function row(page, name) {
  return page.locator(`.lablink-row:has(> .lablink-name[title=${JSON.stringify(name)}])`);
}

/** Presses Tab (or Shift+Tab) until the focused element matches `selector`. */
export async function tabTo(page, selector, { max = 25, shift = false } = {}) {
  const visited = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(shift ? 'Shift+Tab' : 'Tab');
    const [matches, label] = await page.evaluate((sel) => {
      const a = document.activeElement;
      return [!!a?.matches(sel), `${a?.tagName}.${a?.className} "${(a?.textContent ?? '').trim().slice(0, 25)}"`];
    }, selector);
    visited.push(label);
    if (matches) return visited;
  }
  throw new Error(`Tab never reached ${selector}; visited:\n${visited.join('\n')}`);
}
