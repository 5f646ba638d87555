#!/usr/bin/env node
// tests/browser/flows.mjs — the newsroom clicked through in real Chromium (Debian's, driven by
// playwright-core): every step fills and submits the site's own forms (plain POSTs, no
// JavaScript needed by the site), the way a reader, a moderator, an admin and two authors would.
//
//   1. a reader comments: the form, then "awaits moderation" (#comment-pending via :target),
//      the comment not shown;
//   2. a moderator logs in, sees the pending count in the header, finds the comment in the queue
//      with its verdict, approves it: it shows on the article page and in /<slug>/feed/;
//   3. a threaded reply (the comment's "Antworten"), approved, nested under its parent — and a
//      reply to the reply (third level, where "Antworten" ends);
//   4. a wrong CSRF token (changed in the page before the click): 403, the comment stays pending;
//   5. XSS payloads in every field of a comment and of an article written in the admin editor:
//      no script runs, no element or attribute is injected, on the public pages, in the feeds
//      and on the admin pages; no dialog ever opens;
//   6. an author cannot open or save another author's article, and does not see it in her list;
//   7. a reader signs up in the box, confirms from the received mail, and unsubscribes;
//   8. a reader searches with the search box in the site header, sees the word marked in the
//      results and opens the first one (--search WORD; the article must be its best match);
//   and then Nu Html Checker, axe-core (light and dark) and the 390 px width check on the admin
//   pages visited (login, dashboard, queue, comment edit, post list, post editor, audit) and on
//   the article page with its comments and reply forms (opened).
//
//   node flows.mjs --base http://127.0.0.1:PORT --article /slug/ [--shots DIR]
//                  [--admin N --moderator N --author-a N --author-b N] [--search WORD] [--server-log FILE]
//                  [--summary FILE]
//   The accounts (run.sh creates them) share the password in $DEPESCHE_TEST_PASSWORD; the site
//   must have comment_min_seconds 0 (run.sh sets it in site.json before the server starts).
//
// Output as check.mjs: "ok - NAME" / "not ok - NAME" + "#" reasons, then the summary line (or,
// with --summary FILE, "N M" in FILE for run.sh). Nothing but the server under test is contacted.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  require, WIDTH, HEIGHT, EPS, NAV_TIMEOUT_MS, AXE_TIMEOUT_MS,
  parseArgs, makeReporter, withTimeout, fetchPage, runVnu, formatVnu, formatAxe, measureWidth,
  launchChromium, confineToOrigin, startSmtpSink, mailText,
} from './lib.mjs';

const TOTAL_TIMEOUT_MS = Number(process.env.BROWSER_TOTAL_TIMEOUT_MS || 100_000);
const ACTION_TIMEOUT_MS = 5_000;   // a click, a fill, an element that should be there
const SHOW_TIMEOUT_MS = 5_000;     // an approved comment appearing on the (cached) public page
const PASSWORD = process.env.DEPESCHE_TEST_PASSWORD || '';
// What a careless template would turn into running code: an <img> whose error handler and a
// <script> that both set window.__xss.
const PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>';

let opt = {};
let argError = null;
try {
  opt = parseArgs(process.argv.slice(2), ['base', 'article']);
} catch (e) {
  argError = e;
}
const rep = makeReporter({ summaryFile: opt.summary || null, label: 'flows.mjs' });
const { report, note } = rep;
const USER = {
  admin: opt.admin || 'chefin',
  moderator: opt.moderator || 'moritz',
  a: opt['author-a'] || 'anna',
  b: opt['author-b'] || 'bert',
};
const RUN = Date.now().toString(36);   // makes every text of this run unique

// ---------------------------------------------------------------- small helpers
class Fatal extends Error {}
function must(cond, msg) {
  if (!cond) throw new Fatal(msg);
  return cond;
}
const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });
const firstLine = (e) => String(e && e.message ? e.message : e).split('\n')[0];

let baseURL;
const abs = (p) => new URL(p, baseURL).href;
const where = (page) => { const u = new URL(page.url()); return u.pathname + u.search + u.hash; };

// Shared state between the flows (each flow states what it needs).
const S = {
  dialogs: [],
  pageErrors: [],
  blocked: new Set(),
  pending: 0,          // comments this run left waiting in the queue
  sessions: [],
  vnu: [],             // { name, path, body } for the Nu Html Checker at the end
  smtp: null,          // startSmtpSink() when run.sh passes --smtp-port
  mailPages: [],       // [name, path] of the subscriber's pages met in flow 7
};

