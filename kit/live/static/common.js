// What every kernel-less page of the kit shares (the phones' page, the big screen, the
// workshop page): it is put in front of the page's own script, in the same module, by
// kit.live.page.inline_assets. Plain browser JavaScript, nothing from the internet.

const config = JSON.parse(document.getElementById("kit-config").textContent);
const T = config.texts;
const $ = (id) => document.getElementById(id);

// "{n} av {total}" with the values put in; an unknown name stays as it was
function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

// the _xsrf cookie, sent back in a header on every write (Tornado's double-submit check)
function xsrf() {
  const m = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : "";
}

// After a failed request the pages ask again soon: 0.5 s, 1 s, 2 s, then every 3 s at most,
// or after the server's Retry-After (seconds) when it gave one. A little jitter either way, so
// a room of phones does not come back in step.
const BACKOFF_FIRST = 500;
const BACKOFF_MAX = 3000;

function nextBackoff(ms) { return Math.min(ms * 2, BACKOFF_MAX); }

function retryDelay(retryAfter, backoff) {
  const seconds = Number(retryAfter);
  const base = retryAfter && Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) * 1000 : backoff;
  return base + Math.random() * Math.min(1000, base / 2);
}

function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

// A refusal's JSON ({"error", "message"}), or {} when there is none (a proxy's error page).
async function refusal(response) {
  try { return await response.json(); } catch (e) { return {}; }
}
