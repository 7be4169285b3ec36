// security.test.mjs: an account owner's security journey in real Chromium. The admin signs
// in on a second device (a second browser); changing the password on the first signs the
// second out (it lands on the login page) and says so; signing in again with the new
// password works; "Sign Out Everywhere" ends both. Then the same owner sends the settings
// forms too often: the 429 page is in the site layout, says when to try again, and passes
// axe-core. Pages are screenshotted into tests/browser/artifacts/security/.
// Usage: node security.test.mjs path/to/ficd
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import {
  Runner, launch, artifactsDir, routeAxe, axe, formatViolations, watchPage, watchdog, assert,
} from './lib/harness.mjs';

const r = new Runner('security');
const art = artifactsDir('security');
let server = null;
let one = null;
let two = null;
const cleanup = async () => {
  if (one) await one.close();
  if (two) await two.close();
  if (server) await server.stop();
};
const cancelWatchdog = watchdog(170, r, cleanup);

const ADMIN = { name: 'keeper', password: 'first-password-11' };
const NEWPW = 'second-password-22';
let pageA;
let pageB;
let problems;
let shots = 0;

async function check(page, kind, { ignore = null } = {}) {
  shots++;
  const file = path.join(art, `${String(shots).padStart(2, '0')}-${kind}.png`);
  await r.step(`${kind}: screenshot`, async () => {
    await page.screenshot({ path: file, fullPage: true });
    assert(fs.statSync(file).size > 1000, `screenshot ${file} is empty`);
  }, { critical: false });
  await r.step(`${kind}: axe-core (no serious or critical violations)`, async () => {
    const bad = (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert(bad.length === 0, `${page.url()}:\n${formatViolations(bad)}`);
  }, { critical: false });
  const p = problems.take().filter((m) => !(ignore && ignore.test(m)));
  r.soft(`${kind}: no console errors, CSP violations or 5xx`, p.length === 0, p.join('\n'));
}

async function login(page, password) {
  await page.goto(`${server.base}/login`);
  const f = page.locator('#login-form');
  await f.locator('#name').fill(ADMIN.name);
  await f.locator('#password').fill(password);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), f.locator('#login-submit').click()]);
}

const pathOf = (page) => new URL(page.url()).pathname;

try {
  await r.step('start ficd serve (other forms limited to 5 an hour)', async () => {
    server = await startServer({ env: { FICD_RATE_OTHER: '5/1h' } });
  });
  await r.step('launch two browsers (two devices)', async () => {
    one = await launch({ viewport: { width: 1280, height: 900 } });
    two = await launch({ viewport: { width: 1280, height: 900 } });
    await routeAxe(one.context, server.base);
    await routeAxe(two.context, server.base);
    pageA = one.context.pages()[0] || await one.context.newPage();
    pageB = two.context.pages()[0] || await two.context.newPage();
    problems = watchPage(pageA, server.base);
  });
  await r.step('set up the archive (form 1 of 5)', async () => {
    await pageA.goto(`${server.base}/setup`);
    const f = pageA.locator('#setup-form');
    await f.locator('#archive_name').fill('Quiet Harbour');
    await f.locator('#name').fill(ADMIN.name);
    await f.locator('#password').fill(ADMIN.password);
    await f.locator('#password_confirm').fill(ADMIN.password);
    await f.locator('#signup_mode_open').check();
    await Promise.all([pageA.waitForURL((u) => u.pathname !== '/setup'), f.locator('button[type=submit]').click()]);
  });
  await r.step('sign in on the second device', async () => {
    await login(pageB, ADMIN.password);
    await pageB.goto(`${server.base}/settings`);
    assert(pathOf(pageB) === '/settings', `second device at ${pageB.url()}`);
  });
  await r.step('change the password on the first device (form 2)', async () => {
    await pageA.goto(`${server.base}/settings`);
    const f = pageA.locator('#password-form');
    await f.locator('#current_password').fill(ADMIN.password);
    await f.locator('#new_password').fill(NEWPW);
    await f.locator('#new_password_confirm').fill(NEWPW);
    await Promise.all([pageA.waitForLoadState(), f.locator('button[type=submit]').click()]);
    await pageA.waitForSelector('#notice');
    const notice = await pageA.locator('#notice').innerText();
    assert(/password was changed/.test(notice) && /1 other session/.test(notice), `notice: ${notice}`);
  });
  await check(pageA, 'settings-after-password-change');
  await r.step('the second device is signed out', async () => {
    await pageB.goto(`${server.base}/settings`);
    assert(pathOf(pageB) === '/login', `second device still at ${pageB.url()}`);
  });
  await r.step('the old password no longer works; the new one does', async () => {
    await pageB.goto(`${server.base}/login`);
    const f = pageB.locator('#login-form');
    await f.locator('#name').fill(ADMIN.name);
    await f.locator('#password').fill(ADMIN.password);
    await f.locator('#login-submit').click();
    await pageB.waitForSelector('#errors');
    await login(pageB, NEWPW);
    await pageB.goto(`${server.base}/settings`);
    assert(pathOf(pageB) === '/settings', `at ${pageB.url()}`);
  });
  await r.step('Sign Out Everywhere on the first device (form 3) ends both sessions', async () => {
    await pageA.goto(`${server.base}/settings`);
    const f = pageA.locator('#sign-out-everywhere-form');
    await Promise.all([pageA.waitForURL((u) => u.pathname === '/login'), f.locator('button[type=submit]').click()]);
    const notice = await pageA.locator('#notice').innerText();
    assert(/signed out in every browser/.test(notice), `notice: ${notice}`);
    await pageB.goto(`${server.base}/settings`);
    assert(pathOf(pageB) === '/login', `second device still signed in at ${pageB.url()}`);
  });
  await check(pageA, 'signed-out-everywhere');
  await r.step('too many forms: the sixth within the hour gets the 429 page', async () => {
    await login(pageA, NEWPW);
    let status = 0;
    for (let i = 0; i < 3 && status !== 429; i++) {
      await pageA.goto(`${server.base}/settings`);
      const f = pageA.locator('#pseud-form');
      await f.locator('#pseud').fill(`keeper-pen-${i}`);
      const [resp] = await Promise.all([
        pageA.waitForResponse((res) => res.request().method() === 'POST'),
        f.locator('button[type=submit]').click(),
      ]);
      status = resp.status();
      await pageA.waitForLoadState();
    }
    assert(status === 429, `status ${status}`);
    const h1 = await pageA.locator('h1').innerText();
    assert(/429 Too Many Requests/.test(h1), `heading ${h1}`);
    const msg = await pageA.locator('.error-message').innerText();
    assert(/Try again in \d+ minutes \(after \d\d:\d\d:\d\d UTC\)/.test(msg), `message ${msg}`);
    assert(await pageA.locator('#nav').count() === 1, 'the 429 page has no navigation');
  });
  await check(pageA, 'too-many-requests', { ignore: /status of 429/ });
} finally {
  await cleanup();
  cancelWatchdog();
}
console.log(`screenshots in ${art}`);
process.exit(r.summary());