async function newSession(browser, label) {
  const context = await browser.newContext({
    viewport: { width: WIDTH, height: HEIGHT },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 1,
    colorScheme: 'light',
    reducedMotion: 'reduce',
    locale: 'de-DE',
    serviceWorkers: 'block',
    // The server's CSP (script-src 'none') would stop an injected script anyway; bypassing it
    // makes the XSS checks test the escaping itself (and lets us inject axe-core).
    bypassCSP: true,
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  await confineToOrigin(context, baseURL, S.blocked);
  const page = await context.newPage();
  page.on('dialog', (d) => {
    S.dialogs.push(`${label}: ${d.type()} "${d.message()}" on ${where(page)}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => S.pageErrors.push(`${label}: ${firstLine(e)} on ${where(page)}`));
  const s = { label, context, page };
  S.sessions.push(s);
  return s;
}

async function open(page, p) {
  const r = await page.goto(abs(p), { waitUntil: 'load', timeout: NAV_TIMEOUT_MS });
  must(r, `GET ${p}: no response`);
  return r;
}

// Clicks a submit button and waits for the page it leads to (after redirects).
async function submit(page, button) {
  const [r] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: NAV_TIMEOUT_MS }),
    button.click({ timeout: ACTION_TIMEOUT_MS }),
  ]);
  must(r, `no page after clicking the button on ${where(page)}`);
  return r;
}

// The response that redirected to r (a 303 after a POST), or null.
async function redirectOf(r) {
  const prev = r.request().redirectedFrom();
  if (!prev) return null;
  const pr = await prev.response();
  return { method: prev.method(), path: new URL(prev.url()).pathname, status: pr ? pr.status() : 0 };
}

async function until(what, fn, ms = SHOW_TIMEOUT_MS) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() >= end) throw new Fatal(`${what}: not there within ${ms / 1000} s`);
    await sleep(150);
  }
}

async function text(locator) {
  return ((await locator.first().textContent({ timeout: ACTION_TIMEOUT_MS })) || '').replace(/\s+/g, ' ').trim();
}

// One flow = one test line. expect() collects reasons, must() stops the flow.
async function flow(name, fn) {
  const reasons = [];
  const expect = (cond, msg) => { if (!cond) reasons.push(msg); return cond; };
  const dialogs = S.dialogs.length;
  const t0 = Date.now();
  try {
    await fn(expect);
  } catch (e) {
    reasons.push(e instanceof Fatal ? e.message : (e.stack || String(e)).split('\n').slice(0, 4).join('\n'));
  }
  for (const d of S.dialogs.slice(dialogs)) reasons.push(`a JavaScript dialog opened: ${d}`);
  if (reasons.length && opt.shots) {
    for (const s of S.sessions) {
      const f = path.join(opt.shots, `flow-failed-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}-${s.label}.png`);
      try {
        await s.page.screenshot({ path: f, fullPage: true, timeout: 5_000 });
        reasons.push(`screenshot (${s.label}, ${where(s.page)}): ${f}`);
      } catch { /* the page may be gone */ }
    }
  }
  report(name, reasons);
  note(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return reasons.length === 0;
}

// ---------------------------------------------------------------- the site's pages
async function login(s, name, from = '/admin/login') {
  const { page } = s;
  await open(page, from);
  must(new URL(page.url()).pathname === '/admin/login', `GET ${from} while signed out: landed on ${where(page)}, not on /admin/login`);
  await page.fill('#login-name', name);
  await page.fill('#login-password', PASSWORD);
  const r = await submit(page, page.locator('main form[action="/admin/login"] button[type="submit"]'));
  must(r.status() === 200 && new URL(page.url()).pathname.startsWith('/admin/') && new URL(page.url()).pathname !== '/admin/login',
    `login of ${name}: status ${r.status()}, landed on ${where(page)} (wrong password, throttled, or no session cookie?)`);
  return r;
}

async function pendingBadge(page) {
  const t = await text(page.locator('#pending-count'));
  const m = /^(\d+)/.exec(t);
  return m ? Number(m[1]) : `"${t}"`;
}

function queueRow(page, needle) {
  return page.locator('ol.queue > li').filter({ has: page.locator('.c-text', { hasText: needle }) });
}

async function rowId(row) {
  const id = await row.first().getAttribute('id', { timeout: ACTION_TIMEOUT_MS });
  const m = /^comment-(\d+)$/.exec(id || '');
  must(m, `queue row has id ${JSON.stringify(id)}, expected comment-N`);
  return Number(m[1]);
}

// id ("comment-N") of the public comment whose own text contains needle, or null.
function publicComment(page, needle) {
  return page.evaluate((t) => {
    for (const li of document.querySelectorAll('#comments li.comment')) {
      const own = li.querySelector(':scope > .comment-text');
      if (own && own.textContent.includes(t)) return li.id;
    }
    return null;
  }, needle);
}

async function writeComment(page, form, c) {
  await form.locator('input[name="name"]').fill(c.name);
  if (c.email !== undefined) await form.locator('input[name="email"]').fill(c.email);
  await form.locator('textarea[name="text"]').fill(c.text);
  return submit(page, form.locator('button[type="submit"]'));
}

// After a comment POST: 303 to /slug/#comment-pending, the notice shown, the comment not.
async function expectPendingLanding(expect, page, r, articlePath, c) {
  const red = await redirectOf(r);
  expect(red && red.method === 'POST' && red.path === `${articlePath}comment/` && red.status === 303,
    `the form's POST: ${red ? `${red.method} ${red.path} → ${red.status}` : 'no redirect'}, expected POST ${articlePath}comment/ → 303`);
  expect(r.status() === 200, `landing page status ${r.status()}`);
  const u = new URL(page.url());
  expect(u.pathname === articlePath && u.hash === '#comment-pending', `landed on ${where(page)}, expected ${articlePath}#comment-pending`);
  const notice = page.locator('#comment-pending');
  expect(await notice.isVisible(), '#comment-pending ("awaits moderation") is not visible after the redirect');
  expect(await page.evaluate(() => !!document.querySelector('#comment-pending:target')), '#comment-pending is not the :target');
  expect(/geprüft|moderat/i.test(await text(notice)), `the notice says "${await text(notice)}"`);
  expect(!(await publicComment(page, c.text)) && !(await text(page.locator('#comments'))).includes(c.text),
    'the pending comment is already shown on the public page');
}

// Runs in the page: everything that would let a payload run. The page's own scripts are its
// JSON-LD blocks (at most one, and it must parse).
function inertProbe() {
  const out = [];
  if (typeof window.__xss !== 'undefined') out.push(`window.__xss is ${String(window.__xss)}: injected code ran`);
  const short = (el) => el.outerHTML.replace(/\s+/g, ' ').slice(0, 140);
  let ld = 0;
  for (const s of document.querySelectorAll('script')) {
    if (s.type === 'application/ld+json') {
      ld++;
      try { JSON.parse(s.textContent); } catch (e) { out.push(`JSON-LD does not parse (${e.message}): ${s.textContent.slice(0, 140)}`); }
    } else {
      out.push(`<script> element that is not the page's JSON-LD: ${short(s)}`);
    }
  }
  if (ld > 1) out.push(`${ld} JSON-LD <script> elements (one expected)`);
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) out.push(`event handler attribute ${a.name} on ${short(el)}`);
      if (/^(href|src|action|formaction|data|srcdoc)$/i.test(a.name) && /^\s*(javascript|vbscript|data:text\/html)/i.test(a.value)) out.push(`${a.name}="${a.value.slice(0, 60)}" on ${short(el)}`);
    }
    if (/^(iframe|frame|object|embed|base)$/.test(el.localName)) out.push(`injected <${el.localName}>: ${short(el)}`);
    if (el.localName === 'meta' && /refresh/i.test(el.getAttribute('http-equiv') || '')) out.push(`meta refresh: ${short(el)}`);
  }
  for (const img of document.querySelectorAll('img')) if (img.getAttribute('src') === 'x') out.push(`injected <img src=x>: ${short(img)}`);
  return out;
}

// Checks the current page: nothing of the payload runs or exists as markup; the payload shows as
// text (escaped, not dropped) where `shown` says so.
async function expectInert(expect, page, label, { shown = true } = {}) {
  await sleep(50); // let a failed <img src=x> fire its error event, if there were one
  const bad = await page.evaluate(inertProbe);
  for (const b of bad) expect(false, `${label} (${where(page)}): ${b}`);
  if (shown) {
    const body = await page.evaluate(() => document.body.textContent);
    expect(body.includes(PAYLOAD), `${label} (${where(page)}): the payload is not shown as text (escaped); was it dropped or mangled?`);
  }
}

// Parses a feed in the page (DOMParser: nothing runs) and checks every field that a feed reader
// renders as HTML: RSS item <description> and <content:encoded>, Atom type="html"/"xhtml"
// constructs, JSON Feed content_html. (Other fields — titles, names, the channel's description —
// are plain text by the RSS Best Practices Profile and the Atom/JSON Feed specs.)
async function expectFeedInert(expect, page, p, needle) {
  const f = await fetchPage(abs(p));
  const json = /json/.test(f.type);
  expect(f.status === 200 && (json || /xml/.test(f.type)), `${p}: status ${f.status}, Content-Type ${f.type}`);
  const res = await page.evaluate(({ body, isJson }) => {
    const out = [];
    const htmls = [];
    const probe = (label, root) => {
      for (const x of root.querySelectorAll('*')) {
        if (/^(script|iframe|object|embed|base)$/.test(x.localName)) out.push(`${label} has a <${x.localName}> element`);
        if (x.localName === 'img' && x.getAttribute('src') === 'x') out.push(`${label} has an injected <img src=x>`);
        for (const a of x.attributes) {
          if (/^on/i.test(a.name)) out.push(`${label} has an event handler attribute ${a.name}`);
          if (/^(href|src)$/i.test(a.name) && /^\s*javascript:/i.test(a.value)) out.push(`${label} has ${a.name}="${a.value.slice(0, 40)}"`);
        }
      }
    };
    const asHTML = (label, html) => {
      const d = new DOMParser().parseFromString(html, 'text/html');
      htmls.push(d.body ? d.body.textContent : '');
      probe(`${label} ${JSON.stringify(html.slice(0, 120))}`, d);
    };
    if (isJson) {
      let doc;
      try { doc = JSON.parse(body); } catch (e) { return { out: [`not JSON: ${e.message}`], html: '' }; }
      for (const it of doc.items || []) if (typeof it.content_html === 'string') asHTML('content_html', it.content_html);
      return { out, html: htmls.join('\n') };
    }
    const doc = new DOMParser().parseFromString(body, 'application/xml');
    const err = doc.querySelector('parsererror');
    if (err) return { out: [`not well-formed XML: ${err.textContent.slice(0, 200)}`], html: '' };
    for (const el of doc.getElementsByTagName('*')) {
      const n = el.localName;
      const parent = el.parentElement ? el.parentElement.localName : '';
      const type = el.getAttribute('type');
      const atomText = ['content', 'summary', 'title', 'subtitle', 'rights'].includes(n) && el.namespaceURI === 'http://www.w3.org/2005/Atom';
      if ((n === 'description' && parent === 'item') || (n === 'encoded' && parent === 'item') || (atomText && type === 'html')) {
        asHTML(`<${el.tagName}>`, el.textContent);
      } else if (atomText && type === 'xhtml') {
        htmls.push(el.textContent);
        probe(`<${el.tagName} type="xhtml">`, el);
      }
    }
    return { out, html: htmls.join('\n') };
  }, { body: f.body, isJson: json });
  for (const b of res.out) expect(false, `${p}: ${b}`);
  if (needle) expect(res.html.includes(needle), `${p}: ${JSON.stringify(needle.slice(0, 60))} is shown as text by none of the feed's HTML fields`);
  return f;
}

// ---------------------------------------------------------------- vnu, axe, width on a page
async function auditPage(s, name, p, { prepare = null, status = 200 } = {}) {
  const { page } = s;
  const axePath = require.resolve('axe-core');
  const t0 = Date.now();
  let r;
  try {
    r = await open(page, p);
    const body = await r.text();
    const reasons = [];
    if (r.status() !== status) reasons.push(`status ${r.status()}, expected ${status} (landed on ${where(page)})`);
    if (!/^text\/html\b.*charset=utf-8/i.test(r.headers()['content-type'] || '')) reasons.push(`Content-Type ${r.headers()['content-type']}`);
    report(`http ${name} (${p})`, reasons);
    S.vnu.push({ name, path: p, body });
    if (prepare) await page.evaluate(prepare);
    await page.addScriptTag({ path: axePath });
  } catch (e) {
    report(`http ${name} (${p})`, [`loading failed: ${firstLine(e)}`]);
    return;
  }
  for (const scheme of ['light', 'dark']) {
    const axeName = `axe ${scheme} ${name} (${p})`;
    try {
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      const result = await withTimeout(page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] })), AXE_TIMEOUT_MS, 'axe.run');
      report(axeName, result.violations.map(formatAxe));
    } catch (e) {
      report(axeName, [`axe-core could not run: ${firstLine(e)}`]);
    }
    const shot = opt.shots ? path.join(opt.shots, `flow-${name}-${scheme}.png`) : null;
    if (shot) await page.screenshot({ path: shot, fullPage: true, timeout: NAV_TIMEOUT_MS }).catch((e) => note(`screenshot ${shot} failed: ${firstLine(e)}`));
    if (scheme !== 'light') continue;
    const reasons = [];
    try {
      const m = await page.evaluate(measureWidth, { W: WIDTH, EPS });
      if (m.scrollWidth > WIDTH) reasons.push(`document.documentElement.scrollWidth = ${m.scrollWidth} > ${WIDTH} (innerWidth ${m.innerWidth})`);
      if (m.bodyScrollWidth > WIDTH) reasons.push(`document.body.scrollWidth = ${m.bodyScrollWidth} > ${WIDTH}`);
      for (const e of m.elements.slice(0, 12)) reasons.push(`element ${e.sel} right edge ${e.right} px (left ${e.left}, width ${e.width}) "${e.text}" [${e.typo}]`);
      if (m.elements.length > 12) reasons.push(`… and ${m.elements.length - 12} more elements`);
      for (const t of m.texts.slice(0, 12)) reasons.push(`text in ${t.sel} cut off/overflowing at ${t.right} px, word "${t.word}" [${t.typo}]`);
      if (m.texts.length > 12) reasons.push(`… and ${m.texts.length - 12} more text nodes`);
      if (reasons.length && shot) reasons.push(`screenshot: ${shot}`);
    } catch (e) {
      reasons.push(`measuring failed: ${firstLine(e)}`);
    }
    report(`width ${name} (${p})`, reasons);
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'reduce' }).catch(() => {});
  note(`  (${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

async function vnuAll() {
  if (!S.vnu.length) return;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'depesche-vnu-flows-'));
  try {
    const files = S.vnu.map((v, i) => {
      const f = path.join(work, `${String(i).padStart(2, '0')}-${v.name}.html`);
      fs.writeFileSync(f, v.body);
      v.file = f;
      return f;
    });
    const t = Date.now();
    let byFile;
    try {
      byFile = await runVnu(files);
    } catch (e) {
      for (const v of S.vnu) report(`vnu ${v.name} (${v.path})`, [e.message]);
      return;
    }
    note(`vnu took ${((Date.now() - t) / 1000).toFixed(1)} s`);
    for (const v of S.vnu) {
      const msgs = byFile.get(v.file) || [];
      const errors = msgs.filter((m) => m.type === 'error' || m.type === 'non-document-error');
      report(`vnu ${v.name} (${v.path})`, errors.map(formatVnu));
      const warnings = msgs.filter((m) => !errors.includes(m));
      if (warnings.length) note(`  ${v.name}: ${warnings.length} vnu warning(s)/info (not failing):\n${warnings.slice(0, 10).map((m) => `  ${formatVnu(m)}`).join('\n')}`);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- the flows
async function flows(browser) {
  const art = opt.article;
  const reader = await newSession(browser, 'reader');
  const mod = await newSession(browser, 'moderator');
  const admin = await newSession(browser, 'admin');
  const anna = await newSession(browser, 'author-a');
  const bert = await newSession(browser, 'author-b');

  const C1 = { name: 'Jana Kommentarprüferin', email: `jana-${RUN}@example.org`,
    text: `Endlich fährt die Donaudampfschifffahrtsgesellschaft wieder nach Passau. Leserkommentar ${RUN}.` };
  const R1 = { name: 'Tom', text: `Stimmt, und die Anlegestelle in Passau ist auch fertig. Antwort ${RUN}.` };
  const R2 = { name: 'Jana', text: `Antwort auf die Antwort: das Rindfleischetikettierungsüberwachungsaufgabenübertragungsgesetz ist Geschichte. Dritte Ebene ${RUN}.` };
  const C2 = { name: 'Eva', text: `Dieser Kommentar muss wartend bleiben (CSRF-Probe ${RUN}).` };
  const ids = {};

  // 1 ------------------------------------------------------------------------------------------
  await flow(`reader comments on ${art}: "awaits moderation" (#comment-pending via :target), comment not shown`, async (expect) => {
    const { page } = reader;
    const r = await open(page, art);
    must(r.status() === 200, `GET ${art}: ${r.status()}`);
    expect(!(await page.locator('#comment-pending').isVisible()), '#comment-pending is visible on the plain article page (it should show only as the :target)');
    const form = page.locator('#comments > form.comment-form');
    must(await form.count() === 1, `${await form.count()} top-level comment forms in #comments`);
    expect(await form.getAttribute('action') === `${art}comment/`, `form action ${await form.getAttribute('action')}`);
    expect(await form.locator('input[name="website"]').isHidden(), 'the honeypot field is visible');
    const r2 = await writeComment(page, form, C1);
    S.pending++;
    await expectPendingLanding(expect, page, r2, art, C1);
  });

  // 2 ------------------------------------------------------------------------------------------
  await flow(`moderator logs in, sees the pending count, approves with the verdict in view; shown on ${art} and in ${art}feed/`, async (expect) => {
    const { page } = mod;
    await login(mod, USER.moderator, '/admin/comments');
    expect(new URL(page.url()).pathname === '/admin/comments', `after the login form: ${where(page)}, expected /admin/comments (the next= of the login page)`);
    const n = await pendingBadge(page);
    expect(n === S.pending, `pending count in the header shows ${n}, expected ${S.pending}`);
    const row = queueRow(page, C1.text);
    must(await row.count() === 1, `the comment is ${await row.count()} times in the pending queue, expected once`);
    ids.c1 = await rowId(row);
    expect((await text(row.locator('.c-head'))).includes(C1.name), `the row's heading lacks the name: "${await text(row.locator('.c-head'))}"`);
    const verdict = await row.locator('.verdict strong').count() ? await text(row.locator('.verdict strong')) : '';
    expect(verdict.length > 0, 'no verdict (Einschätzung) in the row');
    expect(await row.locator('.verdict .score').count() === 1, 'no score next to the verdict');
    const r = await submit(page, row.locator('form.row-actions button[value="approve"]'));
    const red = await redirectOf(r);
    expect(red && red.status === 303 && red.path === '/admin/comments', `approve: ${red ? `${red.method} ${red.path} → ${red.status}` : 'no redirect'}`);
    must(r.status() === 200 && /[?&]done=approved\b/.test(page.url()), `after approve: ${r.status()} ${where(page)}`);
    S.pending--;
    expect((await text(page.locator('main .notice'))).includes('Freigegeben'), 'no "Freigegeben." notice');
    const n2 = await pendingBadge(page);
    expect(n2 === S.pending, `pending count after approving shows ${n2}, expected ${S.pending}`);
    expect(await queueRow(page, C1.text).count() === 0, 'the approved comment is still in the pending queue');

    const pub = reader.page;
    await until(`comment #${ids.c1} on ${art}`, async () => { await open(pub, art); return (await publicComment(pub, C1.text)) === `comment-${ids.c1}`; });
    expect(await text(pub.locator(`#comment-${ids.c1} > .comment-meta strong`)) === C1.name, 'the name is not shown with the comment');
    expect(await pub.locator(`#comment-${ids.c1}`).evaluate((li) => li.parentElement.matches('#comments > ol.comment-list')), 'the comment is not a top-level item of ol.comment-list');
    expect(!(await pub.content()).includes(C1.email), 'the e-mail address is on the public page');
    expect(/\(\d+\)/.test(await text(pub.locator('#comments-heading'))), `the comments heading has no count: "${await text(pub.locator('#comments-heading'))}"`);
    const feed = await until(`the comment in ${art}feed/`, async () => { const f = await fetchPage(abs(`${art}feed/`)); return f.body.includes(C1.text) ? f : null; });
    expect(feed.status === 200 && /xml/.test(feed.type), `${art}feed/: ${feed.status} ${feed.type}`);
    expect(!feed.body.includes(C1.email), 'the e-mail address is in the comment feed');
    expect(feed.body.includes(C1.name), 'the commenter\'s name is not in the comment feed');
  });

  // 3 ------------------------------------------------------------------------------------------
  await flow('threaded reply via "Antworten": approved, nested in .comment-replies of its parent; third level has no "Antworten"', async (expect) => {
    must(ids.c1, 'needs the approved comment of the previous flow');
    const pub = reader.page;
    const replyTo = async (parentId, c) => {
      await open(pub, art);
      const details = pub.locator(`#comment-${parentId} > details.comment-reply`);
      must(await details.count() === 1, `comment #${parentId} has ${await details.count()} "Antworten" (details.comment-reply)`);
      const summary = details.locator(':scope > summary');
      expect(await text(summary) === 'Antworten', `the summary says "${await text(summary)}"`);
      const form = details.locator('form.comment-form');
      expect(!(await form.isVisible()), 'the reply form is visible before "Antworten" is opened');
      await summary.click();
      must(await form.isVisible(), 'the reply form did not open on clicking "Antworten"');
      expect(await form.locator('input[name="parent"]').inputValue() === String(parentId), 'the reply form lacks parent=<id>');
      const r = await writeComment(pub, form, c);
      S.pending++;
      await expectPendingLanding(expect, pub, r, art, c);
      // the moderator approves it; the queue shows whose reply it is
      await open(mod.page, '/admin/comments');
      const row = queueRow(mod.page, c.text);
      must(await row.count() === 1, `reply "${c.text.slice(0, 30)}…" is ${await row.count()} times in the pending queue`);
      expect(await row.locator(`.meta a[href="/admin/comments/${parentId}/edit"]`).count() === 1, `the queue row does not say "Antwort auf #${parentId}"`);
      const id = await rowId(row);
      const a = await submit(mod.page, row.locator('form.row-actions button[value="approve"]'));
      must(/[?&]done=approved\b/.test(mod.page.url()) && a.status() === 200, `approving the reply: ${a.status()} ${where(mod.page)}`);
      S.pending--;
      await until(`reply #${id} nested under #${parentId}`, async () => {
        await open(pub, art);
        return pub.evaluate(({ p, i }) => !!document.querySelector(`#comment-${p} > ol.comment-replies > li.comment#comment-${i}`), { p: parentId, i: id });
      });
      expect(await text(pub.locator(`#comment-${id} > .comment-text`)) === c.text, 'the reply\'s text differs on the page');
      return id;
    };
    ids.r1 = await replyTo(ids.c1, R1);
    ids.r2 = await replyTo(ids.r1, R2);
    expect(await pub.locator(`#comment-${ids.c1} > ol.comment-replies #comment-${ids.r1} > ol.comment-replies > #comment-${ids.r2}`).count() === 1, 'not nested three levels deep');
    expect(await pub.locator(`#comment-${ids.r2} > details.comment-reply`).count() === 0, 'the third level still offers "Antworten" (the limit is three levels)');
    const order = await pub.evaluate((t) => document.body.textContent.indexOf(t[0]) < document.body.textContent.indexOf(t[1]), [C1.text, R1.text]);
    expect(order, 'the reply comes before its parent');
  });

  // 4 ------------------------------------------------------------------------------------------
  await flow('a changed CSRF token: approve and bulk approve get 403, the comment stays pending', async (expect) => {
    const pub = reader.page;
    await open(pub, art);
    const r = await writeComment(pub, pub.locator('#comments > form.comment-form'), C2);
    S.pending++;
    await expectPendingLanding(expect, pub, r, art, C2);

    const { page } = mod;
    await open(page, '/admin/comments');
    let row = queueRow(page, C2.text);
    must(await row.count() === 1, `the comment is ${await row.count()} times in the queue`);
    ids.c2 = await rowId(row);
    const len = await row.locator('form.row-actions input[name="csrf"]').evaluate((el) => {
      const v = el.value;
      el.value = v.slice(0, -1) + (v.endsWith('0') ? '1' : '0');   // one hex digit off
      return v.length;
    });
    expect(len >= 32, `the form's csrf token has ${len} characters`);
    const bad = await submit(page, row.locator('form.row-actions button[value="approve"]'));
    expect(bad.status() === 403, `approve with a wrong token: status ${bad.status()} (${where(page)}), expected 403`);
    expect(!(await bad.request().redirectedFrom()), 'approve with a wrong token was redirected');
    expect(/Berechtigung/.test(await text(page.locator('h1'))), `403 page heading: "${await text(page.locator('h1'))}"`);

    // the same with the bulk form, token removed altogether
    await open(page, '/admin/comments');
    row = queueRow(page, C2.text);
    await row.locator(`input[type="checkbox"][name="id"][value="${ids.c2}"]`).check();
    await page.locator('form#bulk input[name="csrf"]').evaluate((el) => el.remove());
    const bad2 = await submit(page, page.locator('form#bulk button[value="approve"]'));
    expect(bad2.status() === 403, `bulk approve without a token: status ${bad2.status()}, expected 403`);

    await open(page, '/admin/comments');
    expect(new URL(page.url()).pathname === '/admin/comments', `the session is gone after the 403s (${where(page)})`);
    expect(await queueRow(page, C2.text).count() === 1, 'the comment is no longer in the pending queue');
    const n = await pendingBadge(page);
    expect(n === S.pending, `pending count shows ${n}, expected ${S.pending}`);
    await open(pub, art);
    expect(!(await publicComment(pub, C2.text)), 'the comment is on the public page');
  });

  // 5 ------------------------------------------------------------------------------------------
  const X = {
    title: `XSS-Probe ${PAYLOAD}`,
    slug: `xss-probe-${RUN}`,
    dateline: `ORT ${PAYLOAD}`,
    tags: `Tag ${PAYLOAD}, Zweites Schlagwort`,
    category: `Kat ${PAYLOAD}`,
    author: `Autor ${PAYLOAD}`,
    body: `Text ${PAYLOAD}\n\n<iframe src="x"></iframe>\n\n[Klick](javascript:window.__xss=1)\n`,
  };
  let xssId = null;
  let xssPath = null;
  await flow('xss: the editor refuses a hostile slug and language, keeps the input, stays inert', async (expect) => {
    const { page } = admin;
    await login(admin, USER.admin);
    expect(new URL(page.url()).pathname === '/admin/', `admin login landed on ${where(page)}`);
    const newLink = page.locator('main a[href="/admin/posts/new"]');
    must(await newLink.count() >= 1, 'no "Neuer Artikel" link on the dashboard');
    await submit(page, newLink.first());
    must(new URL(page.url()).pathname === '/admin/posts/new', `not on the editor: ${where(page)}`);
    await page.fill('#post-title', X.title);
    await page.fill('#post-slug', PAYLOAD);
    await page.fill('#post-dateline', X.dateline);
    await page.fill('#post-tags', X.tags);
    await page.fill('#post-category', X.category);
    await page.fill('#post-author', X.author);
    await page.fill('#post-lang', 'en"><b>');
    await page.fill('#post-body', X.body);
    const r = await submit(page, page.locator('button[name="action"][value="publish"]'));
    expect(r.status() === 422, `publishing with slug ${JSON.stringify(PAYLOAD)}: status ${r.status()}, expected 422`);
    await expectInert(expect, page, 'editor with errors');
    expect(await page.locator('main .error').count() >= 1, 'no error message');
    expect(await page.inputValue('#post-title') === X.title, `the title was not kept: ${await page.inputValue('#post-title')}`);
    expect(await page.inputValue('#post-dateline') === X.dateline, 'the dateline was not kept');
    expect((await page.inputValue('#post-body')).includes(PAYLOAD), 'the body was not kept');
    // now with a proper address and no language: published
    await page.fill('#post-slug', X.slug);
    await page.fill('#post-lang', '');
    const r2 = await submit(page, page.locator('button[name="action"][value="publish"]'));
    const m = /^\/admin\/posts\/(\d+)$/.exec(new URL(page.url()).pathname);
    must(r2.status() === 200 && m && /done=published/.test(page.url()), `publishing: ${r2.status()} ${where(page)} ${await page.locator('main .error').count() ? `error: ${await text(page.locator('main .error'))}` : ''}`);
    xssId = Number(m[1]);
    xssPath = `/${X.slug}/`;
    await expectInert(expect, page, 'editor after publishing');
    for (const [sel, want] of [['#post-title', X.title], ['#post-dateline', X.dateline], ['#post-category', X.category], ['#post-author', X.author]]) {
      const v = await page.inputValue(sel);
      expect(v === want, `${sel} holds ${JSON.stringify(v)}, expected ${JSON.stringify(want)}`);
    }
    expect(await page.locator(`main a[href="${xssPath}"]`).count() >= 1, `no link to ${xssPath} on the editor`);
  });

  await flow('xss: the article\'s public pages are inert (article, home, tag, category, author archives)', async (expect) => {
    must(xssPath, 'needs the article of the previous flow');
    const pub = reader.page;
    await until(`${xssPath} published`, async () => (await open(pub, xssPath)).status() === 200);
    await expectInert(expect, pub, 'article');
    expect(await text(pub.locator('article h1')) === X.title, `the headline reads "${await text(pub.locator('article h1'))}"`);
    expect((await text(pub.locator('.article-body .dateline'))).includes(X.dateline), 'the dateline is not shown as text');
    const ld = await pub.evaluate(() => { const s = document.querySelector('script[type="application/ld+json"]'); try { return s ? JSON.parse(s.textContent) : null; } catch { return null; } });
    expect(ld && ld.headline === X.title, `JSON-LD headline is ${JSON.stringify(ld && ld.headline)}, expected the title exactly`);
    const links = await pub.evaluate(() => ({
      tag: [...document.querySelectorAll('article a[href^="/tag/"]')].map((a) => a.getAttribute('href')),
      category: [...document.querySelectorAll('article a[href^="/category/"]')].map((a) => a.getAttribute('href')),
      author: [...document.querySelectorAll('article a[href^="/author/"]')].map((a) => a.getAttribute('href')),
    }));
    const pages = [['/', 'home']];
    for (const k of ['tag', 'category', 'author']) {
      if (expect(links[k].length > 0, `no /${k}/ link on the article`)) pages.push([links[k][0], `${k} archive`]);
    }
    for (const [p, label] of pages) {
      const r = await open(pub, p);
      expect(r.status() === 200, `${label} ${p}: status ${r.status()}`);
      await expectInert(expect, pub, label);
    }
  });

  const XC = { name: PAYLOAD, email: `xss-${RUN}@example.org`,
    text: `${PAYLOAD}\nzweite Zeile https://example.org/"onmouseover="window.__xss=1 <a href="javascript:window.__xss=1">klick</a>` };
  await flow('xss: a comment with payloads in name and text is inert in the queue, the editor, on the page, in the feed', async (expect) => {
    must(xssPath, 'needs the article of the previous flows');
    const pub = reader.page;
    await open(pub, xssPath);
    const r = await writeComment(pub, pub.locator('#comments > form.comment-form'), XC);
    S.pending++;
    await expectPendingLanding(expect, pub, r, xssPath, XC);
    await expectInert(expect, pub, 'article after the comment POST');

    const { page } = admin;
    await submit(page, page.locator('nav.admin-nav a[href="/admin/comments"]'));
    await expectInert(expect, page, 'queue (pending)');
    const row = queueRow(page, 'zweite Zeile https://example.org/');
    must(await row.count() === 1, `the comment is ${await row.count()} times in the queue`);
    ids.xss = await rowId(row);
    expect((await text(row.locator('.c-head'))).includes(PAYLOAD), 'the name is not shown as text in the queue');
    await submit(page, row.locator(`a[href="/admin/comments/${ids.xss}/edit"]`));
    expect(new URL(page.url()).pathname === `/admin/comments/${ids.xss}/edit`, `"Bearbeiten" led to ${where(page)}`);
    await expectInert(expect, page, 'comment editor');
    expect((await page.inputValue('#edit-text')).includes(PAYLOAD), 'the comment editor\'s textarea does not hold the text as typed');
    const a = await submit(page, page.locator('main form.row-actions button[value="approve"]'));
    expect(a.status() === 200 && /done=approved/.test(page.url()), `approve from the editor page: ${a.status()} ${where(page)}`);
    S.pending--;
    await expectInert(expect, page, 'queue after approving', { shown: false });
    await open(page, '/admin/comments?status=approved');
    await expectInert(expect, page, 'queue (approved)');

    await until(`the comment on ${xssPath}`, async () => { await open(pub, xssPath); return publicComment(pub, 'zweite Zeile'); });
    await expectInert(expect, pub, 'article with the comment');
    expect(await text(pub.locator(`#comment-${ids.xss} > .comment-meta strong`)) === PAYLOAD, 'the name is not shown as typed');
    expect((await text(pub.locator(`#comment-${ids.xss} > .comment-text`))).includes(PAYLOAD), 'the text is not shown as typed');
    const ugc = await pub.locator(`#comment-${ids.xss} > .comment-text a[href^="https://example.org/"]`).count()
      ? await pub.locator(`#comment-${ids.xss} > .comment-text a[href^="https://example.org/"]`).first().getAttribute('rel') : null;
    if (ugc !== null) expect(/\bnofollow\b/.test(ugc) && /\bugc\b/.test(ugc), `a link in a comment has rel="${ugc}"`);
    // the payloads must come out of every feed as text, never as markup
    for (const p of [`${xssPath}feed/`, `${xssPath}feed/atom/`, `${xssPath}feed/json/`, '/feed/', '/feed/atom/', '/feed/json/']) {
      await expectFeedInert(expect, pub, p, PAYLOAD);
    }
  });

  await flow('xss: the admin post list, search, editor, preview, delete page and audit log are inert', async (expect) => {
    must(xssId, 'needs the article of the previous flows');
    const { page } = admin;
    await submit(page, page.locator('nav.admin-nav a[href="/admin/posts"]'));
    await expectInert(expect, page, 'post list');
    await page.fill('#filter-q', PAYLOAD);
    await submit(page, page.locator('form.filters button[type="submit"]'));
    expect(await page.inputValue('#filter-q') === PAYLOAD, `the search field holds ${JSON.stringify(await page.inputValue('#filter-q'))}`);
    await expectInert(expect, page, 'post search');
    expect(await page.locator(`ul.post-list a[href="/admin/posts/${xssId}"]`).count() >= 1, 'searching for the payload does not find the article');
    await open(page, `/admin/posts/${xssId}`);
    await expectInert(expect, page, 'post editor');
    const pv = await submit(page, page.locator('button[name="action"][value="preview"]'));
    expect(pv.status() === 200, `preview: status ${pv.status()}`);
    await expectInert(expect, page, 'post preview');
    expect(await page.locator('.preview').count() === 1, 'no preview section');
    await open(page, `/admin/posts/${xssId}/delete`);
    await expectInert(expect, page, 'delete confirmation');
    await submit(page, page.locator('nav.admin-nav a[href="/admin/audit"]'));
    await expectInert(expect, page, 'audit log');
  });

  // 6 ------------------------------------------------------------------------------------------
  const B = { title: `Berts Hafenbericht ${RUN}`, body: 'Der Hafen wird ausgebaut.\n' };
  const A = { title: `Annas Bahnbericht ${RUN}`, body: 'Die neue Bahnstrecke ist eröffnet.\n' };
  await flow('author A cannot open, save or delete author B\'s article, and does not see it in her list', async (expect) => {
    // B writes and publishes an article in the editor
    await login(bert, USER.b);
    await open(bert.page, '/admin/posts/new');
    await bert.page.fill('#post-title', B.title);
    await bert.page.fill('#post-body', B.body);
    expect(await bert.page.locator('#post-author').getAttribute('readonly') !== null, 'an author\'s byline field is not read-only');
    await submit(bert.page, bert.page.locator('button[name="action"][value="publish"]'));
    const mb = /^\/admin\/posts\/(\d+)$/.exec(new URL(bert.page.url()).pathname);
    must(mb && /done=published/.test(bert.page.url()), `B's article was not published: ${where(bert.page)}`);
    const bId = Number(mb[1]);
    const bPublic = await bert.page.locator('main .meta a').first().getAttribute('href');
    // A writes a draft of her own
    await login(anna, USER.a);
    const { page } = anna;
    expect(await page.locator('nav.admin-nav a[href="/admin/comments"]').count() === 0, 'an author sees the comments queue in the navigation');
    await open(page, '/admin/posts/new');
    await page.fill('#post-title', A.title);
    await page.fill('#post-body', A.body);
    await submit(page, page.locator('button[name="action"][value="save"]'));
    const ma = /^\/admin\/posts\/(\d+)$/.exec(new URL(page.url()).pathname);
    must(ma && /done=created/.test(page.url()), `A's draft was not saved: ${where(page)}`);
    const aId = Number(ma[1]);
    // A tries B's article
    for (const p of [`/admin/posts/${bId}`, `/admin/posts/${bId}/delete`]) {
      const r = await open(page, p);
      expect(r.status() === 403, `GET ${p} as A: status ${r.status()}, expected 403`);
      expect(/Keine Berechtigung/.test(await text(page.locator('main h1'))), `GET ${p} as A: heading "${await text(page.locator('main h1'))}"`);
      expect(!(await page.content()).includes(B.body.trim()), `GET ${p} as A shows B's text`);
    }
    // ... and the save button of her own editor, aimed at B's article
    await open(page, `/admin/posts/${aId}`);
    await page.fill('#post-title', 'Übernommen von A');
    await page.locator('form.editor').evaluate((f, id) => { f.action = `/admin/posts/${id}`; }, bId);
    const r = await submit(page, page.locator('button[name="action"][value="save"]'));
    expect(r.status() === 403, `saving B's article as A: status ${r.status()}, expected 403`);
    await open(page, '/admin/posts');
    const list = await text(page.locator('main'));
    expect(list.includes(A.title), 'A\'s own article is not in her list');
    expect(!list.includes(B.title), 'B\'s article is in A\'s list');
    expect(await page.locator(`a[href="/admin/posts/${bId}"]`).count() === 0, 'A\'s list links to B\'s editor');
    // nothing changed: B still sees the title and the public page has it
    await open(bert.page, `/admin/posts/${bId}`);
    expect(await bert.page.inputValue('#post-title') === B.title, `B's title is now ${JSON.stringify(await bert.page.inputValue('#post-title'))}`);
    if (bPublic) {
      const pr = await open(reader.page, bPublic);
      expect(pr.status() === 200 && (await text(reader.page.locator('article h1'))) === B.title, `B's public page ${bPublic}: ${pr.status()} "${await text(reader.page.locator('article h1'))}"`);
    }
  });

  // 7 ------------------------------------------------------------------------------------------
  const EMAIL = `leserin-${RUN}@example.net`;
  await flow('a reader signs up in the box, confirms from the received mail, and unsubscribes', async (expect) => {
    must(S.smtp, 'no SMTP server (--smtp-port)');
    const page = (await newSession(browser, 'subscriber')).page;
    await open(page, '/');
    const box = page.locator('form.signup-form').first();
    must(await box.count() === 1, 'no sign-up box on the home page');
    await box.locator('input[name="email"]').fill(EMAIL);
    const r = await submit(page, box.locator('button[type="submit"]'));
    must(r.status() === 200 && /^\/subscribe\/\?sent=1$/.test(where(page)), `after signing up: ${r.status()} ${where(page)}`);
    const mail = await until('the confirmation mail', () => S.smtp.messages.find((m) => m.to.includes(EMAIL)), 20_000);
    const { subject, text: body } = mailText(mail.raw);
    expect(subject.length > 0, 'the confirmation mail has no subject');
    const link = /https?:\/\/[^\s]+(\/subscribe\/confirm\/\?t=[0-9a-f]+)/.exec(body);
    must(link, `no confirmation link in the mail text: ${JSON.stringify(body.slice(0, 300))}`);
    S.mailPages.push(['subscribe-confirm', link[1]]);
    const c = await open(page, link[1]);
    must(c.status() === 200, `GET ${link[1]}: ${c.status()}`);
    const c2 = await submit(page, page.locator('form.signup-form button[type="submit"]'));
    must(c2.status() === 200, `confirming: ${c2.status()} ${where(page)}`);
    expect((await text(page.locator('main'))).includes(EMAIL), 'the confirmed page does not name the address');
    const prefs = await page.locator('a[href*="/subscribe/preferences/"]').first().getAttribute('href');
    must(prefs, 'no link to the preferences on the confirmed page');
    const pp = new URL(prefs, baseURL);
    S.mailPages.push(['subscribe-preferences', pp.pathname + pp.search]);
    S.mailPages.push(['unsubscribe', `/unsubscribe/${pp.search}`]);
    await open(page, pp.pathname + pp.search);
    const u = await submit(page, page.locator('form[action*="/unsubscribe/"] button[type="submit"]'));
    must(u.status() === 200 && new URL(page.url()).pathname === '/unsubscribe/', `unsubscribing: ${u.status()} ${where(page)}`);
    // The preferences page now knows no newsletter and no topics for the address.
    await open(page, pp.pathname + pp.search);
    expect(await page.locator('input[name="newsletter"]:checked').count() === 0, 'after unsubscribing the newsletter is still ticked');
  });

  // 8 ------------------------------------------------------------------------------------------
  const WORD = opt.search || 'Donaudampfschifffahrtsgesellschaftskapitänsmütze';
  await flow(`a reader types "${WORD}" into the header search box, sees it marked in the results, opens the first and lands on ${art}`, async (expect) => {
    const { page } = reader;
    await open(page, '/');
    const box = page.locator('header form[role="search"]');
    must(await box.count() === 1, `${await box.count()} search forms with role="search" in the site header, expected 1`);
    const field = box.locator('input[name="s"]');
    const label = await field.evaluate((el) => (el.labels && el.labels[0] ? el.labels[0].textContent.trim() : ''));
    expect(label.length > 0, 'the header search field has no <label>');
    await field.fill(WORD);
    const r = await submit(page, box.locator('button[type="submit"]'));
    must(r.status() === 200, `the search answered ${r.status()} on ${where(page)}`);
    expect(new URL(page.url()).pathname.startsWith('/search/'), `the search box led to ${where(page)}, expected /search/…`);
    expect(await page.inputValue('main input[name="s"]') === WORD, `the search field on the results page holds ${JSON.stringify(await page.inputValue('main input[name="s"]'))}`);
    const results = page.locator('ol.search-results > li');
    must(await results.count() >= 1, `no results for "${WORD}": ${await text(page.locator('main'))}`.slice(0, 300));
    expect(/Treffer für/.test(await text(page.locator('main h1'))), `the heading says "${await text(page.locator('main h1'))}"`);
    const marked = (await results.first().locator('mark').allTextContents()).map((m) => m.toLowerCase());
    expect(marked.some((m) => m.includes(WORD.toLowerCase())), `the first result marks ${JSON.stringify(marked)}, not "${WORD}"`);
    const markBg = await results.first().locator('mark').first().evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(markBg && markBg !== 'rgba(0, 0, 0, 0)', 'the <mark> is not highlighted (transparent background)');
    const link = results.first().locator('h2 a');
    const href = await link.getAttribute('href');
    const title = await text(link);
    await submit(page, link);
    expect(new URL(page.url()).pathname === href, `clicking the first result led to ${where(page)}, expected ${href}`);
    expect(new URL(page.url()).pathname === art, `the first result for "${WORD}" is ${href}, expected ${art}`);
    expect(await text(page.locator('article h1')) === title, `the article's heading "${await text(page.locator('article h1'))}" is not the result's title "${title}"`);
  });

  return { reader, admin, ids };
}

