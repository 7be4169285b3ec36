// imports.test.mjs: a writer brings a work downloaded from AO3 into ficd, in real Chromium.
// They set up the archive, open Import, upload the AO3 EPUB (named .bin: recognised by its
// content), find every field in the review form (title, rating, warnings, category, fandom,
// character, additional tags, summary, chapter count), post it, and find the published date
// from AO3 on the work page. The download menu offers AZW3, MOBI and PDF (calibre is
// installed for the tests); the PDF link shows "Preparing your download", reloads by
// itself and delivers the PDF. A hostile archive gives the form back with the reason.
// Pages are screenshotted into tests/browser/artifacts/imports/ and checked with axe-core.
// Usage: node imports.test.mjs path/to/ficd
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, sourceDir } from './lib/server.mjs';
import {
  Runner, launch, artifactsDir, routeAxe, axe, formatViolations, watchPage, watchdog, assert,
} from './lib/harness.mjs';

const r = new Runner('imports');
const art = artifactsDir('imports');
let server = null;
let browser = null;
const cleanup = async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
};
const cancelWatchdog = watchdog(170, r, cleanup);
const ADMIN = { name: 'inkoar', password: 'ferry-crossing-19' };

let page;
let problems;
let kinds = 0;
async function pageKind(kind, { ignore = null } = {}) {
  kinds++;
  const file = path.join(art, `${String(kinds).padStart(2, '0')}-${kind}.png`);
  await r.step(`${kind}: screenshot`, async () => {
    await page.screenshot({ path: file, fullPage: true });
  }, { critical: false });
  await r.step(`${kind}: axe-core (no serious or critical violations)`, async () => {
    const bad = (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert(bad.length === 0, `${page.url()}:\n${formatViolations(bad)}`);
  }, { critical: false });
  const p = problems.take().filter((m) => !(ignore && ignore.test(m)));
  r.soft(`${kind}: no console errors, CSP violations or 5xx`, p.length === 0, p.join('\n'));
}

// The AO3 EPUB fixture tree zipped (mimetype first, stored), and an archive with an unsafe
// file name.
function buildEpubs(dir) {
  const py = `
import os, sys, zipfile
src, out, bad = sys.argv[1], sys.argv[2], sys.argv[3]
with zipfile.ZipFile(out, 'w') as z:
    z.writestr(zipfile.ZipInfo('mimetype'), 'application/epub+zip')
    for d, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(d, f); rel = os.path.relpath(p, src)
            if rel != 'mimetype':
                z.write(p, rel, compress_type=zipfile.ZIP_DEFLATED)
with zipfile.ZipFile(bad, 'w') as z:
    z.writestr(zipfile.ZipInfo('mimetype'), 'application/epub+zip')
    z.writestr('../../outside.xhtml', '<p>x</p>')
`;
  const good = path.join(dir, 'ferry-download.bin');
  const bad = path.join(dir, 'evil.epub');
  execFileSync('python3', ['-c', py, path.join(sourceDir(), 'tests/fixtures/epub/ao3-epub'), good, bad]);
  return { good, bad };
}

try {
  await r.step('start ficd serve on an empty data directory', async () => {
    server = await startServer({ env: { FICD_CONVERSIONS: '1' } });
  });
  await r.step('launch Chromium', async () => {
    browser = await launch({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await routeAxe(browser.context, server.base);
    page = browser.context.pages()[0] || await browser.context.newPage();
    problems = watchPage(page, server.base);
  });
  await r.step('set up the archive', async () => {
    await page.goto(server.base + '/setup');
    const f = page.locator('#setup-form');
    await f.locator('#archive_name').fill('Ferry Landing');
    await f.locator('#name').fill(ADMIN.name);
    await f.locator('#password').fill(ADMIN.password);
    await f.locator('#password_confirm').fill(ADMIN.password);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/setup'), f.locator('button[type=submit]').click()]);
  });
  const files = buildEpubs(server.tmp);
  await r.step('the import page accepts EPUBs', async () => {
    await page.goto(server.base + '/works/import');
    const accept = await page.locator('#manuscript').getAttribute('accept');
    assert(accept.includes('.epub'), `accept="${accept}"`);
    assert((await page.locator('main').innerText()).includes('AO3'), 'the page does not mention AO3 downloads');
  });
  await pageKind('import-form');
  await r.step('a hostile archive is refused with the reason', async () => {
    await page.locator('#manuscript').setInputFiles(files.bad);
    await Promise.all([page.waitForLoadState('load'), page.locator('#import-button').click()]);
    await page.waitForSelector('#errors');
    const msg = await page.locator('#errors').innerText();
    assert(/evil\.epub: unsafe file name/.test(msg), `error: ${msg}`);
  });
  await pageKind('import-refused', { ignore: /status of 422/ });
  await r.step('upload the AO3 EPUB (named .bin): every field is in the review form', async () => {
    await page.locator('#manuscript').setInputFiles(files.good);
    await Promise.all([page.waitForLoadState('load'), page.locator('#import-button').click()]);
    await page.waitForSelector('#work-form');
    assert(await page.locator('#title').inputValue() === 'Ferry Crossings', 'title');
    assert(await page.locator('#fandoms').inputValue() === 'Riverlands (Imaginary Town)', `fandoms: ${await page.locator('#fandoms').inputValue()}`);
    assert(await page.locator('#characters').inputValue() === 'Mara Quint', 'characters');
    assert(await page.locator('#freeforms').inputValue() === 'Fluff', 'additional tags');
    assert(await page.locator('#rating').inputValue() === '1', `rating ${await page.locator('#rating').inputValue()}`);
    assert(await page.locator('#warning_8').isChecked(), 'No Archive Warnings Apply not checked');
    assert(await page.locator('#summary').inputValue() === 'Mara runs the last ferry of the night.', 'summary');
    assert((await page.locator('main').innerText()).includes('2 chapters'), 'not 2 chapters');
  });
  await pageKind('import-review');
  let workId;
  await r.step('post it: the published date from AO3 is kept', async () => {
    await Promise.all([page.waitForURL(/\/works\/\d+$/), page.locator('#post-button').click()]);
    workId = /\/works\/(\d+)$/.exec(new URL(page.url()).pathname)[1];
    const meta = await page.locator('main').innerText();
    assert(meta.includes('2021-07-01'), 'published date 2021-07-01 not on the work page');
    assert(meta.includes('Low Water'), 'chapter title missing');
  });
  await pageKind('imported-work');
  await r.step('the download menu offers AZW3, MOBI and PDF', async () => {
    for (const f of ['epub', 'azw3', 'mobi', 'pdf', 'html', 'md', 'txt']) {
      assert(await page.locator(`#download-${f}`).count() === 1, `no #download-${f}`);
    }
  });
  await r.step('PDF: "Preparing your download", then the file by itself', async () => {
    const dlp = page.waitForEvent('download', { timeout: 90_000 });
    await page.locator('#download-pdf').click();
    await page.waitForSelector('text=Preparing your download', { timeout: 10_000 });
    await pageKind('preparing-download');
    const dl = await dlp;
    const name = dl.suggestedFilename();
    assert(/^Ferry_Crossings\.pdf$/.test(name), `download name "${name}"`);
    const file = path.join(art, name);
    await dl.saveAs(file);
    const b = fs.readFileSync(file);
    assert(b.subarray(0, 5).toString('latin1') === '%PDF-', 'not a PDF');
  });
  await r.step('server log: no 5xx, no sanitizer report', async () => {
    const log = server.log();
    assert(!/ 5\d\d \d+ /.test(log), 'a 5xx in the server log');
    assert(!/AddressSanitizer|runtime error:/.test(log), 'sanitizer report in the server log');
  }, { critical: false });
} finally {
  await cleanup();
  cancelWatchdog();
}
process.exit(r.summary());
