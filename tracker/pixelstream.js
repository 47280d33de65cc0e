/*! pixelstream tracker | Apache-2.0 | no cookies, no storage */
// Sends page views and custom events as a 1x1 image request to
// <origin>/hello.gif?<query>, in pixelstream's tracker protocol (src/query.rs).
// Plain ES2017, no build step needed. See tracker/README.md.
(() => {
  'use strict';
  const win = window;
  const doc = document;
  const nav = navigator;
  const loc = location;
  const scr = win.screen || {};

  const prior = win.pixelstream;
  if (prior && prior.loaded) return; // the snippet was included twice

  const tag = doc.currentScript || doc.querySelector('script[src*="pixelstream"]');
  const opts = (tag && tag.dataset) || {};
  const origin = new URL(opts.origin || (tag && tag.src) || loc.href, loc.href).origin;

  // Do-Not-Track / Global Privacy Control: honoured only when the site opts in.
  const optedOut =
    opts.respectDnt === 'true' &&
    (nav.doNotTrack === '1' || nav.globalPrivacyControl === true);

  const timeZone = () => {
    try {
      return Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return undefined;
    }
  };

  // Fields every hit starts with.
  const base = (t) => ({ t, ts: Date.now(), u: loc.href, hn: loc.hostname, pa: loc.pathname });

  // Keys keep their insertion order; undefined/null values are left out.
  const send = (params) => {
    const query = Object.keys(params)
      .filter((k) => params[k] != null)
      .map((k) => k + '=' + encodeURIComponent(params[k]))
      .join('&');
    new Image().src = origin + '/hello.gif?' + query;
  };

  const UTM = { uso: 'utm_source', uca: 'utm_campaign', ume: 'utm_medium', uco: 'utm_content', ute: 'utm_term' };

  // The page a page view was last sent (or replaced) for, without the fragment:
  // a page view for the same URL back-to-back is not sent twice.
  let last = null;
  // The referrer of the next page view: document.referrer for the first one,
  // then the previous page of the single-page app.
  let referrer = doc.referrer;
  const here = () => loc.href.split('#')[0];

  const pageview = () => {
    const page = here();
    if (page === last) return;
    last = page;
    const params = base('pv');
    Object.assign(params, {
      r: referrer,
      ua: nav.userAgent,
      iw: win.innerWidth,
      ih: win.innerHeight,
      w: scr.width,
      h: scr.height,
      d: scr.colorDepth,
      l: nav.language,
      p: nav.platform,
      m: nav.deviceMemory,
      c: nav.hardwareConcurrency,
      tz: timeZone(),
    });
    const search = new URLSearchParams(loc.search);
    for (const key in UTM) {
      const value = search.get(UTM[key]);
      if (value) params[key] = value;
    }
    referrer = loc.href;
    send(params);
  };

  const track = (name, props) => {
    if (optedOut || !name) return;
    const params = base('tr');
    params.en = name;
    if (props !== undefined) {
      try {
        params.pr = JSON.stringify(props);
      } catch (e) {
        // unserialisable properties (cycles, BigInt): send the event without them
      }
    }
    Object.assign(params, { l: nav.language, tz: timeZone(), w: scr.width, h: scr.height });
    send(params);
  };

  win.pixelstream = { track, loaded: true };

  if (optedOut) return;

  // Single-page apps: pushState and the back/forward buttons are new pages;
  // replaceState only rewrites the current page's URL (no page view).
  const hist = history;
  const wrap = (original, after) =>
    function () {
      const result = original.apply(this, arguments);
      after();
      return result;
    };
  hist.pushState = wrap(hist.pushState, pageview);
  hist.replaceState = wrap(hist.replaceState, () => {
    last = here();
    referrer = loc.href;
  });
  win.addEventListener('popstate', pageview);

  // A prerendered page counts once the user actually sees it.
  if (doc.prerendering) doc.addEventListener('prerenderingchange', pageview, { once: true });
  else pageview();

  // Calls queued by the optional stub before this script loaded.
  ((prior && prior.q) || []).forEach((args) => track.apply(null, args));
})();