// ---------------------------------------------------------------- main
async function main() {
  if (argError) throw argError;
  if (!PASSWORD) throw new Error('DEPESCHE_TEST_PASSWORD is not set (run.sh creates the accounts and sets it)');
  baseURL = new URL(`${opt.base}/`);
  if (opt.shots) fs.mkdirSync(opt.shots, { recursive: true });
  if (opt['smtp-port']) S.smtp = await startSmtpSink(Number(opt['smtp-port']));
  const browser = await launchChromium();
  note(`flows: chromium ${browser.version()}, viewport ${WIDTH}x${HEIGHT} (mobile), ${opt.base}`);
  try {
    const { reader, admin, ids } = await flows(browser);

    // vnu, axe light/dark and width on the pages visited
    let editorPath = null;
    try {
      await open(admin.page, `/admin/posts?q=${encodeURIComponent('Donaudampfschifffahrtsgesellschaftskapitänsmütze')}`);
      editorPath = await admin.page.locator('ul.post-list h3 a').first().getAttribute('href', { timeout: 3_000 });
    } catch (e) {
      report('post editor of the German article found via the post search', [firstLine(e)]);
    }
    await auditPage(reader, 'admin-login', '/admin/login');
    await auditPage(admin, 'admin-dashboard', '/admin/');
    await auditPage(admin, 'admin-queue', '/admin/comments');
    // the comment the CSRF flow left pending (it is in the queue page above too)
    if (ids.c2) await auditPage(admin, 'admin-comment-edit', `/admin/comments/${ids.c2}/edit`);
    else report('admin comment editor page', ['no comment id from the CSRF flow']);
    await auditPage(admin, 'admin-posts', '/admin/posts');
    if (editorPath) await auditPage(admin, 'admin-post-editor', editorPath);
    await auditPage(admin, 'admin-audit', '/admin/audit');
    await auditPage(admin, 'admin-subscribers', '/admin/subscribers');
    await auditPage(admin, 'admin-newsletters', '/admin/newsletters');
    await auditPage(admin, 'admin-newsletter-week', '/admin/newsletters/new?from=week');
    await auditPage(admin, 'admin-outbox', '/admin/outbox');
    await auditPage(admin, 'admin-settings', '/admin/settings');
    await auditPage(reader, 'subscribe', '/subscribe/');
    for (const [name, p] of S.mailPages) {
      if (name !== 'subscribe-confirm') await auditPage(reader, name, p);
    }
    await auditPage(reader, 'article-with-comments', opt.article, {
      prepare: () => { for (const d of document.querySelectorAll('details')) d.open = true; },
    });
  } finally {
    await withTimeout(browser.close(), 10_000, 'closing chromium').catch(() => {});
    if (S.smtp) await S.smtp.close();
  }
  await vnuAll();
  report('no JavaScript dialog opened during the flows', S.dialogs);
  if (S.pageErrors.length) note(`uncaught page errors: ${S.pageErrors.slice(0, 5).join(' | ')}`);
  if (S.blocked.size) note(`blocked ${S.blocked.size} request(s) to other origins: ${[...S.blocked].slice(0, 5).join(' ')}`);
}

const T0 = Date.now();
const timer = setTimeout(() => {
  report('whole flows run', [`did not finish within ${TOTAL_TIMEOUT_MS} ms`]);
  rep.serverLog(opt['server-log']);
  rep.finish();
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

try {
  await main();
} catch (e) {
  report('flows setup', [e.stack || e.message]);
}
clearTimeout(timer);
note(`flows took ${((Date.now() - T0) / 1000).toFixed(1)} s`);
rep.serverLog(opt['server-log']);
rep.finish();
process.exit(rep.failed ? 1 : 0);
