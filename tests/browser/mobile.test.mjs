// mobile.test.mjs: ficd on a phone-sized screen (390x844, isMobile, hasTouch) in real
// Chromium. Over the main page kinds (home, works index, work, chapter, entire work, tag,
// user, log in, sign up, posting form, dashboard, error page), for an archive filled by
// `ficd demo` plus one work with very long unbroken words in its title, tags and text:
// no horizontal scrolling (scrollWidth <= innerWidth + 1), the site navigation is on screen
// with every item inside the viewport and at least 24 px tall (WCAG 2.5.8 target size),
// and tapping it navigates. Screenshots go to tests/browser/artifacts/mobile/.
// Usage: node mobile.test.mjs path/to/ficd
import path from 'node:path';
import { startServer } from './lib/server.mjs';
import {
  Runner, launch, artifactsDir, watchPage, watchdog, assert, routeAxe, axe, formatViolations,
  layoutProblems, saveScreenshot,
} from './lib/harness.mjs';

const r = new Runner('mobile');
const art = artifactsDir('mobile');
let server = null;
let browser = null;
const cleanup = async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
};
const cancelWatchdog = watchdog(170, r, cleanup);

const W = 390;
const H = 844;
const LONG_WORD = 'Supercalifragilisticexpialidocious'.repeat(2); // tags are at most 100 characters
const LONG_URL = 'https://example.org/' + 'a-very-long-path-segment-'.repeat(8) + 'end';
const STRESS = {
  title: `The ${LONG_WORD} Affair`,
  fandom: `Chronicles of the ${LONG_WORD}verse`,
  freeform: `Tag${'WithoutAnySpaces'.repeat(5)}`,
  text: `${LONG_WORD} ${LONG_URL}\n\nA sentence of ordinary words, and then ${LONG_WORD}${LONG_WORD}.`,
};

let page;
let problems;
let shots = 0;
const pathOf = () => new URL(page.url()).pathname;

