// End-to-end test of the tracker: a real (headless) Chromium loads test pages
// that embed snippet.html, a local HTTP server records every pixel request, and
// the recorded requests, written as CloudFront real-time log lines, go through
// `pixelstream replay`.
//
//   node --test tracker/test.mjs          (from the project root; needs `npm ci` in tracker/)
//
// Environment: PIXELSTREAM_BIN (default target/release/pixelstream, else
// target/debug/pixelstream), CHROMIUM (default /usr/bin/chromium),
// TRACKER_TEST_LOG=FILE (also write the generated log lines to FILE).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build, GZIP_LIMIT } from './build.mjs';
import { GIF, GIF_FILES } from './gifs.mjs';

const TRACKER_DIR = path.dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = path.resolve(TRACKER_DIR, '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SALT = 'tracker-test';
const EXTERNAL_REFERRER = 'http://news.example.org/articles/42?id=7';
const VIEWPORT = { width: 1280, height: 720 };
const LOCALE = 'de-DE';
const TIMEZONE = 'Europe/Berlin';

// The only query keys the tracker may send (the tracker protocol, src/query.rs).
const PAGEVIEW_KEYS = ['t', 'ts', 'u', 'hn', 'pa', 'r', 'ua', 'iw', 'ih', 'w', 'h', 'd', 'l', 'p', 'm', 'c', 'tz'];
const UTM_KEYS = ['uso', 'uca', 'ume', 'uco', 'ute'];
const EVENT_KEYS = ['t', 'ts', 'u', 'hn', 'pa', 'en', 'pr', 'l', 'tz', 'w', 'h'];

function pixelstreamBin() {
  if (process.env.PIXELSTREAM_BIN) return path.resolve(process.env.PIXELSTREAM_BIN);
  const candidates = ['release', 'debug'].map((p) => path.join(PROJECT_ROOT, 'target', p, 'pixelstream'));
  return candidates.find((c) => existsSync(c)) || candidates[0];
}

// ---------------------------------------------------------------------------
// The local server: the site (http://localhost:PORT) and the pixel host
// (http://127.0.0.1:PORT) are one server under two host names, so the pixel is
// cross-origin to the page, as in production.

const hits = []; // every /hello.gif and /noscript.gif request, in arrival order
let scenario = 'none'; // label of the running scenario, stored with each hit
let server;
let port;
let pixelOrigin; // http://127.0.0.1:PORT
let siteOrigin; // http://localhost:PORT
let trackerCode;
let sizes;

const snippet = readFileSync(path.join(TRACKER_DIR, 'snippet.html'), 'utf8');
const STUB =
  '<script>window.pixelstream=window.pixelstream||{track:function(){' +
  '(window.pixelstream.q=window.pixelstream.q||[]).push(arguments)}}</script>';

// The test pages: snippet.html as a site owner pastes it, with PIXEL_HOST
// filled in; variants add the documented options.
function pageHtml(variant) {
  let html = snippet.replaceAll('https://PIXEL_HOST', pixelOrigin);
  const script = `<script defer src="${pixelOrigin}/pixelstream.js"`;
  assert.ok(html.includes(script), 'snippet.html has the script tag');
  if (variant === 'app') {
    // script served by the site itself, pixel origin given explicitly
    html = html.replace(script, `<script defer src="/pixelstream.js" data-origin="${pixelOrigin}"`);
  } else if (variant === 'dnt') {
    html = html.replace(script, `${script} data-respect-dnt="true"`);
  } else if (variant === 'raw') {
    // the unminified source, as it is in the repository (usable without a build step)
    html = html.replace(script, `<script defer src="${pixelOrigin}/pixelstream.src.js"`);
  } else if (variant === 'queued') {
    html = `${STUB}\n<script>pixelstream.track('early', {queued: true})</script>\n${html}`;
  }
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>pixelstream ${variant}</title>\n${html}</head>\n<body><h1>${variant}</h1><p><a id="in-page" href="#section">section</a></p><h2 id="section">Section</h2></body></html>\n`;
}

function requestBytes(req) {
  let n = Buffer.byteLength(`${req.method} ${req.url} HTTP/${req.httpVersion}\r\n\r\n`);
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    n += Buffer.byteLength(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`);
  }
  return n;
}

