#!/usr/bin/env node
// tests/browser/check.mjs — HTML validation (Nu Html Checker), accessibility (axe-core in
// Chromium, light and dark colour scheme) and phone-width (390 px) checks for every page type
// of a running Depesche server. Normally started by run.sh, which builds the test site.
//
//   node check.mjs --base http://127.0.0.1:PORT --article /slug/ [--article-en /slug/]
//                  [--job /jobs/slug/] [--search WORD] [--shots DIR] [--lang de]
//                  [--only NAME,NAME] [--server-log FILE] [--summary FILE]
//
// Page types: home, page 2, the article (with its related articles and the site's boxes, the
// jobs box among them), an English article, the archives, 404; with --search the search results
// for WORD (and their page 2), a long compound highlighted in a title, no results and the empty
// search page; with --job /jobs/ and that job's page.
//
// Output: one line per test, "ok - NAME" or "not ok - NAME" followed by "#"-prefixed reasons;
// the last line is always "browser: N passed, N failed" (with --summary FILE: "N M" goes to FILE
// instead, for run.sh to add up). Exit status 1 if anything failed. Helpers are in lib.mjs.
// Nothing but the server under test is contacted: every browser request to another origin is
// aborted (and listed), links are never followed.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  require, WIDTH, HEIGHT, EPS, NAV_TIMEOUT_MS, AXE_TIMEOUT_MS,
  parseArgs as parseOpts, makeReporter, withTimeout, fetchPage, runVnu, formatVnu, formatAxe,
  measureWidth, launchChromium, confineToOrigin,
} from './lib.mjs';

const TOTAL_TIMEOUT_MS = Number(process.env.BROWSER_TOTAL_TIMEOUT_MS || 100_000);

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const o = { lang: 'de', ...parseOpts(argv, ['base', 'article']) };
  return o;
}

// ---------------------------------------------------------------- reporting
function summaryFile() {
  try { return parseOpts(process.argv.slice(2)).summary || null; } catch { return null; }
}
const rep = makeReporter({ summaryFile: summaryFile(), label: 'check.mjs' });
const report = rep.report;
const note = rep.note;
function finish() { rep.finish(); }

// ---------------------------------------------------------------- helpers
function discoverArchive(html, kind) {
  const re = new RegExp(`href="(/${kind}/[^"/?#]+/)"`, 'g');
  const m = re.exec(html);
  return m ? m[1].replace(/&amp;/g, '&') : null;
}

