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

// A reply's JSON (a refusal's: {"error", "message"}), or {} when there is none (a proxy's
// error page).
async function refusal(response) {
  try { return await response.json(); } catch (e) { return {}; }
}

// POST `body` as JSON to `url` with the _xsrf header; resolves with the reply's JSON. A refusal
// throws an Error with the server's message (else `fallback`), its key, field, HTTP status and
// Retry-After; no answer at all throws `offline` (key "offline", status 0).
async function postJSON(url, body, offline, fallback) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-XSRFToken": xsrf() },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (e) {
    const error = new Error(offline);  // the server is away
    Object.assign(error, { key: "offline", field: "", status: 0, retryAfter: null });
    throw error;
  }
  const data = await refusal(response);
  if (!response.ok) {
    const error = new Error(data.message || fallback);
    Object.assign(error, {
      key: data.error || "store_error",
      field: data.field || "",
      status: response.status,
      retryAfter: response.headers.get("Retry-After"),
    });
    throw error;
  }
  return data;
}

// A participant's token per code, kept in this browser so a reload resumes (nothing is kept
// in private mode); `prefix` names whose: the live room's or the workshop's.
function tokenStore(prefix) {
  const key = (code) => prefix + code;
  return {
    get(code) { try { return localStorage.getItem(key(code)) || null; } catch (e) { return null; } },
    set(code, token) { try { localStorage.setItem(key(code), token); } catch (e) { /* no resume */ } },
    forget(code) { try { localStorage.removeItem(key(code)); } catch (e) { /* nothing kept */ } },
  };
}
