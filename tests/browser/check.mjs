#!/usr/bin/env node
// tests/browser/check.mjs — HTML validation (Nu Html Checker), accessibility (axe-core in
// Chromium, light and dark colour scheme) and phone-width (390 px) checks for every page type
// of a running Depesche server. Normally started by run.sh, which builds the test site.
//
//   node check.mjs --base http://127.0.0.1:PORT --article /slug/ [--article-en /slug/]
//                  [--shots DIR] [--lang de] [--only NAME,NAME] [--server-log FILE]
//
// Output: one line per test, "ok - NAME" or "not ok - NAME" followed by "#"-prefixed reasons;
// the last line is always "browser: N passed, N failed". Exit status 1 if anything failed.
// Nothing but the server under test is contacted: every browser request to another origin is
// aborted (and listed), links are never followed.

import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(HERE, 'package.json'));

const WIDTH = 390;            // iPhone 12–15 class phone, CSS px
const HEIGHT = 844;
const EPS = 0.5;              // sub-pixel rounding tolerance
const TOTAL_TIMEOUT_MS = Number(process.env.BROWSER_TOTAL_TIMEOUT_MS || 100_000);
const FETCH_TIMEOUT_MS = 10_000;
const NAV_TIMEOUT_MS = 15_000;
const VNU_TIMEOUT_MS = 60_000;
const AXE_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
  const o = { lang: 'de' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument: ${a}`);
    const v = m[2] !== undefined ? m[2] : argv[++i];
    if (v === undefined) throw new Error(`missing value for --${m[1]}`);
    o[m[1]] = v;
  }
  if (!o.base) throw new Error('--base URL is required');
  if (!o.article) throw new Error('--article /slug/ is required');
  o.base = o.base.replace(/\/+$/, '');
  return o;
}

// ---------------------------------------------------------------- reporting
let passed = 0;
let failed = 0;
function report(name, reasons) {
  if (reasons.length === 0) {
    passed++;
    console.log(`ok - ${name}`);
  } else {
    failed++;
    console.log(`not ok - ${name}`);
    for (const r of reasons) for (const line of String(r).split('\n')) console.log(`#   ${line}`);
  }
}
function note(msg) { for (const line of String(msg).split('\n')) console.log(`# ${line}`); }
let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  console.log(`browser: ${passed} passed, ${failed} failed`);
}

// ---------------------------------------------------------------- helpers
function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]);
}

async function fetchPage(url) {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  const body = await res.text();
  return { status: res.status, type: res.headers.get('content-type') || '', location: res.headers.get('location'), body };
}

function vnuJarPath() {
  // The vnu-jar package exports the jar's path as its value (require.resolve gives vnu-jar.js).
  const candidates = [];
  try { candidates.push(String(require('vnu-jar'))); } catch { /* fall through */ }
  try { candidates.push(path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar')); } catch { /* fall through */ }
  for (const c of candidates) if (c.endsWith('.jar') && fs.existsSync(c)) return c;
  throw new Error('vnu.jar not found (is tests/browser/node_modules installed? run.sh does it)');
}

// Runs the Nu Html Checker once over all files (one JVM start). Returns Map(file -> messages).
function runVnu(files) {
  return new Promise((resolve, reject) => {
    const java = process.env.JAVA || 'java';
    const args = ['-Xss8m', '-jar', vnuJarPath(), '--format', 'json', '--stdout', ...files];
    const child = spawn(java, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`vnu timed out after ${VNU_TIMEOUT_MS} ms`)); }, VNU_TIMEOUT_MS);
    child.on('error', (e) => { clearTimeout(t); reject(new Error(`cannot run ${java}: ${e.message}`)); });
    child.on('close', (code) => {
      clearTimeout(t);
      let json;
      try { json = JSON.parse(out); } catch {
        return reject(new Error(`vnu exited ${code} without JSON output: ${(err || out).trim().slice(0, 2000)}`));
      }
      const byFile = new Map(files.map((f) => [f, []]));
      for (const m of json.messages || []) {
        let f = null;
        if (m.url && m.url.startsWith('file:')) {
          try { f = fileURLToPath(m.url.replace(/^file:(?!\/\/)/, 'file://')); } catch { f = null; }
        }
        if (f && byFile.has(f)) byFile.get(f).push(m);
        else for (const list of byFile.values()) list.push(m); // global message (e.g. fatal): attach everywhere
      }
      resolve(byFile);
    });
  });
}

function formatVnu(m) {
  const where = m.lastLine !== undefined
    ? `line ${m.firstLine ?? m.lastLine}${m.firstColumn !== undefined ? `:${m.firstColumn}` : ''}` : 'document';
  const extract = m.extract ? `  [${m.extract.replace(/\s+/g, ' ').trim().slice(0, 160)}]` : '';
  return `vnu ${m.type}${m.subType ? `/${m.subType}` : ''} ${where}: ${m.message}${extract}`;
}

