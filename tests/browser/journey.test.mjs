// journey.test.mjs: a newcomer's first hour with ficd, in real Chromium.
// An empty archive sends the visitor to /setup; they create the admin account (naming the
// archive, opening sign-up), post a two-chapter work through /works/new with every field
// filled (preview, save draft, add chapter 2, post the draft), and log out. A reader signs
// up, finds the work on /works and on its tag pages, reads chapter 1, follows "Next Chapter",
// opens "Entire Work" and downloads the EPUB. Each page kind is screenshotted into
// tests/browser/artifacts/journey/ (for people to look at, not a check), must have the
// site layout (skip link, header nav, one h1 in main, footer) and is checked with axe-core
// (a "serious" or "critical" violation fails); console errors (CSP violations included: ficd's CSP stays on) and 5xx
// responses fail too.
// Usage: node journey.test.mjs path/to/ficd
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import {
  Runner, launch, artifactsDir, routeAxe, axe, formatViolations, watchPage, watchdog, assert,
  layoutProblems, saveScreenshot,
} from './lib/harness.mjs';

const r = new Runner('journey');
const art = artifactsDir('journey');
let server = null;
let browser = null;
const cleanup = async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
};
const cancelWatchdog = watchdog(170, r, cleanup);

const ADMIN = { name: 'wren', password: 'lantern-keeper-42' };
const READER = { name: 'reader_mo', password: 'quiet-reader-77' };
const ARCHIVE = 'Lantern Quay Archive';
const WORK = {
  title: 'The Forty-First Lantern',
  rating: '3', ratingName: 'Mature',
  warnings: ['2'], warningNames: ['Graphic Depictions Of Violence'],
  categories: ['2', '4'], categoryNames: ['F/M', 'Gen'],
  fandoms: 'Tidewater Chronicles, Lantern Keepers (Web Serial)',
  relationships: 'Mira Sol/Tov Brenn',
  characters: 'Mira Sol, Tov Brenn, The Harbourmaster',
  freeforms: 'Slow Burn, Found Family, Lighthouses',
  summary: 'Every autumn the quay lights forty lanterns. This year someone lit forty-one.',
  notesBegin: 'Written for the Autumn Lights exchange.',
  notesEnd: 'Thank you for reading! Chapter two is the harbour at night.',
  chapterTitle: 'The Count',
  chapter1: [
    'The lanterns along the *Tidewater* quay were lit one by one, and **Mira Sol** counted them',
    'the way her mother had taught her: aloud, with a pause at every tenth.',
    '',
    '> "Forty," said Tov. "There were forty last year too."',
    '',
    'She did not answer. Out past the breakwater a forty-first light was burning, small and',
    'steady, where no lantern had ever hung.',
    '',
    '* * *',
    '',
    'Things she took to the boat:',
    '',
    '- a coil of rope',
    '- her mother\'s tinderbox',
    '- the last of the bread',
    '',
    'It was enough.',
  ].join('\n'),
  chapter2Title: 'The Harbour at Night',
  chapter2Summary: 'Mira rows out to the light.',
  chapter2: [
    'The water was black and *very* still. Mira rowed until the quay was only a line of sparks',
    'behind her, and then she shipped the oars and let the boat drift toward the light.',
    '',
    'It was not a lantern at all. It was a jar of fireflies, tied to a buoy, and a note',
    'in Tov\'s square handwriting: **Forty-one. Now you have to come back.**',
  ].join('\n'),
};

let page;
let problems;
let kinds = 0;

/** Screenshot (an artifact), layout and accessibility checks of the current page as one "page kind". */
async function pageKind(kind, { ignore = null } = {}) {
  kinds++;
  const file = path.join(art, `${String(kinds).padStart(2, '0')}-${kind}.png`);
  await saveScreenshot(page, file);
  await r.step(`${kind}: site layout (skip link, header nav, one h1 in main, footer)`, async () => {
    const missing = await layoutProblems(page);
    assert(missing.length === 0, `${page.url()}: ${missing.join('; ')}`);
  }, { critical: false });
  await r.step(`${kind}: axe-core (no serious or critical violations)`, async () => {
    const vs = await axe(page);
    const bad = vs.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    const minor = vs.filter((v) => !bad.includes(v));
    if (minor.length) console.log(`  note: ${kind} (${page.url()}) has minor axe findings:\n${formatViolations(minor)}`);
    assert(bad.length === 0, `${page.url()}:\n${formatViolations(bad)}`);
  }, { critical: false });
  const p = problems.take().filter((m) => !(ignore && ignore.test(m)));
  r.soft(`${kind}: no console errors, CSP violations or 5xx`, p.length === 0, p.join('\n'));
}

