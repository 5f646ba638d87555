// tests/browser/lib.mjs — what check.mjs and flows.mjs share: reporting ("ok - …"/"not ok - …"
// and the summary), timeouts, the Nu Html Checker, axe-core and 390 px width helpers, and how
// Chromium (Debian's, never a downloaded one) is started so that nothing leaves 127.0.0.1.

import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const require = createRequire(path.join(HERE, 'package.json'));

export const WIDTH = 390;            // iPhone 12–15 class phone, CSS px
export const HEIGHT = 844;
export const EPS = 0.5;              // sub-pixel rounding tolerance
export const FETCH_TIMEOUT_MS = 10_000;
export const NAV_TIMEOUT_MS = 15_000;
export const VNU_TIMEOUT_MS = 60_000;
export const AXE_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------- arguments
// --name VALUE or --name=VALUE, every option takes a value.
export function parseArgs(argv, required = []) {
  const o = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new Error(`unexpected argument: ${a}`);
    const v = m[2] !== undefined ? m[2] : argv[++i];
    if (v === undefined) throw new Error(`missing value for --${m[1]}`);
    o[m[1]] = v;
  }
  for (const r of required) if (!o[r]) throw new Error(`--${r} is required`);
  if (o.base) o.base = o.base.replace(/\/+$/, '');
  return o;
}

// ---------------------------------------------------------------- reporting
// One line per test, "ok - NAME" or "not ok - NAME" followed by "#"-prefixed reasons. finish()
// prints "browser: N passed, N failed" as the last line — or, with a summary file (run.sh adds
// up several scripts), writes "N M" there and prints a "# NAME: …" comment instead.
export function makeReporter({ summaryFile = null, label = 'browser' } = {}) {
  const r = {
    passed: 0,
    failed: 0,
    finished: false,
    report(name, reasons) {
      if (reasons.length === 0) {
        r.passed++;
        console.log(`ok - ${name}`);
      } else {
        r.failed++;
        console.log(`not ok - ${name}`);
        for (const x of reasons) for (const line of String(x).split('\n')) console.log(`#   ${line}`);
      }
    },
    note(msg) { for (const line of String(msg).split('\n')) console.log(`# ${line}`); },
    finish() {
      if (r.finished) return;
      r.finished = true;
      if (summaryFile) {
        try {
          fs.writeFileSync(summaryFile, `${r.passed} ${r.failed}\n`);
          console.log(`# ${label}: ${r.passed} passed, ${r.failed} failed`);
          return;
        } catch (e) {
          console.log(`# cannot write ${summaryFile}: ${e.message}`);
        }
      }
      console.log(`browser: ${r.passed} passed, ${r.failed} failed`);
    },
    // The server's stderr (given by run.sh), shown when something failed.
    serverLog(file) {
      if (!file || !r.failed) return;
      try {
        const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim());
        if (lines.length) r.note(`server stderr (last ${Math.min(20, lines.length)} of ${lines.length} lines):\n${lines.slice(-20).map((l) => `  ${l}`).join('\n')}`);
      } catch { /* no log */ }
    },
  };
  return r;
}

export function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([
    promise.finally(() => clearTimeout(t)),
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]);
}

export async function fetchPage(url) {
  const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  const body = await res.text();
  return { status: res.status, type: res.headers.get('content-type') || '', location: res.headers.get('location'), body };
}

export function vnuJarPath() {
  // The vnu-jar package exports the jar's path as its value (require.resolve gives vnu-jar.js).
  const candidates = [];
  try { candidates.push(String(require('vnu-jar'))); } catch { /* fall through */ }
  try { candidates.push(path.join(path.dirname(require.resolve('vnu-jar/package.json')), 'build', 'dist', 'vnu.jar')); } catch { /* fall through */ }
  for (const c of candidates) if (c.endsWith('.jar') && fs.existsSync(c)) return c;
  throw new Error('vnu.jar not found (is tests/browser/node_modules installed? run.sh does it)');
}

// Runs the Nu Html Checker once over all files (one JVM start). Returns Map(file -> messages).
export function runVnu(files) {
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

export function formatVnu(m) {
  const where = m.lastLine !== undefined
    ? `line ${m.firstLine ?? m.lastLine}${m.firstColumn !== undefined ? `:${m.firstColumn}` : ''}` : 'document';
  const extract = m.extract ? `  [${m.extract.replace(/\s+/g, ' ').trim().slice(0, 160)}]` : '';
  return `vnu ${m.type}${m.subType ? `/${m.subType}` : ''} ${where}: ${m.message}${extract}`;
}

export function formatAxe(v) {
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


// Runs in the page: everything that sticks out to the right of the 390 px layout viewport.
export function measureWidth({ W, EPS }) {
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

// ---------------------------------------------------------------- chromium
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage', '--no-pings', '--dns-prefetch-disable',
  // belt and braces: no host name but 127.0.0.1/localhost resolves, so nothing leaves the machine
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'];

export async function launchChromium() {
  const { chromium } = require('playwright-core');
  return withTimeout(chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  }), 35_000, 'launching chromium');
}

// Every request to another origin than the server under test is aborted and remembered.
export async function confineToOrigin(context, baseURL, blocked) {
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin === baseURL.origin || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
    blocked.add(u.href);
    return route.abort('blockedbyclient');
  });
}

// A tiny SMTP server on 127.0.0.1:port for the mail flows: accepts every message and keeps it
// ({ from, to: [...], raw }). Speaks what libcurl's SMTP client uses (EHLO/HELO, MAIL, RCPT,
// DATA, RSET, NOOP, QUIT). close() stops it.
export function startSmtpSink(port) {
  const net = require('node:net');
  const messages = [];
  const server = net.createServer((sock) => {
    let buf = '';
    let data = null;          // lines of the message while in DATA
    let env = { from: '', to: [] };
    sock.setEncoding('latin1');  // bytes as they come (the messages are 7-bit anyway)
    sock.write('220 sink.test ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (data) {
          if (line === '.') {
            messages.push({ from: env.from, to: env.to, raw: data.join('\r\n') + '\r\n' });
            data = null;
            env = { from: '', to: [] };
            sock.write('250 2.0.0 kept\r\n');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-sink.test\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') { env.from = (/<([^>]*)>/.exec(line) || [])[1] || ''; sock.write('250 ok\r\n'); }
        else if (verb === 'RCPT') { env.to.push((/<([^>]*)>/.exec(line) || [])[1] || ''); sock.write('250 ok\r\n'); }
        else if (verb === 'DATA') { data = []; sock.write('354 go ahead\r\n'); }
        else if (verb === 'QUIT') { sock.end('221 bye\r\n'); }
        else sock.write('250 ok\r\n');
      }
    });
    sock.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({
      messages,
      close: () => new Promise((r) => { server.close(() => r()); }),
    }));
  });
}

// The text/plain part of a message from startSmtpSink, decoded (quoted-printable, UTF-8), and
// its decoded Subject. Enough MIME for the site's own mails; the integration tests read them
// with Python's full email parser.
export function mailText(raw) {
  const qp = (s) => Buffer.from(s.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi,
    (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  const head = raw.slice(0, raw.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
  const subject = ((/^Subject: (.*)$/mi.exec(head) || [])[1] || '').replace(/=\?UTF-8\?Q\?([^?]*)\?=\s*/gi,
    (_, q) => qp(q.replace(/_/g, ' ')));
  const m = /Content-Type: text\/plain[^]*?\r\n\r\n([^]*?)(?:\r\n--[^\r\n]+|$)/i.exec(raw);
  return { subject, text: m ? qp(m[1]) : '' };
}