/** The checks every page kind gets on the phone. */
async function phoneChecks(kind) {
  shots++;
  await saveScreenshot(page, path.join(art, `${String(shots).padStart(2, '0')}-${kind}.png`));
  await r.step(`${kind}: site layout (skip link, header nav, one h1 in main, footer)`, async () => {
    const missing = await layoutProblems(page);
    assert(missing.length === 0, `${page.url()}: ${missing.join('; ')}`);
  }, { critical: false });
  await r.step(`${kind}: no horizontal scroll`, async () => {
    // With isMobile, Chromium widens the layout viewport to fit content that is too wide
    // (the page is shown zoomed out): innerWidth above 390 is overflow too.
    const m = await page.evaluate((w) => {
      const se = document.scrollingElement;
      const wide = [];
      for (const el of document.querySelectorAll('body *')) {
        const b = el.getBoundingClientRect();
        // the innermost too-wide elements are the culprits; their ancestors follow them
        if (b.width > 0 && b.right > w + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > w + 1)) {
          const id = el.id ? `#${el.id}` : '';
          const cls = typeof el.className === 'string' && el.className ? `.${el.className.split(/\s+/).join('.')}` : '';
          wide.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(b.right)}`);
        }
      }
      return { sw: se.scrollWidth, iw: window.innerWidth, wide: wide.slice(0, 8) };
    }, W);
    assert(m.iw === W && m.sw <= m.iw + 1,
      `scrollWidth ${m.sw}, innerWidth ${m.iw} (viewport ${W}); too wide: ${m.wide.join(', ')}`);
  }, { critical: false });
  await r.step(`${kind}: navigation on screen, inside the viewport, items apart, WCAG 2.5.8 target size`, async () => {
    const nav = page.locator('#nav');
    assert(await nav.isVisible(), '#nav is not visible');
    const items = await nav.locator('a, button').evaluateAll((els) => els.map((e) => {
      const b = e.getBoundingClientRect();
      const cs = getComputedStyle(e);
      return { text: e.textContent.trim(), left: b.left, right: b.right, top: b.top, bottom: b.bottom, height: b.height,
        width: b.width, visible: cs.visibility !== 'hidden' && cs.display !== 'none' && b.width > 0 && b.height > 0 };
    }));
    assert(items.length >= 2, `only ${items.length} navigation items`);
    const bad = items.filter((i) => !i.visible || i.left < 0 || i.right > W + 1);
    assert(bad.length === 0, `navigation items hidden or off screen: ${JSON.stringify(bad)}`);
    // no two items overlap (a tap must hit what it looks like it hits)
    for (let a = 0; a < items.length; a++) {
      for (let b = a + 1; b < items.length; b++) {
        const x = items[a];
        const y = items[b];
        const overlap = x.left < y.right - 1 && y.left < x.right - 1 && x.top < y.bottom - 1 && y.top < x.bottom - 1;
        assert(!overlap, `"${x.text}" overlaps "${y.text}"`);
      }
    }
    // WCAG 2.2 2.5.8 (AA): each target 24x24 px, or spaced so a 24 px circle on it touches no other (axe's rule)
    const vs = (await axe(page, { include: '#nav', runOnly: ['target-size'] }));
    assert(vs.length === 0, formatViolations(vs));
    const small = items.filter((i) => i.height < 24).map((i) => `${i.text} ${Math.round(i.width)}x${Math.round(i.height)}`);
    if (small.length) console.log(`  note: ${kind}: navigation targets under 24 px tall (allowed by 2.5.8's spacing rule): ${small.join(', ')}`);
  }, { critical: false });
  await r.step(`${kind}: axe-core (no serious or critical violations) on the phone`, async () => {
    const vs = (await axe(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert(vs.length === 0, `${page.url()}:\n${formatViolations(vs)}`);
  }, { critical: false });
  // Chromium asks for /favicon.ico on its own; ficd has none (a 404 that no page links to)
  const p = problems.take().filter((m) => !(kind === 'error-404' && /status of 404/.test(m)) && !/\/favicon\.ico\)$/.test(m));
  r.soft(`${kind}: no console errors, CSP violations or 5xx`, p.length === 0, p.join('\n'));
}

async function go(p) {
  const resp = await page.goto(server.base + p);
  return resp;
}

try {
  await r.step('start ficd serve on an archive filled by `ficd demo --works 30`', async () => {
    server = await startServer({ demo: 30 });
    r.log(`server at ${server.base}`);
  });
  await r.step('launch Chromium as a phone (390x844, isMobile, hasTouch)', async () => {
    browser = await launch({ viewport: { width: W, height: H }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    await routeAxe(browser.context, server.base);
    page = browser.context.pages()[0] || await browser.context.newPage();
    problems = watchPage(page, server.base);
  });
  await r.step('log in as the demo admin on the phone', async () => {
    await go('/login');
    const f = page.locator('#login-form');
    await f.locator('input[name=name]').fill('demo');
    await f.locator('input[name=password]').fill(server.demoPassword);
    await Promise.all([page.waitForURL((u) => u.pathname !== '/login'), f.locator('button[type=submit]').tap()]);
    assert(await page.locator('#logout').count() === 1, 'not signed in');
  });
  await r.step('the posting form (signed in)', async () => { await go('/works/new'); });
  await phoneChecks('work-form');
  let stressId;
  await r.step('post a work with very long unbroken words in title, tags and text', async () => {
    const f = page.locator('#work-form');
    await f.locator('#rating').selectOption('1');
    await f.locator('#warning_8').check();
    await f.locator('#fandoms').fill(STRESS.fandom);
    await f.locator('#freeforms').fill(STRESS.freeform);
    await f.locator('#title').fill(STRESS.title);
    await f.locator('#summary').fill(`${LONG_WORD} in the summary.`);
    await f.locator('#chapter_text').fill(STRESS.text);
    await f.locator('#format_markdown').check();
    await Promise.all([page.waitForLoadState('load'), f.locator('#post-button').tap()]);
    await page.waitForURL(/\/works\/\d+$/, { timeout: 5000 }).catch(async () => {
      const errs = await page.locator('#errors').count() ? await page.locator('#errors').innerText() : '(no #errors)';
      throw new Error(`posting did not lead to the work page (${page.url()}): ${errs}`);
    });
    stressId = /\/works\/(\d+)$/.exec(pathOf())[1];
  });
  await phoneChecks('work-long-words');
  await r.step('the dashboard', async () => { await go('/dashboard'); });
  await phoneChecks('dashboard');
  await r.step('home page', async () => { await go('/'); });
  await phoneChecks('home-signed-in');
  await r.step('log out by tapping "Log Out"', async () => {
    await Promise.all([page.waitForLoadState('load'), page.locator('#logout').tap()]);
    await page.waitForSelector('#nav-login');
  });

  // ---- anonymous reader ----
  await r.step('home page (anonymous)', async () => { await go('/'); });
  await phoneChecks('home');
  await r.step('tap "Works" in the navigation', async () => {
    await Promise.all([page.waitForURL('**/works'), page.locator('#nav a[href="/works"]').tap()]);
    assert(await page.locator('[id^="work_"]').count() >= 10, 'fewer than 10 works listed');
  });
  await phoneChecks('works-index');
  await r.step('works index, page 2', async () => { await go('/works?page=2'); });
  await phoneChecks('works-index-page-2');
  let multi = null;
  await r.step('find a multi-chapter work and open it by tapping its title', async () => {
    await go('/works');
    for (let p = 1; p <= 2 && !multi; p++) {
      if (p > 1) await go(`/works?page=${p}`);
      const ids = await page.locator('li[id^="work_"], [id^="work_"]').evaluateAll((els) =>
        els.filter((e) => /Chapters:\s*(\d+)\/\S+/.exec(e.textContent) && Number(/Chapters:\s*(\d+)/.exec(e.textContent)[1]) > 1)
          .map((e) => e.id.replace('work_', '')));
      if (ids.length) multi = ids[0];
    }
    assert(multi, 'no multi-chapter work among the demo works');
    await Promise.all([page.waitForURL(`**/works/${multi}`), page.locator(`#work_${multi} a[href="/works/${multi}"]`).first().tap()]);
  });
  await phoneChecks('work');
  await r.step('tap "Next Chapter"', async () => {
    await Promise.all([page.waitForURL(/\/chapters\/\d+$/), page.locator('#next-chapter').first().tap()]);
  });
  await phoneChecks('chapter');
  await r.step('tap "Entire Work"', async () => {
    await Promise.all([page.waitForURL(/view_full_work=true/), page.locator('#entire-work').first().tap()]);
    assert(await page.locator('#chapter-2').count() === 1, 'no #chapter-2 on the entire work');
  });
  await phoneChecks('work-entire');
  await r.step('tap a fandom tag', async () => {
    await Promise.all([page.waitForURL('**/tags/**'), page.locator('#work-meta a.tag.fandom').first().tap()]);
  });
  await phoneChecks('tag');
  await r.step('the long-words work, read anonymously', async () => { await go(`/works/${stressId}`); });
  await phoneChecks('work-long-words-anonymous');
  await r.step('the long-words work on /works (its blurb)', async () => {
    await go('/works');
    assert(await page.locator(`#work_${stressId}`).count() === 1, 'long-words work not on the first page');
  });
  await phoneChecks('works-index-long-words');
  await r.step('the long fandom tag page', async () => {
    await go(`/works/${stressId}`);
    await Promise.all([page.waitForURL('**/tags/**'), page.locator('#work-meta a.tag.fandom').first().tap()]);
  });
  await phoneChecks('tag-long-name');
  await r.step('the demo user\'s page', async () => { await go('/users/demo'); });
  await phoneChecks('user');
  await r.step('log-in page', async () => { await go('/login'); });
  await phoneChecks('login');
  await r.step('sign-up page', async () => { await go('/signup'); });
  await phoneChecks('signup');
  await r.step('a missing page', async () => {
    const resp = await go('/works/987654');
    assert(resp.status() === 404, `status ${resp.status()}`);
  });
  await phoneChecks('error-404');
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