// ---------------------------------------------------------------- main
async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const shots = opt.shots || fs.mkdtempSync(path.join(os.tmpdir(), 'depesche-shots-'));
  fs.mkdirSync(shots, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'depesche-vnu-'));
  const baseURL = new URL(opt.base + '/');

  // --- which pages: the page types; archives are discovered from the German article's links.
  const pages = [
    { name: 'home', path: '/', status: 200 },
    { name: 'page-2', path: '/page/2/', status: 200 },
    { name: 'article', path: opt.article, status: 200 },
  ];
  if (opt['article-en']) pages.push({ name: 'article-en', path: opt['article-en'], status: 200 });
  pages.push({ name: 'tag', path: null, kind: 'tag', status: 200 });
  pages.push({ name: 'category', path: null, kind: 'category', status: 200 });
  pages.push({ name: 'author', path: null, kind: 'author', status: 200 });
  pages.push({ name: '404', path: '/gibt-es-nicht-donaudampfschifffahrt/', status: 404 });
  if (opt.search) {
    const q = encodeURIComponent(opt.search);
    pages.push({ name: 'search', path: `/search/${q}/`, status: 200 });
    pages.push({ name: 'search-page-2', path: `/search/${q}/page/2/`, status: 200 });
    pages.push({ name: 'search-compound', path: `/search/${encodeURIComponent('Donaudampfschifffahrtsgesellschaftskapitänsmütze')}/`, status: 200 });
    pages.push({ name: 'search-none', path: `/search/${encodeURIComponent('Donaudampfschifffahrtsgesellschaftskapitänsmützenhalterungsverordnung')}/`, status: 200 });
    pages.push({ name: 'search-start', path: '/search/', status: 200 });
  }
  if (opt.job) {
    pages.push({ name: 'jobs', path: '/jobs/', status: 200 });
    pages.push({ name: 'job', path: opt.job, status: 200 });
  }

  const only = opt.only ? new Set(opt.only.split(',')) : null;

  // --- 1. fetch every page (HTTP status); archives are found via the article's links --------
  const done = [];
  for (const p of pages) {
    if (p.kind) {
      const art = pages.find((q) => q.name === 'article');
      const found = art && art.res ? discoverArchive(art.res.body, p.kind) : null;
      if (!found) {
        report(`http ${p.name} archive`, [`no link to /${p.kind}/…/ found on the article page ${opt.article} (${p.kind === 'tag' ? 'article.tags[].url' : `article.${p.kind}.url`} not rendered?)`]);
        continue;
      }
      p.path = found;
    }
    if (only && !only.has(p.name) && p.name !== 'article') continue;
    p.url = new URL(p.path, baseURL).href;
    const name = `http ${p.name} (${p.path})`;
    try {
      const r = await fetchPage(p.url);
      p.res = r;
      const reasons = [];
      if (r.status !== p.status) reasons.push(`status ${r.status}, expected ${p.status}${r.location ? ` (Location: ${r.location})` : ''}`);
      if (!/^text\/html\b/i.test(r.type)) reasons.push(`Content-Type is ${JSON.stringify(r.type)}, expected text/html`);
      else if (!/charset=utf-8/i.test(r.type)) reasons.push(`Content-Type ${JSON.stringify(r.type)} lacks charset=utf-8`);
      if (!r.body.trim()) reasons.push('empty body');
      report(name, reasons);
      if (!only || only.has(p.name)) done.push(p);
    } catch (e) {
      report(name, [`GET ${p.url} failed: ${e.cause ? `${e.message} (${e.cause.code || e.cause.message})` : e.message}`]);
    }
  }
  contentChecks(opt, done);
  return { opt, shots, work, baseURL, pages: done.filter((p) => p.res.body.trim() && /^text\/html\b/i.test(p.res.type)) };
}

// What the page types of issue 5 must show (on the HTML as served; the browser checks follow).
function contentChecks(opt, done) {
  const body = (name) => { const p = done.find((q) => q.name === name); return p ? p.res.body : null; };
  const hits = (html) => (/<ol class="search-results"[^>]*>([^]*?)<\/ol>/.exec(html || '') || ['', ''])[1]
    .split('<li class="summary search-hit"').slice(1);
  const art = body('article');
  if (art !== null) {
    const rel = /<section class="related"[^>]*>([^]*?)<\/section>/.exec(art);
    report(`content article: related articles (${opt.article})`, rel && /<a href="\/[^"]+\/"/.test(rel[1]) ? [] : ['no <section class="related"> with a link to an article']);
    if (opt.job) {
      const jobLinks = new Set([...art.matchAll(/href="(\/jobs\/[a-z0-9-]+\/)"/g)].map((m) => m[1]).filter((u) => !/^\/jobs\/(feed|page)\/$/.test(u)));
      report(`content article: jobs box with four jobs (${opt.article})`, jobLinks.size === 4 ? [] : [`${jobLinks.size} distinct links to /jobs/<slug>/ on the article page, expected the four newest jobs`]);
    }
  }
  if (opt.search) {
    const r = [];
    const first = hits(body('search'));
    if (first.length !== 10) r.push(`${first.length} results on page 1, expected 10`);
    const word = opt.search.toLowerCase();
    if (!first.every((h) => [...h.matchAll(/<mark>([^<]*)<\/mark>/g)].some((m) => m[1].toLowerCase().includes(word)))) r.push(`not every result has "${opt.search}" in <mark>`);
    if (!/Treffer für/.test(body('search') || '')) r.push('no "N Treffer für" on the results page');
    if (hits(body('search-page-2')).length < 1) r.push('page 2 has no results');
    const c = hits(body('search-compound'));
    if (!c.length || !/<h2><a href="[^"]+"><mark>/.test(c[0])) r.push('the long compound is not marked in the first result\'s title');
    if (hits(body('search-none')).length !== 0 || !/Keine Treffer/.test(body('search-none') || '')) r.push('the no-results page does not say "Keine Treffer"');
    report(`content search pages (${opt.search})`, r);
  }
}