function formatAxe(v) {
  const lines = [`axe ${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}`];
  for (const n of v.nodes.slice(0, 6)) {
    lines.push(`  target ${n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' , ')}`);
    const summary = (n.failureSummary || '').split('\n').map((s) => s.trim()).filter((s) => s && !/^Fix (any|all) of the following:$/.test(s));
    if (summary.length) lines.push(`    ${summary.join(' | ').slice(0, 400)}`);
    if (n.html) lines.push(`    html ${n.html.replace(/\s+/g, ' ').slice(0, 200)}`);
  }
  if (v.nodes.length > 6) lines.push(`  … and ${v.nodes.length - 6} more nodes`);
  return lines.join('\n');
}

function discoverArchive(html, kind) {
  const re = new RegExp(`href="(/${kind}/[^"/?#]+/)"`, 'g');
  const m = re.exec(html);
  return m ? m[1].replace(/&amp;/g, '&') : null;
}

// Runs in the page: everything that sticks out to the right of the 390 px layout viewport.
function measureWidth({ W, EPS }) {
  const de = document.documentElement;
  const desc = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      let s = e.localName;
      if (e.id) s += `#${e.id}`;
      else if (e.classList.length) s += `.${[...e.classList].slice(0, 2).join('.')}`;
      parts.unshift(s);
      if (e.id || e === document.body) break;
    }
    return parts.join(' > ');
  };
  const scroller = (el) => {
    for (let a = el.parentElement; a && a !== de && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (/^(auto|scroll)$/.test(cs.overflowX) && a.getBoundingClientRect().right <= W + EPS) return a;
    }
    return null;
  };
  const visuallyHidden = (el) => {
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      const r = a.getBoundingClientRect();
      if (cs.overflow !== 'visible' && (r.width <= 1 || r.height <= 1)) return true;
      if (cs.clip && cs.clip !== 'auto') return true;
      if (cs.clipPath && /inset\(\s*50%|circle\(\s*0/.test(cs.clipPath)) return true;
    }
    return false;
  };
  const typo = (el) => {
    const cs = getComputedStyle(el);
    const langEl = el.closest('[lang]');
    return `lang=${langEl ? JSON.stringify(langEl.getAttribute('lang')) : 'none'} hyphens=${cs.hyphens} overflow-wrap=${cs.overflowWrap} word-break=${cs.wordBreak} white-space=${cs.whiteSpace}`;
  };

  const res = {
    scrollWidth: de.scrollWidth,
    bodyScrollWidth: document.body ? document.body.scrollWidth : 0,
    innerWidth: window.innerWidth,
    clientWidth: de.clientWidth,
    elements: [],
    texts: [],
    contained: [],
  };
  if (!document.body) return res;

  const over = new Set();
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right <= W + EPS) continue;
    const sc = scroller(el);
    if (sc) { res.contained.push({ sel: desc(el), right: Math.round(r.right), scroller: desc(sc) }); continue; }
    if (visuallyHidden(el)) continue;
    over.add(el);
  }
  for (const el of over) {
    if (el.parentElement && over.has(el.parentElement)) continue; // report the outermost only
    const r = el.getBoundingClientRect();
    res.elements.push({ sel: desc(el), left: Math.round(r.left), right: Math.round(r.right), width: Math.round(r.width), text: (el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 80), typo: typo(el) });
  }

  // Text that is cut off (e.g. a long compound word inside overflow:hidden) shows up in no box.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (/\S/.test(n.data) ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
  });
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (!parent || /^(script|style|noscript|template)$/.test(parent.localName)) continue;
    range.selectNodeContents(n);
    let right = 0;
    for (const r of range.getClientRects()) if (r.width > 0) right = Math.max(right, r.right);
    if (right <= W + EPS) continue;
    if (scroller(parent) || visuallyHidden(parent) || over.has(parent)) continue;
    // Find the word that sticks out, for the message.
    let word = '';
    const words = n.data.split(/(\s+)/);
    let off = 0;
    for (const w of words) {
      if (w && /\S/.test(w)) {
        range.setStart(n, off); range.setEnd(n, off + w.length);
        const rr = range.getBoundingClientRect();
        if (rr.right > W + EPS) { word = w; break; }
      }
      off += w.length;
    }
    res.texts.push({ sel: desc(parent), right: Math.round(right), word: word.slice(0, 80), typo: typo(parent) });
  }
  return res;
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
  return { opt, shots, work, baseURL, pages: done.filter((p) => p.res.body.trim() && /^text\/html\b/i.test(p.res.type)) };
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
  const { chromium } = require('playwright-core');
  const axePath = require.resolve('axe-core');
  const browser = await withTimeout(chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-dev-shm-usage', '--no-pings', '--dns-prefetch-disable',
      // belt and braces: no host name but 127.0.0.1/localhost resolves, so nothing leaves the machine
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
    timeout: 30_000,
  }), 35_000, 'launching chromium');
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
      await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (u.origin === baseURL.origin || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
        blocked.add(u.href);
        return route.abort('blockedbyclient');
      });
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
  const f = i > 0 ? process.argv[i + 1] : null;
  if (!f || !failed) return;
  try {
    const lines = fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.trim());
    if (lines.length) note(`server stderr (last ${Math.min(20, lines.length)} of ${lines.length} lines):\n${lines.slice(-20).map((l) => `  ${l}`).join('\n')}`);
  } catch { /* no log */ }
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
process.exit(failed ? 1 : 0);
