// readers.test.mjs: a reader's tools in real Chromium. A writer posts two works as parts of a
// series through the work form's series fields, another writer posts one more; a reader
// signs up, follows the series navigation (Part 1 of, Next Work, Previous Work) and the
// series page, bookmarks a work with tags and a recommendation (the count on the work
// changes, the bookmark is listed on /bookmarks with its facet), subscribes to it, mutes the
// other writer from their user page and sees the total and the fandom facet count of /works
// drop (and come back after unmuting), and follows the series' Atom feed link (a well-formed
// Atom document); the writer then reads their statistics (table and SVG charts). Pages are
// screenshotted into tests/browser/artifacts/readers/ and checked
// with axe-core; console errors and 5xx fail.
// Usage: node readers.test.mjs path/to/ficd
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import {
  Runner, launch, artifactsDir, routeAxe, axe, formatViolations, watchPage, watchdog, assert,
} from './lib/harness.mjs';

const r = new Runner('readers');
const art = artifactsDir('readers');
let server = null;
let browser = null;
const cleanup = async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
};
const cancelWatchdog = watchdog(170, r, cleanup);

const WRITER = { name: 'wren', password: 'lantern-keeper-42' };
const OTHER = { name: 'cara_sea', password: 'salt-and-foam-9' };
const READER = { name: 'reader_mo', password: 'quiet-reader-77' };

let page;
let problems;
let kinds = 0;

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
    assert(bad.length === 0, `${page.url()}:\n${formatViolations(bad)}`);
  }, { critical: false });
  const p = problems.take();
  r.soft(`${kind}: no console errors, CSP violations or 5xx`, p.length === 0, p.join('\n'));
}

