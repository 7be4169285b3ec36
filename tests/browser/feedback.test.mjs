// feedback.test.mjs: feedback in real Chromium. A creator posts a work; a reader leaves kudos
// (#kudo-submit) and a comment; the creator sees the unread count in the header, finds both
// in the inbox and replies from the comment's thread; the reader finds the reply in their
// inbox and reports the work; a moderator hides it from /admin/reports, after which guests get
// a 404 while the creator still sees it with a notice, and the audit log says who, what and
// why. Accounts are made with `ficd user add`. Every page kind is screenshotted into
// tests/browser/artifacts/feedback/ and checked with axe-core (serious or critical
// violations fail); console errors (CSP included) and 5xx responses fail too.
// Usage: node feedback.test.mjs path/to/ficd
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startServer, ficdPath } from './lib/server.mjs';
import {
  Runner, launch, artifactsDir, routeAxe, axe, formatViolations, watchPage, watchdog, assert,
} from './lib/harness.mjs';

const r = new Runner('feedback');
const art = artifactsDir('feedback');
let server = null;
let browser = null;
const cleanup = async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
};
const cancelWatchdog = watchdog(170, r, cleanup);

const TITLE = 'Letters to the Lighthouse';
const COMMENT = 'The lantern scene made me cry. <em>Thank you</em> for writing it!';
const REPLY = 'Thank you so much for reading, it means a lot.';

let page;
let problems;
let kinds = 0;
let workId;
const pw = {};

async function pageKind(kind) {
  kinds++;
  const file = path.join(art, `${String(kinds).padStart(2, '0')}-${kind}.png`);
  await r.step(`${kind}: screenshot`, async () => {
    await page.screenshot({ path: file, fullPage: true });
    assert(fs.statSync(file).size > 1000, `screenshot ${file} is empty`);
  }, { critical: false });
  await r.step(`${kind}: axe-core (no serious or critical violations)`, async () => {
    const vs = await axe(page);
    const bad = vs.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const minor = vs.filter((v) => !bad.includes(v));
    if (minor.length) console.log(`  note: ${kind} (${page.url()}) has minor axe findings:\n${formatViolations(minor)}`);
    assert(bad.length === 0, `${page.url()}:\n${formatViolations(bad)}`);
  }, { critical: false });
  const p = problems.take().filter((m) => !/status of 404/.test(m));
  r.soft(`${kind}: no console errors, CSP violations or 5xx`, p.length === 0, p.join('\n'));
}

const text = async (sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ').trim();

async function logIn(name) {
  await page.goto(server.base + '/login');
  const f = page.locator('#login-form');
  await f.locator('#name').fill(name);
  await f.locator('#password').fill(pw[name]);
  await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), f.locator('button[type=submit]').click()]);
  assert(await text('#nav-user') === name, `logged in as ${await text('#nav-user')}`);
}

async function logOut() {
  await Promise.all([page.waitForLoadState('load'), page.locator('#logout').click()]);
  assert(await page.locator('#nav-login').count() === 1, 'still logged in');
}