function handle(req, res) {
  const q = req.url.indexOf('?');
  const pathname = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const noStore = { 'Cache-Control': 'no-store' };
  if (pathname === '/hello.gif' || pathname === '/noscript.gif') {
    hits.push({
      scenario,
      at: Date.now(),
      host: req.headers.host,
      path: pathname,
      query,
      userAgent: req.headers['user-agent'] || '',
      referer: req.headers.referer || '',
      cookie: req.headers.cookie,
      bytes: requestBytes(req),
      clientIp: req.socket.remoteAddress,
    });
    res.writeHead(200, { 'Content-Type': 'image/gif', 'Content-Length': GIF.length, ...noStore });
    res.end(GIF);
  } else if (pathname === '/pixelstream.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', ...noStore });
    res.end(trackerCode);
  } else if (pathname === '/pixelstream.src.js') {
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', ...noStore });
    res.end(readFileSync(path.join(TRACKER_DIR, 'pixelstream.js')));
  } else if (pathname === '/probe/hello.gif' || pathname === '/probe/noscript.gif') {
    // the committed GIF files, not recorded as hits
    const file = GIF_FILES.find((f) => f.endsWith(pathname.slice('/probe/'.length)));
    res.writeHead(200, { 'Content-Type': 'image/gif', ...noStore });
    res.end(readFileSync(file));
  } else {
    const variant = pathname.split('/')[1];
    if (pathname === '/blank') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...noStore });
      res.end('<!doctype html><title>blank</title><p>no tracker here</p>\n');
    } else if (['landing', 'app', 'dnt', 'queued', 'raw'].includes(variant)) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', ...noStore });
      res.end(pageHtml(variant));
    } else {
      res.writeHead(404, noStore);
      res.end();
    }
  }
}

// ---------------------------------------------------------------------------
// Browser helpers

const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
let browser;

// Counts every access to cookies and web storage made by page scripts.
function storageSpy() {
  const touches = [];
  Object.defineProperty(window, '__storageTouches', { value: touches });
  for (const name of ['localStorage', 'sessionStorage', 'indexedDB', 'caches']) {
    const d = Object.getOwnPropertyDescriptor(window, name) || Object.getOwnPropertyDescriptor(Window.prototype, name);
    if (!d || !d.get) continue;
    Object.defineProperty(window, name, {
      configurable: true,
      enumerable: d.enumerable,
      get() {
        touches.push(name);
        return d.get.call(window);
      },
    });
  }
  const c = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() {
      touches.push('cookie read');
      return c.get.call(this);
    },
    set(v) {
      touches.push('cookie write');
      c.set.call(this, v);
    },
  });
  if (window.cookieStore) {
    Object.defineProperty(window, 'cookieStore', {
      configurable: true,
      get() {
        touches.push('cookieStore');
      },
    });
  }
}