async function checks({ opt, shots, work, baseURL, pages }) {
  // --- 2. Nu Html Checker: all files in one JVM run, in parallel with the browser ---------
  const files = pages.map((p) => {
    const f = path.join(work, `${p.name}.html`);
    fs.writeFileSync(f, p.res.body);
    p.file = f;
    return f;
  });
  const t = Date.now();
  const vnuRun = files.length
    ? runVnu(files).then((byFile) => ({ byFile, secs: (Date.now() - t) / 1000 }), (e) => ({ error: e.message }))
    : Promise.resolve({ byFile: new Map() });
  try {
    await browserChecks({ opt, shots, baseURL, pages });
  } finally {
    const vnu = await vnuRun;
    if (vnu.secs !== undefined) note(`vnu took ${vnu.secs.toFixed(1)} s`);
    for (const p of pages) {
      const name = `vnu ${p.name} (${p.path})`;
      if (vnu.error) { report(name, [vnu.error]); continue; }
      const msgs = vnu.byFile.get(p.file) || [];
      const errors = msgs.filter((m) => m.type === 'error' || m.type === 'non-document-error');
      const warnings = msgs.filter((m) => !errors.includes(m));
      report(name, errors.map(formatVnu));
      if (warnings.length) note(`  ${p.name}: ${warnings.length} vnu warning(s)/info (not failing):\n${warnings.slice(0, 10).map((m) => `  ${formatVnu(m)}`).join('\n')}`);
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

async function browserChecks({ opt, shots, baseURL, pages }) {
  // --- 3. Chromium: axe-core light + dark, width, screenshots -----------------------------
  const axePath = require.resolve('axe-core');
  const browser = await launchChromium();
  note(`chromium ${browser.version()}, viewport ${WIDTH}x${HEIGHT} (mobile), screenshots in ${shots}`);
  try {
    for (const scheme of ['light', 'dark']) {
      const context = await browser.newContext({
        viewport: { width: WIDTH, height: HEIGHT },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 1,
        colorScheme: scheme,
        reducedMotion: 'reduce',
        locale: 'de-DE',
        serviceWorkers: 'block',
        bypassCSP: true, // the server sends script-src 'none' (good); axe-core is injected by us
      });
      context.setDefaultTimeout(NAV_TIMEOUT_MS);
      context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
      const blocked = new Set();
      await confineToOrigin(context, baseURL, blocked);
      const page = await context.newPage();
      const consoleErrors = [];
      page.on('console', (m) => {
        if (m.type() !== 'error') return;
        // the 404 page's own status shows up as "Failed to load resource"; that is expected
        if (/^Failed to load resource/.test(m.text()) && m.location().url === page.url()) return;
        consoleErrors.push(`${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`);
      });
      page.on('pageerror', (e) => consoleErrors.push(`uncaught: ${e.message}`));

      for (const p of pages) {
        consoleErrors.length = 0;
        blocked.clear();
        let loaded = false;
        const axeName = `axe ${scheme} ${p.name} (${p.path})`;
        try {
          await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
          await page.goto(p.url, { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
          await withTimeout(page.evaluate(() => document.fonts.ready.then(() => true)), 5_000, 'fonts');
          loaded = true;
        } catch (e) {
          report(axeName, [`loading ${p.url} failed: ${e.message.split('\n')[0]}`]);
        }
        if (!loaded) { if (scheme === 'light') { for (const t of ['lang', 'hyphens', 'width']) report(`${t} ${p.name} (${p.path})`, ['page did not load']); } continue; }

        // axe-core
        try {
          await page.addScriptTag({ path: axePath });
          const result = await withTimeout(page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] })), AXE_TIMEOUT_MS, 'axe.run');
          report(axeName, result.violations.map(formatAxe));
        } catch (e) {
          report(axeName, [`axe-core could not run: ${e.message.split('\n')[0]}`]);
        }

        const shot = path.join(shots, `${p.name}-${scheme}.png`);
        try {
          await page.screenshot({ path: shot, fullPage: true, timeout: NAV_TIMEOUT_MS });
        } catch (e) {
          note(`screenshot ${shot} failed: ${e.message.split('\n')[0]}`);
        }

        if (scheme === 'light') {
          // lang: the site is German, so is <html lang>
          try {
            const lang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
            const want = opt.lang;
            report(`lang ${p.name} (${p.path})`, lang && lang.toLowerCase().split('-')[0] === want ? [] : [`<html lang=${JSON.stringify(lang)}>, expected "${want}" (site language; needed for hyphens:auto)`]);
          } catch (e) {
            report(`lang ${p.name} (${p.path})`, [e.message.split('\n')[0]]);
          }
          // German compounds: headings and paragraphs must hyphenate and may break long words.
          // (Debian's Chromium has no hyphenation dictionaries, so the width test alone cannot tell.)
          try {
            const bad = await page.evaluate(() => {
              const out = [];
              for (const el of document.querySelectorAll('main h1, main h2, main h3, main h4, main p, main li, main td, main th, main blockquote')) {
                if (el.closest('pre, code')) continue;
                const cs = getComputedStyle(el);
                const why = [];
                if (cs.hyphens !== 'auto') why.push(`hyphens: ${cs.hyphens}`);
                if (!/^(anywhere|break-word)$/.test(cs.overflowWrap) && cs.wordBreak !== 'break-word') why.push(`overflow-wrap: ${cs.overflowWrap}`);
                if (why.length) out.push(`<${el.localName}${el.className ? ` class="${el.className}"` : ''}> "${(el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 50)}": ${why.join(', ')}`);
              }
              return out;
            });
            report(`hyphens ${p.name} (${p.path})`, bad.length ? [...bad.slice(0, 8), ...(bad.length > 8 ? [`… and ${bad.length - 8} more`] : [])] : []);
          } catch (e) {
            report(`hyphens ${p.name} (${p.path})`, [e.message.split('\n')[0]]);
          }
          // width
          const reasons = [];
          try {
            const m = await page.evaluate(measureWidth, { W: WIDTH, EPS });
            if (m.scrollWidth > WIDTH) reasons.push(`document.documentElement.scrollWidth = ${m.scrollWidth} > ${WIDTH} (innerWidth ${m.innerWidth})`);
            if (m.bodyScrollWidth > WIDTH) reasons.push(`document.body.scrollWidth = ${m.bodyScrollWidth} > ${WIDTH}`);
            for (const e of m.elements.slice(0, 12)) reasons.push(`element ${e.sel} right edge ${e.right} px (left ${e.left}, width ${e.width}) "${e.text}" [${e.typo}]`);
            if (m.elements.length > 12) reasons.push(`… and ${m.elements.length - 12} more elements`);
            for (const t of m.texts.slice(0, 12)) reasons.push(`text in ${t.sel} cut off/overflowing at ${t.right} px, word "${t.word}" [${t.typo}]`);
            if (m.texts.length > 12) reasons.push(`… and ${m.texts.length - 12} more text nodes`);
            if (m.contained.length) {
              const sc = [...new Set(m.contained.map((c) => c.scroller))];
              note(`  ${p.name}: ${m.contained.length} element(s) wider than ${WIDTH} px inside horizontal scroll container(s) ${sc.join(', ')} (allowed)`);
            }
            if (reasons.length) reasons.push(`screenshot: ${shot}`);
          } catch (e) {
            reasons.push(`measuring failed: ${e.message.split('\n')[0]}`);
          }
          report(`width ${p.name} (${p.path})`, reasons);
        }
        if (blocked.size) note(`  ${p.name} (${scheme}): blocked ${blocked.size} request(s) to other origins: ${[...blocked].slice(0, 5).join(' ')}`);
        if (consoleErrors.length) note(`  ${p.name} (${scheme}): console errors: ${consoleErrors.slice(0, 5).join(' | ')}`);
      }
      await context.close();
    }
  } finally {
    await withTimeout(browser.close(), 10_000, 'closing chromium').catch(() => {});
  }
  note(`screenshots: ${shots}`);
}

// The server's stderr (given by run.sh), shown before the summary line so that stays last.
function serverLog() {
  const i = process.argv.indexOf('--server-log');
  rep.serverLog(i > 0 ? process.argv[i + 1] : null);
}

const T0 = Date.now();
const timer = setTimeout(() => {
  report('whole run', [`did not finish within ${TOTAL_TIMEOUT_MS} ms`]);
  serverLog();
  finish();
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

try {
  const ctx = await main();
  await checks(ctx);
} catch (e) {
  report('setup', [e.stack || e.message]);
}
clearTimeout(timer);
note(`checks took ${((Date.now() - T0) / 1000).toFixed(1)} s`);
serverLog();
finish();
process.exit(rep.failed ? 1 : 0);