try {
  await r.step('start ficd serve; make the accounts with `ficd user add`', async () => {
    server = await startServer();
    for (const [name, role] of [['quill', 'user'], ['reader_ana', 'user'], ['warden', 'moderator']]) {
      const out = execFileSync(ficdPath(), ['user', 'add', name, '--role', role, '--data', server.dataDir], { encoding: 'utf8' });
      const m = /one-time password: (\S+)/.exec(out);
      assert(m, `no password printed: ${out}`);
      pw[name] = m[1];
    }
  });
  await r.step('launch Chromium', async () => {
    browser = await launch({ viewport: { width: 1280, height: 900 } });
    await routeAxe(browser.context, server.base);
    page = browser.context.pages()[0] || await browser.context.newPage();
    problems = watchPage(page, server.base);
  });

  await r.step('the creator posts a work', async () => {
    await logIn('quill');
    await page.goto(server.base + '/works/new');
    const f = page.locator('#work-form');
    await f.locator('#rating').selectOption('1');
    await f.locator('#warning_8').check();
    await f.locator('#fandoms').fill('Harbour Tales');
    await f.locator('#title').fill(TITLE);
    await f.locator('#chapter_text').fill('<p>Dear lighthouse, the lanterns are lit again.</p>');
    assert(await f.locator('#comment_policy_everyone').isChecked(), 'comments not open to everyone by default');
    assert(!(await f.locator('#moderate_comments').isChecked()), 'comments held by default');
    await Promise.all([page.waitForURL(/\/works\/\d+$/), f.locator('#post-button').click()]);
    workId = /\/works\/(\d+)$/.exec(new URL(page.url()).pathname)[1];
    assert(await page.locator('#kudo-submit').count() === 0, 'the creator sees a kudos button on their own work');
    await logOut();
  });

  await r.step('a reader leaves kudos with #kudo-submit', async () => {
    await logIn('reader_ana');
    await page.goto(`${server.base}/works/${workId}`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#kudo-submit').click()]);
    const k = await text('#kudos');
    assert(/reader_ana left kudos on this work!/.test(k), `kudos line: ${k}`);
  });
  await r.step('a second click only gives a notice', async () => {
    await Promise.all([page.waitForLoadState('load'), page.locator('#kudo-submit').click()]);
    assert(/You have already left kudos here/.test(await text('#kudos-notice')), 'no notice');
    await page.goto(`${server.base}/works/${workId}`);
  });
  await pageKind('work-with-kudos');
  await r.step('the reader comments; the comment shows, sanitized', async () => {
    const f = page.locator('#comment-form');
    await f.locator('#content').fill(COMMENT + '<script>window.pwned=1</script>');
    await Promise.all([page.waitForURL(/show_comments=true/), f.locator('#comment-submit').click()]);
    const c = page.locator('#comments li.comment').first();
    assert((await c.innerHTML()).includes('<em>Thank you</em>'), 'comment HTML not kept');
    assert(!(await c.innerHTML()).includes('<script'), 'script survived');
    assert(await page.evaluate(() => window.pwned === undefined), 'script ran');
    assert(/Comments \(1\)/.test(await text('#comments-heading')), 'count not 1');
  });
  await pageKind('work-with-comments');
  await r.step('the reader logs out', logOut);

  let threadUrl;
  await r.step('the creator sees the unread count in the header', async () => {
    await logIn('quill');
    const n = await text('#inbox-count');
    assert(/\(2/.test(n), `header count "${n}"`);
  });
  await r.step('the inbox lists the comment and the kudos', async () => {
    await Promise.all([page.waitForURL('**/inbox'), page.locator('#nav-inbox').click()]);
    const items = await text('#inbox-items');
    assert(items.includes(`reader_ana commented on ${TITLE}`), `inbox: ${items}`);
    assert(items.includes(`reader_ana left kudos on ${TITLE}`), `inbox: ${items}`);
  });
  await pageKind('inbox');
  await r.step('opening the comment from the inbox and replying', async () => {
    await Promise.all([page.waitForURL(/\/comments\/\d+$/),
      page.locator('#inbox-items a', { hasText: 'commented on' }).click()]);
    threadUrl = page.url();
    const f = page.locator('#reply-form');
    await f.locator('#content').fill(REPLY);
    await Promise.all([page.waitForURL(/show_comments=true/), f.locator('#comment-submit').click()]);
    const html = await page.locator('#comments').innerHTML();
    assert(html.indexOf(REPLY) > html.indexOf('The lantern scene'), 'reply not after the comment');
    assert(await page.locator('#comments ol.thread ol.thread li.comment').count() === 1, 'reply not nested');
  });
  await r.step('marking everything read clears the header count', async () => {
    await page.goto(`${server.base}/users/quill/inbox`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#inbox-read-all').click()]);
    assert(await page.locator('#inbox-count').count() === 0, 'count still shown');
  });
  await r.step('the thread page', async () => { await page.goto(threadUrl); });
  await pageKind('comment-thread');
  await r.step('the creator logs out', logOut);

  await r.step('the reader finds the reply in their inbox', async () => {
    await logIn('reader_ana');
    await page.goto(`${server.base}/users/reader_ana/inbox`);
    assert((await text('#inbox-items')).includes(`quill replied to your comment on ${TITLE}`), 'no reply item');
  });
  await r.step('the reader reports the work', async () => {
    await page.goto(`${server.base}/works/${workId}`);
    await Promise.all([page.waitForURL('**/report'), page.locator('#report-work').click()]);
    await page.locator('#reason').fill('This copies another writer\'s story word for word.');
    await Promise.all([page.waitForLoadState('load'), page.locator('#report-submit').click()]);
    assert(/moderators will review/.test(await text('#report-sent')), 'no confirmation');
  });
  await pageKind('report-sent');
  await r.step('the reader logs out', logOut);

  await r.step('the moderator opens the reports from the navigation', async () => {
    await logIn('warden');
    await Promise.all([page.waitForURL('**/admin/reports'), page.locator('#nav-admin').click()]);
    assert((await text('#reports')).includes('word for word'), 'report not listed');
  });
  await pageKind('admin-reports');
  await r.step('the moderator hides the work, giving a reason', async () => {
    const rep = page.locator('#reports li.report').first();
    await rep.locator('input[name=reason]').fill('Plagiarism confirmed');
    await Promise.all([page.waitForLoadState('load'), rep.locator('button[value=hide]').click()]);
    assert(/Done: hide work/.test(await text('#notice')), 'no confirmation');
  });
  await r.step('the audit log says who, what and why', async () => {
    await Promise.all([page.waitForURL('**/admin/log'), page.locator('#audit-log-link').click()]);
    const row = (await page.locator('#audit-log tbody tr').first().innerText()).replace(/\s+/g, ' ');
    assert(row.includes('warden') && row.includes('hide work') && row.includes('Plagiarism confirmed'), `log row: ${row}`);
  });
  await pageKind('audit-log');
  await r.step('the moderator logs out; guests get a 404 for the hidden work', async () => {
    await logOut();
    const resp = await page.goto(`${server.base}/works/${workId}`);
    assert(resp.status() === 404, `status ${resp.status()}`);
    await page.goto(`${server.base}/works`);
    assert(!(await page.content()).includes(TITLE), 'hidden work still listed');
  });
  await r.step('the creator still sees it, with a notice', async () => {
    await logIn('quill');
    await page.goto(`${server.base}/works/${workId}`);
    assert(/hidden by a moderator/.test(await text('#hidden-notice')), 'no notice');
    await page.goto(`${server.base}/users/quill/inbox`);
    assert((await text('#inbox-items')).includes('A moderator hid your work'), 'creator not told');
  });
  await pageKind('hidden-work-inbox');

  await r.step('server log: no 5xx, no sanitizer report', async () => {
    const log = server.log();
    assert(!/ 5\d\d \d+ /.test(log), `5xx in the server log:\n${log.split('\n').filter((l) => / 5\d\d \d+ /.test(l)).join('\n')}`);
    assert(!/AddressSanitizer|runtime error:/.test(log), 'sanitizer report in the server log');
  }, { critical: false });
  await r.step('ficd stops on SIGTERM with status 0', async () => {
    await browser.close();
    browser = null;
    const ex = await server.stop();
    server = null;
    assert(ex && ex.code === 0, `exit ${JSON.stringify(ex)}`);
  }, { critical: false });
} finally {
  await cleanup();
  cancelWatchdog();
}
console.log(`screenshots in ${art}`);
process.exit(r.summary());
