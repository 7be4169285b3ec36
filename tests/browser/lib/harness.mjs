// lib/harness.mjs: what the browser tests share: Debian's Chromium through playwright-core
// (never a downloaded browser), a fresh profile per run, checks counted into the closing
// line "N passed, M failed[, K skipped]", axe-core on a page, screenshots, a watchdog.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { sourceDir } from './server.mjs';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.FICD_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** tests/browser/artifacts/<name>/, emptied first. */
export function artifactsDir(name) {
  const d = path.join(sourceDir(), 'tests', 'browser', 'artifacts', name);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/**
 * Launch Chromium with a fresh user-data dir of our own (removed by close()) and return a
 * persistent context built with contextOptions (viewport, isMobile, ...).
 */
export async function launch(contextOptions = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ficd-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      acceptDownloads: true,
      timeout: 60_000,
      ...contextOptions,
    });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  const close = async () => {
    try { await context.close(); } catch { /* already gone */ }
    fs.rmSync(profile, { recursive: true, force: true });
  };
  process.once('exit', () => fs.rmSync(profile, { recursive: true, force: true }));
  return { context, close };
}

/**
 * Records what the browser reports that a user would not see: console errors (CSP
 * violations among them: the pages run under ficd's real CSP), uncaught page errors, and
 * failed requests to the server. take() returns and clears them.
 */
export function watchPage(page, base) {
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url || page.url()})`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // a download navigation is reported as "aborted"; that is not a failure
    if (r.url().startsWith(base) && !/ERR_ABORTED/.test(r.failure()?.errorText || '')) {
      problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    }
  });
  page.on('response', (r) => {
    if (r.url().startsWith(base) && r.status() >= 500) problems.push(`HTTP ${r.status()} for ${r.url()}`);
    else if (r.url().startsWith(base) && r.status() >= 400) console.log(`  (HTTP ${r.status()} for ${r.request().method()} ${r.url()})`);
  });
  return { take: () => problems.splice(0) };
}

const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_URL_PATH = '/__test__/axe.min.js';

/**
 * Serve axe-core to the page from the page's own origin (the request never reaches ficd:
 * the context answers it), so page.addScriptTag can load it without lifting ficd's
 * Content-Security-Policy (script-src 'self'); the pages are checked under the real CSP.
 */
export async function routeAxe(context, base) {
  const body = fs.readFileSync(AXE_PATH);
  await context.route(base + AXE_URL_PATH, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body }));
}

/** Run axe-core on the page; returns the violations (each with impact, id, help, nodes). */
export async function axe(page, { include = null, runOnly = null } = {}) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.addScriptTag({ url: AXE_URL_PATH });
    await page.waitForFunction(() => typeof window.axe === 'object', null, { timeout: 10_000 });
  }
  const res = await page.evaluate(async ({ include, runOnly }) => {
    const opts = { resultTypes: ['violations'] };
    if (runOnly) opts.runOnly = { type: 'rule', values: runOnly };
    const r = await window.axe.run(include ? { include: [include] } : document, opts);
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 160), summary: n.failureSummary })),
    }));
  }, { include, runOnly });
  return res;
}

export function formatViolations(vs) {
  return vs.map((v) => `  [${v.impact}] ${v.id}: ${v.help}\n` +
    v.nodes.slice(0, 5).map((n) => `      ${n.target}  ${n.html}\n        ${(n.summary || '').replace(/\n/g, ' ')}`).join('\n') +
    (v.nodes.length > 5 ? `\n      ... and ${v.nodes.length - 5} more` : '')).join('\n');
}

/**
 * What is missing from the site layout (page_begin/page_end) of the page as the browser
 * shows it: a skip link to #main, the site header with its navigation, one <main id="main">
 * holding the page's one visible <h1> (with text), the site footer. Empty when it is whole.
 */
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    const visible = (el) => !!el && el.getClientRects().length > 0;
    if (!document.querySelector('a.skip[href="#main"]')) out.push('no skip link to #main');
    if (!document.querySelector('header.site nav a[href]')) out.push('no site header with navigation links');
    const mains = document.querySelectorAll('main');
    if (mains.length !== 1 || mains[0].id !== 'main') out.push(`${mains.length} <main> (want one, id="main")`);
    const h1s = [...document.querySelectorAll('h1')].filter(visible);
    if (h1s.length !== 1) out.push(`${h1s.length} visible <h1> (want one)`);
    else if (!h1s[0].closest('main')) out.push('the <h1> is outside <main>');
    else if (!h1s[0].innerText.trim()) out.push('the <h1> is empty');
    if (!document.querySelector('footer.site')) out.push('no site footer');
    return out;
  });
}

/** Saves a full-page screenshot as a test artifact (for people to look at; not a check). */
export async function saveScreenshot(page, file) {
  try {
    await page.screenshot({ path: file, fullPage: true });
  } catch (e) {
    console.log(`  note: screenshot ${file} not saved: ${String(e && e.message || e).split('\n')[0]}`);
  }
}

/**
 * A sequence of named checks. step(name, fn) runs fn; a throw is a failure (printed with
 * its message) and, when the step is marked `critical`, skips every later step (they
 * depend on it). soft(name, cond, detail) records a check without stopping.
 */
export class Runner {
  constructor(name) {
    this.name = name;
    this.passed = 0;
    this.failed = 0;
    this.skipped = 0;
    this.aborted = false;
    this.t0 = Date.now();
  }

  log(msg) { console.log(`[${((Date.now() - this.t0) / 1000).toFixed(1)}s] ${msg}`); }

  async step(name, fn, { critical = true } = {}) {
    if (this.aborted) { this.skipped++; console.log(`skip ${name}`); return undefined; }
    try {
      const r = await fn();
      this.passed++;
      this.log(`ok   ${name}`);
      return r;
    } catch (e) {
      this.failed++;
      this.log(`FAIL ${name}\n${String(e && e.stack || e).split('\n').slice(0, 12).join('\n')}`);
      if (critical) this.aborted = true;
      return undefined;
    }
  }

  soft(name, cond, detail = '') {
    if (this.aborted) { this.skipped++; return; }
    if (cond) { this.passed++; this.log(`ok   ${name}`); } else { this.failed++; this.log(`FAIL ${name}${detail ? `\n${detail}` : ''}`); }
  }

  summary() {
    const line = `${this.passed} passed, ${this.failed} failed` + (this.skipped ? `, ${this.skipped} skipped` : '');
    console.log(line);
    return this.failed === 0 && this.skipped === 0 ? 0 : 1;
  }
}

/** Kill the whole test after `seconds` (the runner's budget is 3 minutes per file). */
export function watchdog(seconds, runner, onFire) {
  const t = setTimeout(async () => {
    console.log(`FAIL watchdog: the test did not finish in ${seconds} s`);
    runner.failed++;
    try { await Promise.race([onFire(), new Promise((r) => setTimeout(r, 10_000))]); } finally {
      runner.summary();
      process.exit(1);
    }
  }, seconds * 1000);
  t.unref();
  return () => clearTimeout(t);
}

export function assert(cond, msg) { if (!cond) throw new Error(msg); }
