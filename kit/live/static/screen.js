// The big screen of a live session (presentation mode): one item at a time, full screen,
// results when the presenter shows them, a countdown, arrow keys and a clicker. Plain browser
// JavaScript, nothing from the internet. The stage's HTML is made by the kit on the server
// (kit/live/screen_html.py, every text escaped there); this script swaps it in and drives the
// controls. The presenter key comes from this browser's storage, where "Presentatør" kept it.

const el = {
  stage: $("kit-stage"), timer: $("kit-timer"), error: $("kit-screen-error"),
  controls: $("kit-controls"), prev: $("kit-prev"), next: $("kit-next"),
  results: $("kit-results"), reveal: $("kit-reveal"), revote: $("kit-revote"),
  timerLabel: $("kit-timer-label"), timerLength: $("kit-timer-length"),
  timerLengthLabel: $("kit-timer-length-label"), timerStart: $("kit-timer-start"),
  timerAdd: $("kit-timer-add"), timerOff: $("kit-timer-off"), fullscreen: $("kit-fullscreen"),
  help: $("kit-keys-help"), letters: $("kit-letters"), lettersLabel: $("kit-letters-label"),
};
// target: where quick presses of a clicker are heading (each press moves one further, sent in
// order, so two presses never both land on the same next item)
const screen = { key: "", since: null, html: "", data: null, offset: 0, target: null, queue: Promise.resolve(), moving: 0 };

function presenterKey(code) {
  try {
    const kept = JSON.parse(localStorage.getItem("samskaping:presenter-sessions") || "[]");
    const mine = Array.isArray(kept) ? kept.find((c) => c && c.code === code) : null;
    return mine && typeof mine.key === "string" ? mine.key : "";
  } catch (e) { return ""; }
}

async function call(path, body) {
  const url = config.api + encodeURIComponent(config.code) + "/" + path + "?lang=" + encodeURIComponent(config.lang);
  return postJSON(url, { key: screen.key, ...body }, T.screen_offline, T.errors.store_error);
}

function texts() {
  el.prev.textContent = "← " + T.screen_prev;
  el.next.textContent = T.screen_next + " →";
  el.reveal.textContent = T.live_reveal;
  el.revote.textContent = T.live_revote;
  el.timerLabel.textContent = T.screen_timer_label;
  el.timerLengthLabel.textContent = T.screen_timer_length;
  el.timerAdd.textContent = T.screen_timer_add;
  el.timerOff.textContent = T.screen_timer_off;
  el.fullscreen.textContent = T.screen_fullscreen;
  el.help.textContent = T.screen_keys_help;
  el.lettersLabel.textContent = T.screen_letter_keys;
}

function show(data) {
  screen.data = data;
  if (screen.moving === 0 && screen.target === data.index) { screen.target = null; }
  screen.offset = data.now - Date.now() / 1000;
  if (data.html !== screen.html) {
    screen.html = data.html;
    el.stage.innerHTML = data.html;  // the kit's own HTML, escaped on the server
  }
  const at = data.index;
  el.prev.disabled = at === null || at <= 0;
  el.next.disabled = at !== null && at >= data.total - 1;
  el.results.textContent = data.results ? T.screen_results_off : T.screen_results_on;
  el.results.setAttribute("aria-pressed", String(Boolean(data.results)));
  el.results.disabled = at === null;
  el.reveal.textContent = data.case || at === null ? T.live_reveal : T.screen_show_answers;
  el.reveal.disabled = at === null || data.revealed;
  el.revote.disabled = !data.can_revote;
  el.revote.hidden = !data.case;
  tick();
}

function timerLeft() {
  const timer = screen.data && screen.data.timer;
  if (!timer) { return null; }
  if (typeof timer.left === "number") { return { left: timer.left, paused: true }; }
  const now = Date.now() / 1000 + screen.offset;
  return { left: Math.max(0, timer.ends - now), paused: false };
}