const text = async (sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ').trim();
const pathOf = () => new URL(page.url()).pathname;

async function signOut() {
  await Promise.all([page.waitForLoadState('load'), page.locator('#logout').click()]);
}

async function signUp(u) {
  await page.goto(server.base + '/signup');
  const f = page.locator('#signup-form');
  await f.locator('#name').fill(u.name);
  await f.locator('#password').fill(u.password);
  await f.locator('#password_confirm').fill(u.password);
  await Promise.all([page.waitForURL((x) => x.pathname !== '/signup'), f.locator('button[type=submit]').click()]);
  assert(await page.locator('#logout').count() === 1, `${u.name} not signed in`);
}

/** Posts a work through the form; returns its id. */
async function postWork(who, title, fandom, series, position) {
  await page.goto(server.base + '/works/new');
  const f = page.locator('#work-form');
  await f.locator('#rating').selectOption('1');
  await f.locator('#warning_8').check();
  await f.locator('#fandoms').fill(fandom);
  await f.locator('#title').fill(title);
  await f.locator('#pseud').selectOption(who);
  await f.locator('#summary').fill(`The story of ${title}.`);
  if (series) await f.locator('#series').fill(series);
  if (position) await f.locator('#series_position').fill(position);
  await f.locator('#chapter_text').fill(`<p>${title} begins by the water.</p>`);
  await Promise.all([page.waitForURL(/\/works\/\d+$/), page.locator('#post-button').click()]);
  return /\/works\/(\d+)$/.exec(pathOf())[1];
}

/** The works total and a fandom's facet count on /works, as the reader sees them. */
async function worksCounts(fandom) {
  await page.goto(server.base + '/works');
  const html = await page.content();
  const total = /(\d+) Works?\b/.exec(html);
  const label = page.locator('label', { hasText: fandom }).first();
  const facet = (await label.count()) ? /\((\d+)\)/.exec(await label.innerText()) : null;
  return { total: total ? Number(total[1]) : -1, facet: facet ? Number(facet[1]) : 0 };
}

try {
  await r.step('start ficd serve and Chromium', async () => {
    server = await startServer();
    browser = await launch({ viewport: { width: 1280, height: 900 } });
    await routeAxe(browser.context, server.base);
    page = browser.context.pages()[0] || await browser.context.newPage();
    problems = watchPage(page, server.base);
  });
  await r.step('set up the archive with open sign-up', async () => {
    await page.goto(server.base + '/setup');
    const f = page.locator('#setup-form');
    await f.locator('#archive_name').fill('Salt Quay');
    await f.locator('#name').fill(WRITER.name);
    await f.locator('#password').fill(WRITER.password);
    await f.locator('#password_confirm').fill(WRITER.password);
    await f.locator('#signup_mode_open').check();
    await Promise.all([page.waitForURL((u) => u.pathname !== '/setup'), f.locator('button[type=submit]').click()]);
  });
  let part1;
  let part2;
  await r.step('the work form has series fields; two works become parts 1 and 2', async () => {
    await page.goto(server.base + '/works/new');
    assert(await page.locator('#series').count() === 1, 'no #series field');
    assert(await page.locator('#series_position').count() === 1, 'no #series_position field');
    assert(await page.locator('label[for=series]').count() === 1, 'series field has no label');
    part1 = await postWork(WRITER.name, 'First Tide', 'Tidefall', 'Salt Roads', '');
    part2 = await postWork(WRITER.name, 'Second Tide', 'Tidefall', 'Salt Roads', '');
  });
  await pageKind('work-form-series');
  await r.step('another writer posts a work', async () => {
    await signOut();
    await signUp(OTHER);
    await postWork(OTHER.name, 'Foam Letters', 'Tidefall', '', '');
    await signOut();
  });
  await r.step('a reader signs up', async () => { await signUp(READER); });

  await r.step('series navigation: Part 1 of Salt Roads, Next Work, Previous Work', async () => {
    await page.goto(`${server.base}/works/${part1}`);
    assert((await text('#series-nav')).includes('Part 1 of Salt Roads'), `nav: ${await text('#series-nav')}`);
    await Promise.all([page.waitForURL(`**/works/${part2}`), page.locator('#series-next').click()]);
    assert((await text('#series-nav')).includes('Part 2 of Salt Roads'), 'not part 2');
    await Promise.all([page.waitForURL(`**/works/${part1}`), page.locator('#series-previous').click()]);
  });
  await pageKind('work-reader-panel');
  await r.step('the series page lists both parts, words and completion', async () => {
    await Promise.all([page.waitForURL(/\/series\/\d+$/), page.locator('#series-nav a[href^="/series/"]').click()]);
    assert(await text('#series-title') === 'Salt Roads', 'series title');
    assert(await text('#series-works') === '2', `works: ${await text('#series-works')}`);
    assert(await page.locator('#series-parts .series-part').count() === 2, 'two parts');
  });
  await pageKind('series');
  await r.step('the series Atom feed link gives a well-formed Atom feed with both parts', async () => {
    const href = await page.locator('#series-feed').getAttribute('href');
    const resp = await page.request.get(server.base + href);
    assert(resp.status() === 200, `feed status ${resp.status()}`);
    assert(/application\/atom\+xml/.test(resp.headers()['content-type']), 'feed content type');
    const xml = await resp.text();
    const doc = await page.evaluate((s) => {
      const d = new DOMParser().parseFromString(s, 'application/xml');
      const err = d.getElementsByTagName('parsererror').length;
      const ns = 'http://www.w3.org/2005/Atom';
      const entries = [...d.getElementsByTagNameNS(ns, 'entry')];
      return {
        err,
        root: d.documentElement.localName,
        entries: entries.length,
        complete: entries.every((e) => ['id', 'title', 'updated', 'author', 'link']
          .every((n) => e.getElementsByTagNameNS(ns, n).length > 0)),
      };
    }, xml);
    assert(doc.err === 0 && doc.root === 'feed', `not an Atom feed: ${JSON.stringify(doc)}`);
    assert(doc.entries === 2 && doc.complete, `entries: ${JSON.stringify(doc)}`);
  });

  await r.step('bookmark a work with tags and a recommendation; its count changes', async () => {
    await page.goto(`${server.base}/works/${part1}`);
    assert((await text('#work-bookmarks')).includes('(0)'), 'count before');
    const f = page.locator('#bookmark-form');
    await f.locator('#notes').fill('<p>Read it <em>twice</em>.</p>');
    await f.locator('#tags').fill('comfort, sea');
    await f.locator('#rec').check();
    await Promise.all([page.waitForLoadState('load'), f.locator('#bookmark-submit').click()]);
    assert((await text('#work-bookmarks')).includes('(1)'), `count after: ${await text('#work-bookmarks')}`);
    assert(await page.locator('#bookmark-submit').innerText() === 'Update Bookmark', 'not shown as own bookmark');
  });
  await r.step('/bookmarks lists it with the bookmarker\'s tag facet', async () => {
    await page.goto(`${server.base}/bookmarks`);
    assert((await text('#bookmark-count')) === '1 bookmark', await text('#bookmark-count'));
    assert((await page.locator('#bookmark-filters label', { hasText: 'comfort' }).innerText()).includes('(1)'), 'facet');
    assert(await page.locator('#bookmarks em', { hasText: 'twice' }).count() === 1, 'notes');
  });
  await pageKind('bookmarks');
  await r.step('subscribe to the work', async () => {
    await page.goto(`${server.base}/works/${part1}`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#subscribe').click()]);
    assert(await page.locator('#unsubscribe').count() === 1, 'no Unsubscribe after subscribing');
    await page.goto(`${server.base}/users/${READER.name}/subscriptions`);
    assert(await page.locator('#subscriptions a', { hasText: 'First Tide' }).count() === 1, 'not listed');
  });
  await pageKind('subscriptions');

  let before;
  await r.step('muting a creator takes their work out of the total and the facet counts', async () => {
    before = await worksCounts('Tidefall');
    assert(before.total === 3 && before.facet === 3, `before: ${JSON.stringify(before)}`);
    await page.goto(`${server.base}/users/${OTHER.name}`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#mute').click()]);
    assert(await page.locator('#muted-notice').count() === 1, 'no muted notice');
    const after = await worksCounts('Tidefall');
    assert(after.total === 2 && after.facet === 2, `after: ${JSON.stringify(after)}`);
  });
  await pageKind('works-muted');
  await r.step('settings show the muted creator; unmuting brings the work back', async () => {
    await page.goto(`${server.base}/settings`);
    assert(await page.locator('#muted-list a', { hasText: OTHER.name }).count() === 1, 'not in settings');
    assert(await page.locator('label[for=blocked_tags]').count() === 1, 'blocked tags field');
    await Promise.all([page.waitForLoadState('load'), page.locator('#muted-list #unmute').click()]);
    const again = await worksCounts('Tidefall');
    assert(again.total === 3 && again.facet === 3, `again: ${JSON.stringify(again)}`);
  });
  await pageKind('settings');
  await r.step('the writer\'s statistics: a sortable table and five SVG charts with titles', async () => {
    await signOut();
    await page.goto(server.base + '/login');
    const f = page.locator('#login-form');
    await f.locator('#name').fill(WRITER.name);
    await f.locator('#password').fill(WRITER.password);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), f.locator('button[type=submit]').click()]);
    await page.goto(`${server.base}/users/${WRITER.name}`);
    await Promise.all([page.waitForURL('**/stats'), page.locator('#stats-link').click()]);
    assert(await page.locator('#stats-works tbody tr').count() === 2, 'two works in the table');
    assert(await page.locator('svg[role=img] title').count() === 5, 'five charts with titles');
    const desc = await page.locator('#chart-bookmarks-desc').textContent();
    assert(/1 in all/.test(desc), `bookmarks chart description: ${desc}`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#stats-works th a', { hasText: 'Work' }).click()]);
    assert(await page.locator('#stats-works th[aria-sort=ascending]').count() === 1, 'sorted by title');
  });
  await pageKind('stats');
  await r.step('server log: no 5xx', async () => {
    const log = server.log();
    assert(!/ 5\d\d \d+ /.test(log), 'a 5xx in the server log');
  }, { critical: false });
} finally {
  await cleanup();
  cancelWatchdog();
}
console.log(`screenshots in ${art}`);
process.exit(r.summary());