const text = async (sel) => (await page.locator(sel).innerText()).replace(/\s+/g, ' ').trim();
const pathOf = () => new URL(page.url()).pathname;

try {
  await r.step('start ficd serve on an empty data directory', async () => {
    server = await startServer();
    r.log(`server at ${server.base}, data ${server.dataDir}`);
  });
  await r.step('launch Chromium (/usr/bin/chromium, fresh profile)', async () => {
    browser = await launch({ viewport: { width: 1280, height: 900 } });
    await routeAxe(browser.context, server.base);
    page = browser.context.pages()[0] || await browser.context.newPage();
    problems = watchPage(page, server.base);
  });

  await r.step('axe-core is loaded and catches a planted violation (self-check)', async () => {
    await page.goto(server.base + '/healthz');
    await page.evaluate(() => {
      document.body.insertAdjacentHTML('beforeend', '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text">');
    });
    const ids = (await axe(page)).filter((v) => v.impact === 'critical').map((v) => v.id);
    assert(ids.includes('image-alt') && ids.includes('label'), `axe found ${JSON.stringify(ids)}`);
  });

  // ---- first run ----
  await r.step('/ redirects to /setup on an empty archive', async () => {
    await page.goto(server.base + '/');
    assert(pathOf() === '/setup', `landed on ${page.url()}`);
    assert((await text('h1')).length > 0, 'setup page has no heading');
  });
  await pageKind('setup');
  await r.step('set up: admin account, archive name, open sign-up', async () => {
    const f = page.locator('#setup-form');
    await f.locator('#archive_name').fill(ARCHIVE);
    await f.locator('#name').fill(ADMIN.name);
    await f.locator('#password').fill(ADMIN.password);
    await f.locator('#password_confirm').fill(ADMIN.password);
    await f.locator('#signup_mode_open').check();
    await Promise.all([page.waitForURL((u) => u.pathname !== '/setup'), f.locator('button[type=submit]').click()]);
    assert(await page.locator('#logout').count() === 1, 'not signed in after setup (no #logout)');
    assert((await page.title()).includes(ARCHIVE), `title "${await page.title()}" lacks the archive name`);
  });
  await r.step('/setup is closed once the archive has an admin', async () => {
    await page.goto(server.base + '/setup');
    assert(pathOf() !== '/setup', 'setup page still reachable');
  });
  await r.step('home page', async () => {
    await page.goto(server.base + '/');
    assert((await page.locator('.brand').innerText()).includes(ARCHIVE), 'brand lacks the archive name');
  });
  await pageKind('home-empty');

  // ---- posting ----
  await r.step('"Post New" in the navigation opens /works/new', async () => {
    await Promise.all([page.waitForURL('**/works/new'), page.locator('#nav a[href="/works/new"]').click()]);
    assert(await page.locator('#work-form').count() === 1, 'no #work-form');
  });
  await r.step('fill in every field of the work form', async () => {
    const f = page.locator('#work-form');
    await f.locator('#rating').selectOption(WORK.rating);
    for (const w of WORK.warnings) await f.locator(`#warning_${w}`).check();
    for (const c of WORK.categories) await f.locator(`#category_${c}`).check();
    await f.locator('#fandoms').fill(WORK.fandoms);
    await f.locator('#relationships').fill(WORK.relationships);
    await f.locator('#characters').fill(WORK.characters);
    await f.locator('#freeforms').fill(WORK.freeforms);
    await f.locator('#title').fill(WORK.title);
    await f.locator('#pseud').selectOption(ADMIN.name);
    await f.locator('#summary').fill(WORK.summary);
    await f.locator('#notes_begin').fill(WORK.notesBegin);
    await f.locator('#notes_end').fill(WORK.notesEnd);
    await f.locator('#expected_chapters').fill('2');
    await f.locator('#chapter_title').fill(WORK.chapterTitle);
    await f.locator('#format_markdown').check();
    await f.locator('#chapter_text').fill(WORK.chapter1);
  });
  await pageKind('work-form');
  await r.step('Preview shows the Markdown rendered and keeps every value', async () => {
    await Promise.all([page.waitForLoadState('load'), page.locator('#preview-button').click()]);
    await page.waitForSelector('#work-form');
    const html = await page.content();
    assert(/<em>Tidewater<\/em>/.test(html), 'preview lacks <em>Tidewater</em>');
    assert(/<strong>Mira Sol<\/strong>/.test(html), 'preview lacks <strong>Mira Sol</strong>');
    assert(await page.locator('#title').inputValue() === WORK.title, 'title lost in preview');
    assert(await page.locator('#freeforms').inputValue() === WORK.freeforms, 'additional tags lost in preview');
    assert(await page.locator('#chapter_text').inputValue() === WORK.chapter1, 'chapter text changed in preview');
    assert(await page.locator('#format_markdown').isChecked(), 'Markdown choice lost in preview');
    assert(await page.locator('#rating').inputValue() === WORK.rating, 'rating lost in preview');
    assert(await page.locator('#warning_2').isChecked(), 'warning lost in preview');
    assert(await page.locator('#category_4').isChecked(), 'category lost in preview');
  });
  await pageKind('work-preview');
  let workId;
  await r.step('Save Draft: the draft is shown to its owner with a Post Draft button', async () => {
    await Promise.all([page.waitForURL(/\/works\/\d+$/), page.locator('#draft-button').click()]);
    workId = /\/works\/(\d+)$/.exec(pathOf())[1];
    assert(await text('#work-title') === WORK.title, `title is "${await text('#work-title')}"`);
    assert(await page.locator('#publish').count() === 1, 'no #publish on the draft');
  });
  await pageKind('work-draft');
  await r.step('"Add Chapter" and post chapter 2 in Markdown', async () => {
    await Promise.all([page.waitForURL(`**/works/${workId}/chapters/new`), page.locator('#add-chapter').click()]);
    const f = page.locator('#chapter-form');
    await f.locator('#chapter_title').fill(WORK.chapter2Title);
    await f.locator('#chapter_summary').fill(WORK.chapter2Summary);
    await f.locator('#format_markdown').check();
    await f.locator('#chapter_text').fill(WORK.chapter2);
  });
  await pageKind('chapter-form');
  await r.step('chapter 2 is saved', async () => {
    await Promise.all([page.waitForURL((u) => !u.pathname.endsWith('/chapters/new')), page.locator('#post-button').click()]);
    assert(/^\/works\/\d+(\/chapters\/\d+)?$/.test(pathOf()), `after posting the chapter: ${page.url()}`);
    assert(await page.content().then((h) => h.includes('jar of fireflies')), 'chapter 2 text not shown after posting it');
  });
  await r.step('Post Draft publishes the work', async () => {
    await page.goto(`${server.base}/works/${workId}`);
    await Promise.all([page.waitForLoadState('load'), page.locator('#publish').click()]);
    await page.waitForLoadState('load');
    await page.goto(`${server.base}/works/${workId}`);
    assert(await page.locator('#publish').count() === 0, 'still a draft after Post Draft');
    const meta = await text('#work-meta');
    assert(/Chapters:\s*2\/2/.test(meta), `chapters stat: ${meta}`);
  });
  await r.step('the dashboard lists the work', async () => {
    await page.goto(server.base + '/dashboard');
    assert(await page.locator(`a[href="/works/${workId}"]`).count() > 0, 'work not on the dashboard');
  });
  await pageKind('dashboard');
  await r.step('Log Out', async () => {
    await Promise.all([page.waitForLoadState('load'), page.locator('#logout').click()]);
    await page.waitForSelector('#nav-login');
    assert(await page.locator('#logout').count() === 0, 'still signed in');
  });

  // ---- a reader ----
  await r.step('log-in page (anonymous)', async () => {
    await page.goto(server.base + '/login');
    assert(await page.locator('#login-form').count() === 1, 'no #login-form');
  });
  await pageKind('login');
  await r.step('"Sign Up" in the navigation: the form (open sign-up, no invitation field)', async () => {
    await Promise.all([page.waitForURL('**/signup'), page.locator('#nav a[href="/signup"]').click()]);
    assert(await page.locator('#signup-form').count() === 1, 'no #signup-form');
    assert(await page.locator('#invite_code').count() === 0, 'open sign-up asks for an invitation');
  });
  await pageKind('signup');
  await r.step('a reader signs up', async () => {
    const f = page.locator('#signup-form');
    await f.locator('#name').fill(READER.name);
    await f.locator('#password').fill(READER.password);
    await f.locator('#password_confirm').fill(READER.password);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/signup'), f.locator('button[type=submit]').click()]);
    assert(await page.locator('#logout').count() === 1, 'not signed in after sign-up');
    assert((await text('#nav')).includes(READER.name), 'reader name not in the navigation');
  });
  await r.step('home lists the new work', async () => {
    await page.goto(server.base + '/');
    assert(await page.locator(`a[href="/works/${workId}"]`).count() > 0, 'work not on the home page');
  });
  await pageKind('home');
  await r.step('"Works" in the navigation lists the work with its tags and summary', async () => {
    await Promise.all([page.waitForURL('**/works'), page.locator('#nav a[href="/works"]').click()]);
    const blurb = page.locator(`#work_${workId}`);
    assert(await blurb.count() === 1, `no #work_${workId} on /works`);
    const b = (await blurb.innerText()).replace(/\s+/g, ' ');
    for (const s of [WORK.title, 'Tidewater Chronicles', 'Mira Sol/Tov Brenn', 'Slow Burn', WORK.summary]) {
      assert(b.includes(s), `blurb lacks "${s}": ${b}`);
    }
  });
  await pageKind('works-index');
  await r.step('the fandom tag link leads to the tag page listing the work', async () => {
    await Promise.all([page.waitForURL('**/tags/**'),
      page.locator(`#work_${workId} a.tag`, { hasText: 'Tidewater Chronicles' }).first().click()]);
    assert(/^\/tags\/.+\/works$/.test(pathOf()), `tag page address ${page.url()}`);
    const h1 = await text('main h1');
    assert(/^1 Work in Tidewater Chronicles$/.test(h1), `tag page heading "${h1}"`);
    assert(await page.locator(`#work_${workId}`).count() === 1, 'work not on its fandom page');
  });
  await pageKind('tag');
  await r.step('open the work from the tag page: chapter 1 with the preface', async () => {
    await Promise.all([page.waitForURL(`**/works/${workId}`), page.locator(`#work_${workId} a[href="/works/${workId}"]`).first().click()]);
    assert(await text('#work-title') === WORK.title, 'title');
    const meta = await text('#work-meta');
    for (const s of [WORK.ratingName, ...WORK.warningNames, ...WORK.categoryNames, 'Tidewater Chronicles',
      'Lantern Keepers (Web Serial)', 'Mira Sol/Tov Brenn', 'The Harbourmaster', 'Found Family', 'Lighthouses']) {
      assert(meta.includes(s), `#work-meta lacks "${s}": ${meta}`);
    }
    const body = await text('main');
    for (const s of [WORK.summary, WORK.notesBegin, WORK.chapterTitle]) {
      assert(body.includes(s), `work page lacks "${s}"`);
    }
    // as on AO3, the work's end notes follow its last chapter
    assert(!body.includes(WORK.notesEnd), 'the work\'s end notes are on chapter 1 of 2');
    const html = await page.locator('#chapters').innerHTML();
    assert(/<em>Tidewater<\/em>/.test(html) && /<strong>Mira Sol<\/strong>/.test(html), 'Markdown emphasis not rendered');
    assert(/<blockquote>/.test(html) && /<li>a coil of rope<\/li>/.test(html), 'Markdown quote or list not rendered');
    assert(!html.includes('jar of fireflies'), 'chapter 2 shown on the first chapter page');
    assert(await page.locator('#prev-chapter').count() === 0, 'chapter 1 has a previous chapter link');
  });
  await pageKind('work-chapter-1');
  await r.step('"Next Chapter" opens chapter 2', async () => {
    await Promise.all([page.waitForURL(/\/works\/\d+\/chapters\/\d+$/), page.locator('#next-chapter').first().click()]);
    const html = await page.locator('#chapters').innerHTML();
    assert(html.includes('jar of fireflies') && /<strong>Forty-one\. Now you have to come back\.<\/strong>/.test(html),
      'chapter 2 text missing or not rendered');
    assert(!html.includes('coil of rope'), 'chapter 1 text on the chapter 2 page');
    const body = await text('main');
    assert(body.includes(WORK.chapter2Title), 'chapter 2 title missing');
    assert(body.includes(WORK.chapter2Summary), 'chapter 2 summary missing');
    assert(body.includes(WORK.notesEnd), 'the work\'s end notes are not after the last chapter');
    assert(await page.locator('#prev-chapter').count() > 0, 'no #prev-chapter on chapter 2');
    assert(await page.locator('#next-chapter').count() === 0, 'the last chapter has a next chapter link');
  });
  await pageKind('work-chapter-2');
  await r.step('the relationship tag (with "/") leads to its tag page', async () => {
    const link = page.locator('#work-meta a.tag', { hasText: 'Mira Sol/Tov Brenn' }).first();
    const href = await link.getAttribute('href');
    await Promise.all([page.waitForURL('**/tags/**'), link.click()]);
    assert(await page.locator(`#work_${workId}`).count() === 1, `work not on its relationship page (${href})`);
    await page.goBack();
  });
  await r.step('"Entire Work" shows both chapters on one page', async () => {
    await Promise.all([page.waitForURL(/view_full_work=true/), page.locator('#entire-work').first().click()]);
    const html = await page.locator('#chapters').innerHTML();
    assert(html.includes('coil of rope') && html.includes('jar of fireflies'), 'a chapter is missing');
    assert(html.indexOf('coil of rope') < html.indexOf('jar of fireflies'), 'chapters out of order');
    const body = await text('main');
    assert(body.includes(WORK.notesBegin) && body.includes(WORK.notesEnd), 'work notes missing on the entire work');
    assert(await page.locator('#chapter-1').count() === 1 && await page.locator('#chapter-2').count() === 1, 'no #chapter-1/#chapter-2');
  });
  await pageKind('work-entire');
  await r.step('download the EPUB: an attachment named after the title, a zip with EPUB\'s mimetype first', async () => {
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#download-epub').click()]);
    const name = dl.suggestedFilename();
    assert(/^[A-Za-z0-9_]+\.epub$/.test(name), `download name "${name}"`);
    assert(/Lantern/.test(name), `download name "${name}" does not come from the title`);
    const file = path.join(art, name);
    await dl.saveAs(file);
    const b = fs.readFileSync(file);
    assert(b.length > 500, `EPUB is ${b.length} bytes`);
    assert(b.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04])), 'EPUB does not start with a zip local header');
    // OCF: the first entry is "mimetype", stored uncompressed, holding application/epub+zip
    const nameLen = b.readUInt16LE(26);
    const extraLen = b.readUInt16LE(28);
    assert(b.toString('latin1', 30, 30 + nameLen) === 'mimetype', 'first zip entry is not "mimetype"');
    assert(b.readUInt16LE(8) === 0, 'mimetype entry is compressed');
    assert(b.toString('latin1', 30 + nameLen + extraLen, 30 + nameLen + extraLen + 20) === 'application/epub+zip', 'wrong mimetype');
    assert(b.includes(Buffer.from('PK\x05\x06', 'latin1')), 'no zip end-of-central-directory record');
    const names = [];
    for (let i = b.indexOf('PK\x01\x02'); i >= 0; i = b.indexOf('PK\x01\x02', i + 4)) {
      names.push(b.toString('utf8', i + 46, i + 46 + b.readUInt16LE(i + 28)));
    }
    assert(names.includes('META-INF/container.xml'), `no container.xml in ${names}`);
    assert(names.some((n) => n.endsWith('.opf')), `no package document in ${names}`);
  });
  await r.step('the author\'s user page lists the work', async () => {
    await page.goto(`${server.base}/users/${ADMIN.name}`);
    assert(await page.locator(`a[href="/works/${workId}"]`).count() > 0, 'work not on the user page');
  });
  await pageKind('user');
  await r.step('a missing page is a 404 page in the site layout', async () => {
    const resp = await page.goto(`${server.base}/works/999999`);
    assert(resp.status() === 404, `status ${resp.status()}`);
    assert(await page.locator('#nav').count() === 1, 'error page has no navigation');
  });
  // Chromium logs the 404 response itself as a console error: that one is expected
  await pageKind('error-404', { ignore: /status of 404/ });
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