async function newContext(options = {}, initScripts = []) {
  const context = await browser.newContext({
    viewport: VIEWPORT,
    locale: LOCALE,
    timezoneId: TIMEZONE,
    ...options,
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(10_000);
  if (options.javaScriptEnabled !== false) {
    await context.addInitScript(storageSpy);
    for (const s of initScripts) await context.addInitScript(s);
  }
  return context;
}

// Nothing stored, nothing read: no cookies in the jar, no storage access by scripts.
async function assertNoStorage(context, page) {
  assert.deepEqual(await context.cookies(), [], 'no cookies');
  const touches = await page.evaluate(() => window.__storageTouches.slice());
  assert.deepEqual(touches, [], 'no cookie or storage access');
  const state = await context.storageState();
  assert.deepEqual(state.cookies, []);
  for (const o of state.origins) assert.deepEqual(o.localStorage, [], `no localStorage for ${o.origin}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Waits (bounded) until `count` hits of the current scenario have arrived.
async function waitForHits(count, { timeout = 5_000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const mine = hits.filter((h) => h.scenario === scenario);
    if (mine.length >= count) return mine;
    if (Date.now() > deadline) {
      assert.fail(`expected ${count} pixel hit(s) in "${scenario}", got ${mine.length}: ${JSON.stringify(mine.map((h) => h.path + '?' + h.query))}`);
    }
    await sleep(25);
  }
}

// After the expected hits: wait a little longer and make sure no more arrive.
async function settle(count, ms = 400) {
  await sleep(ms);
  const mine = hits.filter((h) => h.scenario === scenario);
  assert.equal(mine.length, count, `exactly ${count} hit(s) in "${scenario}": ${JSON.stringify(mine.map((h) => h.path + '?' + h.query))}`);
  return mine;
}

const params = (hit) => Object.fromEntries(new URLSearchParams(hit.query));
const keys = (hit) => [...new URLSearchParams(hit.query).keys()];

// ---------------------------------------------------------------------------

before(async () => {
  const built = await build();
  trackerCode = built.code;
  sizes = built.sizes;
  server = createServer(handle);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  port = server.address().port;
  pixelOrigin = `http://127.0.0.1:${port}`;
  siteOrigin = `http://localhost:${port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [...LAUNCH_ARGS, `--host-resolver-rules=MAP localhost 127.0.0.1`],
    timeout: 30_000,
  });
});

after(async () => {
  await browser?.close();
  if (server) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test('build: minified tracker within the size budget', (t) => {
  t.diagnostic(`pixelstream.js: raw ${sizes.raw} B, min ${sizes.min} B, gzip ${sizes.gzip} B (limit ${GZIP_LIMIT} B)`);
  assert.ok(sizes.gzip <= GZIP_LIMIT, `gzip ${sizes.gzip} B > ${GZIP_LIMIT} B`);
  assert.ok(sizes.min < sizes.raw);
  for (const file of GIF_FILES) {
    const bytes = readFileSync(file);
    assert.equal(bytes.length, 43, file);
    assert.equal(bytes.subarray(0, 6).toString('latin1'), 'GIF89a', file);
    assert.ok(bytes.equals(GIF), `${file} is the 1x1 transparent GIF`);
  }
});

test('GIFs: Chromium decodes 1x1 fully transparent images', async () => {
  scenario = 'gif-probe';
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${siteOrigin}/blank`);
  const result = await page.evaluate(async (origin) => {
    const out = [];
    for (const name of ['hello.gif', 'noscript.gif']) {
      const img = new Image();
      img.crossOrigin = 'anonymous';
      img.src = `${origin}/probe/${name}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 1;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      out.push([img.naturalWidth, img.naturalHeight, ctx.getImageData(0, 0, 1, 1).data[3]]);
    }
    return out;
  }, siteOrigin);
  assert.deepEqual(result, [[1, 1, 0], [1, 1, 0]]);
  await context.close();
});

let landing; // { page, context, url } shared by the page-view and event scenarios

test('page view: protocol fields, UTM tags, referrer', async () => {
  scenario = 'pageview';
  const context = await newContext();
  const page = await context.newPage();
  const browserRequests = [];
  page.on('request', (r) => browserRequests.push(r.url()));
  const url = `${siteOrigin}/landing?utm_source=newsletter&utm_campaign=spring%20sale&utm_medium=email#top`;
  await page.goto(url, { referer: EXTERNAL_REFERRER, waitUntil: 'load' });
  const [hit] = await waitForHits(1);
  await settle(1);
  landing = { context, page, url };

  const browserFacts = await page.evaluate(() => ({
    ua: navigator.userAgent,
    referrer: document.referrer,
    w: screen.width,
    h: screen.height,
    d: screen.colorDepth,
    p: navigator.platform,
    m: navigator.deviceMemory,
    c: navigator.hardwareConcurrency,
  }));
  assert.equal(hit.path, '/hello.gif');
  assert.equal(hit.host, `127.0.0.1:${port}`, 'default pixel origin = the script origin');
  assert.equal(hit.cookie, undefined, 'no Cookie header');
  const q = params(hit);
  assert.equal(q.t, 'pv');
  assert.ok(Math.abs(Number(q.ts) - hit.at) < 10_000, 'ts is Date.now()');
  assert.equal(q.u, url);
  assert.equal(q.hn, 'localhost');
  assert.equal(q.pa, '/landing');
  assert.ok(browserFacts.referrer.startsWith('http://news.example.org/'), browserFacts.referrer);
  assert.equal(q.r, browserFacts.referrer);
  assert.equal(q.ua, browserFacts.ua);
  assert.equal(q.ua, hit.userAgent);
  assert.equal(q.iw, String(VIEWPORT.width));
  assert.equal(q.ih, String(VIEWPORT.height));
  assert.equal(q.w, String(browserFacts.w));
  assert.equal(q.h, String(browserFacts.h));
  assert.equal(q.d, String(browserFacts.d));
  assert.equal(q.l, LOCALE);
  assert.equal(q.p, browserFacts.p);
  assert.equal(q.m, String(browserFacts.m));
  assert.equal(q.c, String(browserFacts.c));
  assert.equal(q.tz, TIMEZONE);
  assert.equal(q.uso, 'newsletter');
  assert.equal(q.uca, 'spring sale');
  assert.equal(q.ume, 'email');
  assert.deepEqual(keys(hit), [...PAGEVIEW_KEYS, 'uso', 'uca', 'ume'], 'only the listed fields, in order');
  // values are encoded with encodeURIComponent: the raw query has no reserved characters unescaped
  assert.match(hit.query, /(^|&)u=http%3A%2F%2Flocalhost%3A\d+%2Flanding%3Futm_source%3Dnewsletter%26/);
  assert.match(hit.query, /&uca=spring%20sale(&|$)/);
  assert.ok(!browserRequests.some((u) => u.includes('/noscript.gif')), 'noscript pixel not loaded with JavaScript on');
  assert.equal(await page.evaluate(() => typeof window.pixelstream.track), 'function');
  await assertNoStorage(context, page);
});

test('custom event: pixelstream.track(name, props)', async () => {
  scenario = 'event';
  const { context, page, url } = landing;
  await page.evaluate(() => window.pixelstream.track('signup', { plan: 'pro' }));
  const [hit] = await waitForHits(1);
  await page.evaluate(() => window.pixelstream.track('')); // no name: nothing sent
  await settle(1);
  const q = params(hit);
  assert.deepEqual(keys(hit), EVENT_KEYS);
  assert.equal(q.t, 'tr');
  assert.equal(q.en, 'signup');
  assert.equal(q.pr, '{"plan":"pro"}');
  assert.match(hit.query, /&pr=%7B%22plan%22%3A%22pro%22%7D&/);
  assert.equal(q.u, url);
  assert.equal(q.hn, 'localhost');
  assert.equal(q.pa, '/landing');
  assert.equal(q.l, LOCALE);
  assert.equal(q.tz, TIMEZONE);
  assert.match(q.w, /^\d+$/);
  assert.match(q.h, /^\d+$/);
  await assertNoStorage(context, page);
  await context.close();
});

test('the unminified source works as it is', async () => {
  scenario = 'raw';
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${siteOrigin}/raw/?utm_source=src`);
  const [hit] = await waitForHits(1);
  await page.evaluate(() => window.pixelstream.track('raw-event'));
  const [, ev] = await waitForHits(2);
  await settle(2);
  assert.deepEqual(keys(hit), [...PAGEVIEW_KEYS, 'uso']);
  assert.equal(params(hit).pa, '/raw/');
  assert.deepEqual(keys(ev), EVENT_KEYS.filter((k) => k !== 'pr'));
  await assertNoStorage(context, page);
  await context.close();
});

test('single-page app: pushState and popstate are page views, replaceState and fragments are not', async () => {
  scenario = 'spa';
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${siteOrigin}/app/`);
  await waitForHits(1);
  await page.evaluate(() => history.pushState({}, '', '/app/pricing'));
  await waitForHits(2);
  await page.evaluate(() => history.replaceState({}, '', '/app/pricing?tab=yearly')); // no page view
  await page.evaluate(() => history.pushState({}, '', location.href)); // same URL: no page view
  await page.evaluate(() => history.pushState({}, '', '/app/docs'));
  await waitForHits(3);
  await page.click('#in-page'); // fragment navigation (fires popstate): same page
  await page.waitForFunction(() => location.hash === '#section');
  await page.evaluate(() => history.back()); // back to /app/docs from #section: same page
  await page.waitForFunction(() => location.hash === '');
  await page.evaluate(() => history.go(-2)); // skip the duplicate entry, to /app/pricing?tab=yearly
  await waitForHits(4);
  await page.evaluate(() => history.back()); // to /app/
  await waitForHits(5);
  const spa = await settle(5);

  const views = spa.map((h) => params(h));
  assert.ok(views.every((v) => v.t === 'pv'));
  assert.ok(spa.every((h) => h.host === `127.0.0.1:${port}`), 'data-origin is used');
  assert.deepEqual(
    views.map((v) => v.u.slice(siteOrigin.length)),
    ['/app/', '/app/pricing', '/app/docs', '/app/pricing?tab=yearly', '/app/'],
  );
  assert.deepEqual(views.map((v) => v.pa), ['/app/', '/app/pricing', '/app/docs', '/app/pricing', '/app/']);
  // the referrer of an in-app page view is the previous page of the app
  assert.deepEqual(
    views.map((v) => v.r.slice(siteOrigin.length)),
    ['', '/app/', '/app/pricing?tab=yearly', '/app/docs', '/app/pricing?tab=yearly'],
  );
  await assertNoStorage(context, page);
  await context.close();
});

test('queued calls from the stub are sent once the script has loaded', async () => {
  scenario = 'queued';
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${siteOrigin}/queued`);
  const queued = await waitForHits(2);
  await settle(2);
  assert.deepEqual(queued.map((h) => params(h).t), ['pv', 'tr']);
  assert.equal(params(queued[1]).en, 'early');
  assert.equal(params(queued[1]).pr, '{"queued":true}');
  await assertNoStorage(context, page);
  await context.close();
});

const GPC = () => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true });
const DNT = () => Object.defineProperty(Navigator.prototype, 'doNotTrack', { configurable: true, get: () => '1' });

for (const [name, signal] of [['Global Privacy Control', GPC], ['Do Not Track', DNT]]) {
  test(`${name}, site opted in (data-respect-dnt="true"): nothing is sent`, async () => {
    scenario = `optout-${name}`;
    const context = await newContext({}, [signal]);
    const page = await context.newPage();
    const attempted = [];
    page.on('request', (r) => {
      if (/\/(hello|noscript)\.gif/.test(r.url())) attempted.push(r.url());
    });
    await page.goto(`${siteOrigin}/dnt/`);
    await page.waitForFunction(() => window.pixelstream && window.pixelstream.loaded);
    await page.evaluate(() => {
      window.pixelstream.track('signup', { plan: 'pro' });
      history.pushState({}, '', '/dnt/next');
    });
    await settle(0, 600);
    assert.deepEqual(attempted, [], 'the browser made no pixel request');
    await assertNoStorage(context, page);
    await context.close();
  });
}

test('privacy signal without the opt-in attribute, and opt-in without a signal: tracked', async () => {
  scenario = 'gpc-not-opted-in';
  let context = await newContext({}, [GPC, DNT]);
  let page = await context.newPage();
  await page.goto(`${siteOrigin}/landing`);
  await waitForHits(1);
  await settle(1);
  await context.close();

  scenario = 'opted-in-no-signal';
  context = await newContext();
  page = await context.newPage();
  await page.goto(`${siteOrigin}/dnt/`);
  const [hit] = await waitForHits(1);
  await settle(1);
  assert.equal(params(hit).pa, '/dnt/');
  await context.close();
});

test('JavaScript disabled: the noscript pixel is loaded, with the page as Referer', async () => {
  scenario = 'noscript';
  const context = await newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const url = `${siteOrigin}/landing?from=noscript`;
  await page.goto(url, { referer: EXTERNAL_REFERRER });
  const [hit] = await waitForHits(1);
  await settle(1);
  assert.equal(hit.path, '/noscript.gif');
  assert.equal(hit.query, '');
  assert.equal(hit.host, `127.0.0.1:${port}`);
  // cross-origin, yet the full page URL: the snippet's referrerpolicy attribute
  assert.equal(hit.referer, url);
  assert.equal(hit.cookie, undefined);
  assert.deepEqual(await context.cookies(), []);
  await context.close();
});

// ---------------------------------------------------------------------------
// CloudFront real-time log lines, `default` field list (14 fields):
// timestamp c-ip sc-status cs-uri-stem cs-bytes x-edge-location x-edge-request-id
// time-taken cs-user-agent cs-referer cs-uri-query x-edge-result-type c-country asn

// CloudFront percent-encodes the user agent once: spaces, controls, non-ASCII
// and characters unsafe in URLs; `(`, `)`, `;`, `,`, `/`, `:` stay as they are.
function encodeLogValue(value) {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte <= 0x20 || byte >= 0x7f || '"%<>\\^`{|}'.includes(ch)
      ? '%' + byte.toString(16).toUpperCase().padStart(2, '0')
      : ch;
  }
  return out;
}

function logLine(hit) {
  const dash = (v) => (v === '' || v == null ? '-' : v);
  return [
    (hit.at / 1000).toFixed(3),
    hit.clientIp.replace(/^::ffff:/, ''),
    '200',
    hit.path,
    String(hit.bytes),
    'FRA56-P7',
    randomBytes(40).toString('base64'), // 56 characters, like CloudFront's request ids
    '0.001',
    dash(encodeLogValue(hit.userAgent)),
    dash(encodeLogValue(hit.referer)),
    dash(hit.query.replaceAll('%', '%25')), // CloudFront double-encodes the query
    'Hit',
    'DE',
    '3320',
  ].join('\t');
}

test('replay: the recorded hits through `pixelstream replay --fields default`', () => {
  const bin = pixelstreamBin();
  assert.ok(existsSync(bin), `pixelstream CLI not found at ${bin} (build it, or set PIXELSTREAM_BIN)`);
  const replayed = hits.filter((h) => h.scenario !== 'gif-probe');
  const counts = {};
  for (const h of replayed) counts[h.scenario] = (counts[h.scenario] || 0) + 1;
  assert.deepEqual(counts, {
    pageview: 1,
    event: 1,
    spa: 5,
    queued: 2,
    'gpc-not-opted-in': 1,
    'opted-in-no-signal': 1,
    noscript: 1,
    raw: 2,
  });
  const lines = replayed.map(logLine);
  assert.ok(lines.every((l) => l.split('\t').length === 14));
  if (process.env.TRACKER_TEST_LOG) writeFileSync(process.env.TRACKER_TEST_LOG, lines.join('\n') + '\n');
  const run = spawnSync(bin, ['replay', '--fields', 'default', '--domains', 'localhost'], {
    input: lines.join('\n') + '\n',
    env: { ...process.env, PIXELSTREAM_SALT: SALT },
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(run.error, undefined, String(run.error));
  assert.equal(run.status, 0, `pixelstream replay failed: ${run.stderr}`);
  const out = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(out.length, lines.length, 'one output line per input line');
  out.forEach((o, i) => assert.equal(o.result, 'Ok', `line ${i} (${replayed[i].scenario}): ${JSON.stringify(o)}\n${lines[i]}`));

  const today = new Date().toISOString().slice(0, 10);
  const by = (name) => out.filter((_, i) => replayed[i].scenario === name);
  for (const o of out) {
    assert.equal(o.partition_keys.domain_name, 'localhost');
    assert.ok(o.partition_keys.event_date === today || Date.now() % 86_400_000 < 60_000);
    const r = o.record;
    assert.ok(['HeadlessChrome', 'Chrome'].includes(r.browser_name), r.browser_name);
    // headless Chromium says so in its user agent: correctly flagged as a bot
    assert.equal(r.request_is_bot, 1);
    assert.ok(r.bot_reasons.includes('headless'), JSON.stringify(r.bot_reasons));
    assert.equal(r.edge_id, 'FRA');
    assert.equal(r.edge_country_code, 'DE');
    assert.equal(r.viewer_country_code, 'DE');
    assert.equal(r.request_asn, 3320);
    assert.equal(r.request_status_code, 200);
    assert.match(r.daily_visitor_id, /\S/);
  }
  assert.equal(new Set(out.map((o) => o.record.page_view_id)).size, out.length, 'page_view_id unique per hit');

  // page view with UTM tags and an external referrer
  const [pv] = by('pageview');
  assert.equal(pv.partition_keys.event_type, 'pageview');
  assert.equal(pv.record.request_path, '/landing');
  assert.equal(pv.record.request_url, `${siteOrigin}/landing`); // scheme://host[:port]/path: no query or fragment
  assert.equal(pv.record.utm_source, 'newsletter');
  assert.equal(pv.record.utm_campaign, 'spring sale');
  assert.equal(pv.record.utm_medium, 'email');
  assert.equal(pv.record.referrer_domain_name, 'news.example.org');
  assert.match(pv.record.device_outer_resolution, /^\d+x\d+$/);
  assert.equal(pv.record.device_inner_resolution, `${VIEWPORT.width}x${VIEWPORT.height}`);
  assert.equal(pv.record.browser_language, LOCALE);
  assert.equal(pv.record.browser_timezone, TIMEZONE);
  assert.equal(pv.record.event_name, null);

  // custom event
  const [ev] = by('event');
  assert.equal(ev.partition_keys.event_type, 'event');
  assert.equal(ev.record.event_name, 'signup');
  assert.deepEqual(JSON.parse(ev.record.event_data), { plan: 'pro' });
  assert.equal(ev.record.request_path, '/landing');

  // single-page app: one page view per new page, in-app referrers are not referrers
  const spa = by('spa');
  assert.deepEqual(spa.map((o) => o.partition_keys.event_type), Array(5).fill('pageview'));
  assert.deepEqual(spa.map((o) => o.record.request_path), ['/app/', '/app/pricing', '/app/docs', '/app/pricing', '/app/']);
  assert.ok(spa.every((o) => o.record.referrer === null && o.record.referrer_domain_name === null));

  // queued event
  const queued = by('queued');
  assert.deepEqual(queued.map((o) => o.partition_keys.event_type), ['pageview', 'event']);
  assert.equal(queued[1].record.event_name, 'early');

  // noscript: a page view whose page comes from the Referer header
  const [ns] = by('noscript');
  assert.equal(ns.partition_keys.event_type, 'pageview');
  assert.equal(ns.record.request_path, '/landing');
  assert.equal(ns.record.request_url, `${siteOrigin}/landing`);

  // one browser, one address, one site: one daily visitor, without any cookie
  assert.equal(new Set(out.map((o) => o.record.daily_visitor_id)).size, 1, 'same daily_visitor_id');
});
