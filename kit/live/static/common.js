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

// ---- The participants' pages (the phones' /delta and the workshop's /verksted) ----------------
// Both have a polite status line (#kit-status) and a warning banner (#kit-alert).

// Says `message` in the status line (emptied first, so the same words are said again).
function say(message) { const status = $("kit-status"); status.textContent = ""; status.textContent = message; }

// Shows `message` in the banner (emptied first, so a screen reader says it again).
function warn(message) {
  const alert = $("kit-alert");
  delete alert.dataset.connection;
  alert.textContent = "";
  alert.textContent = message;
}

// A warning about the connection (the server or its database away) goes by itself as soon as
// the server answers again; any other warning stays until the participant moves on.
function connectionLost(message) {
  const alert = $("kit-alert");
  if (alert.textContent !== message) { warn(message); }  // said once, not at every retry
  alert.dataset.connection = "1";
}

function reconnected() {
  if ($("kit-alert").dataset.connection) { warn(""); }
}

// A join code as typed: spaces, dashes and underscores out, upper case.
function cleanCode(raw) {
  return raw.replace(/[\s\-\u2010-\u2015\u2212_]+/g, "").toUpperCase();
}

// Long-poll `<api><code>/state` until the state says it is closed: `version()` is the version
// this page holds, `apply(next)` takes a newer state, `seen(next)` (if given) every answer.
// When a poll fails (the server restarting, its database away) it asks again soon, honouring
// Retry-After, and then for the state as it is, without waiting for a change: the banner goes
// as soon as the server answers. A server that asks the page to wait (too many waiting) is
// there: nothing is lost, no banner.
async function followState(code, version, apply, seen) {
  let backoff = BACKOFF_FIRST;
  let behind = false;
  for (;;) {
    let response = null;
    try {
      const since = behind ? -1 : version();
      const url = config.api + encodeURIComponent(code) + "/state?since=" +
        encodeURIComponent(since) + "&lang=" + encodeURIComponent(config.lang);
      response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const next = await response.json();
        if (seen) { seen(next); }
        backoff = BACKOFF_FIRST;
        behind = false;
        reconnected();
        if (next.version !== version()) { apply(next); }
        if (!next.open) { return; }
        continue;
      }
    } catch (error) {
      // no answer, or not one to read: the server is away
    }
    const data = response ? await refusal(response) : {};
    const retryAfter = response ? response.headers.get("Retry-After") : null;
    if (data.error === "too_many_waiting") {
      reconnected();
    } else {
      connectionLost(data.error === "room_unreachable" ? data.message : T.delta_offline);
      behind = true;
    }
    await sleep(retryDelay(retryAfter, backoff));
    backoff = nextBackoff(backoff);
  }
}