function clock(seconds) {
  const s = Math.ceil(seconds);
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function tick() {
  const state = timerLeft();
  el.timer.hidden = state === null;
  el.timerAdd.disabled = state === null;
  el.timerOff.disabled = state === null;
  if (state === null) {
    el.timerStart.textContent = T.screen_timer_start;
    return;
  }
  el.timerStart.textContent = state.paused ? T.screen_timer_resume : T.screen_timer_pause;
  const text = state.left <= 0 ? T.screen_timer_done :
    clock(state.left) + (state.paused ? " " + T.screen_timer_paused : "");
  if (el.timer.textContent !== text) { el.timer.textContent = text; }
  el.timer.classList.toggle("kit-timer-done", state.left <= 0);
}

function step(delta) {
  // Where the screen is heading counts, not what it shows yet: the screen's own view of the
  // room comes back a moment later, and a second press before then must go one further.
  const data = screen.data;
  if (!data) { return; }
  const from = screen.target !== null ? screen.target : (data.index === null ? -1 : data.index);
  const to = Math.max(0, Math.min(data.total - 1, from + delta));
  if (to === from) { return; }
  screen.target = to;
  screen.moving += 1;
  screen.queue = screen.queue.then(async () => {
    const ok = await act("goto", { index: to });
    screen.moving -= 1;
    if (!ok) { screen.target = null; }
  });
}

async function act(action, extra) {
  el.error.textContent = "";
  try {
    await call("control", { action, ...(extra || {}) });
    return true;
  } catch (error) {
    el.error.textContent = error.message;
    return false;
  }
}

function timerButton() {
  const state = timerLeft();
  if (state === null || state.left <= 0) {
    act("timer", { op: "start", seconds: Number(el.timerLength.value) });
  } else {
    act("timer", { op: state.paused ? "resume" : "pause" });
  }
}

function fullscreen() {
  if (document.fullscreenElement) { document.exitFullscreen(); }
  else if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen().catch(() => {}); }
}

async function follow() {
  // The screen's view, held by the server until the room changes. When it fails (the server
  // restarting, its database away) it asks again soon, and then for the view as it is, without
  // waiting for a change: the message goes as soon as the server answers.
  let backoff = BACKOFF_FIRST;
  for (;;) {
    try {
      const data = await call("screen", { since: screen.since });
      screen.since = data.rev;
      backoff = BACKOFF_FIRST;
      el.error.textContent = "";
      show(data);
    } catch (error) {
      const text = error.status === 403 ? T.screen_no_key : T.screen_offline;
      if (el.error.textContent !== text) { el.error.textContent = text; }
      if (error.status === 403) { return; }
      screen.since = null;
      await sleep(retryDelay(error.retryAfter, backoff));
      backoff = nextBackoff(backoff);
    }
  }
}

el.prev.addEventListener("click", () => step(-1));
el.next.addEventListener("click", () => step(1));
el.results.addEventListener("click", () => act("results", { on: !(screen.data && screen.data.results) }));
el.reveal.addEventListener("click", () => act("reveal"));
el.revote.addEventListener("click", () => act("revote"));
el.timerStart.addEventListener("click", timerButton);
el.timerAdd.addEventListener("click", () => act("timer", { op: "add" }));
el.timerOff.addEventListener("click", () => act("timer", { op: "off" }));
el.fullscreen.addEventListener("click", fullscreen);
document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) { return; }
  const target = event.target;
  if (target && (target.tagName === "SELECT" || target.tagName === "INPUT")) { return; }
  const keys = {
    ArrowRight: () => step(1), PageDown: () => step(1),
    ArrowLeft: () => step(-1), PageUp: () => step(-1),
    s: () => el.results.click(), a: () => { if (!el.reveal.disabled) { act("reveal"); } },
    r: () => { if (!el.revote.disabled && !el.revote.hidden) { act("revote"); } },
    t: timerButton, "+": () => act("timer", { op: "add" }), f: fullscreen,
  };
  // Letter keys can be turned off (WCAG 2.1.4); arrows and page keys always work.
  const letter = event.key.length === 1;
  if (letter && !el.letters.checked) { return; }
  const run = keys[event.key] || keys[event.key.toLowerCase()];
  if (run) { event.preventDefault(); run(); }
});

texts();
screen.key = presenterKey(config.code);
if (!config.code || !screen.key) {
  el.stage.textContent = T.screen_no_key;
  el.controls.hidden = true;
} else {
  setInterval(tick, 250);
  follow();
}
