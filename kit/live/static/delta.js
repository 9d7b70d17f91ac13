// The participant page of a live session: join with the code, answer, follow the presenter.
// Plain browser JavaScript, no libraries, nothing from the internet. The participant's token
// stays in this browser (localStorage), so a reload or a second join is the same participant.

const config = JSON.parse(document.getElementById("kit-config").textContent);
const T = config.texts;
const lang = config.lang;
const $ = (id) => document.getElementById(id);

const el = {
  join: $("kit-join"), code: $("kit-code"), joinError: $("kit-join-error"),
  room: $("kit-room"), joined: $("kit-joined"), progress: $("kit-progress"),
  progressText: $("kit-progress-text"), article: $("kit-case"), title: $("kit-case-title"),
  round: $("kit-round"), text: $("kit-case-text"), domain: $("kit-case-domain"),
  answer: $("kit-answer"), process: $("kit-process"), level: $("kit-level"),
  send: $("kit-send"), key: $("kit-key"), prev: $("kit-prev"), next: $("kit-next"),
  status: $("kit-status"), alert: $("kit-alert"), langSelect: $("kit-lang-select"),
  langCode: $("kit-lang-code"),
};

const room = { code: "", token: "", cases: [], answers: {}, state: null, index: 0 };

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
}

function pick(text) {
  return (text && (text[lang] || text.nb || Object.values(text)[0])) || "";
}

function xsrf() {
  const m = document.cookie.match(/(?:^|;\s*)_xsrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : "";
}

function storageKey(code) { return "samskaping:participant:" + code; }

function savedToken(code) {
  try { return localStorage.getItem(storageKey(code)) || null; } catch (e) { return null; }
}

function saveToken(code, token) {
  try { localStorage.setItem(storageKey(code), token); } catch (e) { /* private mode: no resume */ }
}

async function api(path, body) {
  const url = config.api + encodeURIComponent(room.code || body.code) + "/" + path +
    "?lang=" + encodeURIComponent(lang);
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-XSRFToken": xsrf() },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = {}; }
  if (!response.ok) {
    const error = new Error(data.message || T.errors.store_error);
    error.key = data.error || "store_error";
    throw error;
  }
  return data;
}

function say(message) { el.status.textContent = ""; el.status.textContent = message; }
function warn(message) { el.alert.textContent = ""; el.alert.textContent = message; }

function cleanCode(raw) {
  return raw.replace(/[\s\-\u2010-\u2015\u2212_]+/g, "").toUpperCase();
}

async function join(raw) {
  const code = cleanCode(raw);
  el.joinError.textContent = "";
  if (!/^[A-Z0-9]{6}$/.test(code)) {
    el.joinError.textContent = T.errors.bad_code;
    el.code.focus();
    return;
  }
  try {
    const data = await api("join", { code, token: savedToken(code) });
    room.code = data.code;
    room.token = data.token;
    saveToken(data.code, data.token);
    room.cases = data.cases;
    room.answers = data.answers || {};
    room.state = data.state;
  } catch (error) {
    el.joinError.textContent = error.message;
    el.code.focus();
    return;
  }
  // The join form goes away for good: one phone, one participant.
  el.join.remove();
  el.langCode.value = room.code;
  const url = new URL(window.location.href);
  url.searchParams.set("kode", room.code);
  window.history.replaceState(null, "", url);
  el.joined.textContent = fill(T.delta_joined, { code: room.code });
  el.room.hidden = false;
  const current = room.state.current;
  room.index = Math.max(0, room.cases.findIndex((c) => c.id === current));
  showCase(true);
  follow();
}

function roundOf(caseId) { return (room.state.rounds && room.state.rounds[caseId]) || 1; }

function given(caseId) {
  const mine = room.answers[caseId];
  return mine ? mine[String(roundOf(caseId))] : undefined;
}

function answeredCount() { return room.cases.filter((c) => given(c.id)).length; }

function radios(fieldset, legend, name, options, chosen) {
  fieldset.querySelectorAll("label").forEach((node) => node.remove());
  fieldset.querySelector("legend").textContent = legend;
  for (const [value, label] of options) {
    const wrap = document.createElement("label");
    wrap.className = "kit-choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = name;
    input.value = value;
    input.checked = chosen !== undefined && String(chosen) === String(value);
    wrap.append(input, document.createTextNode(label));
    fieldset.append(wrap);
  }
}

function showText(item) {
  // A chain case: the part to classify in <mark>, after a prompt; everything as text.
  el.text.textContent = "";
  const parts = item.marked && (item.marked[lang] || item.marked.nb);
  if (!parts) { el.text.textContent = pick(item.text); return; }
  const prompt = document.createElement("strong");
  prompt.textContent = T.klass_marked_prompt + " ";
  const mark = document.createElement("mark");
  mark.textContent = parts[1];
  el.text.append(prompt, document.createTextNode(parts[0]), mark, document.createTextNode(parts[2]));
}

function showCase(moveFocus) {
  const item = room.cases[room.index];
  const total = room.cases.length;
  const done = answeredCount();
  el.progress.max = total;
  el.progress.value = done;
  el.progressText.textContent = fill(T.delta_progress, { n: room.index + 1, total, answered: done }) +
    (done === total ? " " + T.delta_done : "");
  el.title.textContent = fill(T.delta_case_of, { n: room.index + 1, total }) + " " + pick(item.title);
  showText(item);
  el.domain.textContent = fill(T.klass_domain_badge, { domain: pick(item.domain) });
  const rnd = roundOf(item.id);
  el.round.hidden = rnd < 2;
  el.round.textContent = rnd > 1 ? fill(T.delta_round, { n: rnd }) + " " + T.delta_round_note : "";
  const mine = given(item.id);
  radios(el.process, T.klass_process_label, "process",
    Object.entries(T.process), mine ? mine.process : undefined);
  radios(el.level, T.klass_level_label, "level", T.levels, mine ? (mine.level || 0) : undefined);
  el.send.textContent = T.delta_send;
  el.prev.textContent = T.delta_prev;
  el.next.textContent = T.delta_next;
  el.prev.disabled = room.index === 0;
  el.next.disabled = room.index >= total - 1;
  const open = room.state.open;
  el.send.disabled = !open || Boolean(room.state.keys && room.state.keys[item.id]);
  el.answer.querySelectorAll("input").forEach((input) => { input.disabled = el.send.disabled; });
  const key = room.state.keys && room.state.keys[item.id];
  el.key.hidden = !key;
  el.key.textContent = "";
  if (key) {
    const strong = document.createElement("p");
    const b = document.createElement("strong");
    b.textContent = "✔ " + fill(T.delta_key, { process: T.process[key.process], level: T.level[String(key.level || 0)] });
    strong.append(b);
    const why = document.createElement("p");
    why.textContent = pick(key.explanation);
    el.key.append(strong, why);
  }
  if (!open) { warn(T.live_err_session_closed); }
  if (moveFocus) { el.article.focus(); }
}

async function send(event) {
  event.preventDefault();
  const item = room.cases[room.index];
  const process = el.answer.querySelector("input[name=process]:checked");
  const level = el.answer.querySelector("input[name=level]:checked");
  if (!process || !level) { warn(T.delta_choose_both); return; }
  warn("");
  const answer = { process: process.value, level: Number(level.value) || null };
  el.send.disabled = true;
  try {
    const data = await api("answer", { token: room.token, case_id: item.id, ...answer });
    room.answers[item.id] = room.answers[item.id] || {};
    room.answers[item.id][String(data.round)] = answer;
    room.state.rounds = room.state.rounds || {};
    if (data.round > 1) { room.state.rounds[item.id] = data.round; }
    say(T.delta_sent);
    showCase(false);
  } catch (error) {
    warn(error.message);
  } finally {
    el.send.disabled = !room.state.open;
  }
}

function go(step) {
  room.index = Math.max(0, Math.min(room.cases.length - 1, room.index + step));
  say("");
  warn("");
  showCase(true);
}

async function follow() {
  // Long-poll the room's state: the presenter's reveal, next case, re-vote or end.
  let delay = 1000;
  for (;;) {
    try {
      const url = config.api + encodeURIComponent(room.code) + "/state?since=" +
        encodeURIComponent(room.state.version) + "&lang=" + encodeURIComponent(lang);
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (!response.ok) { throw new Error(String(response.status)); }
      const next = await response.json();
      delay = 1000;
      if (next.version !== room.state.version) { apply(next); }
      if (!next.open) { return; }
    } catch (error) {
      warn(T.delta_offline);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
      continue;
    }
  }
}

function apply(next) {
  const before = room.state;
  room.state = next;
  const item = room.cases[room.index];
  let moved = false;
  if (next.current && next.current !== before.current) {
    const index = room.cases.findIndex((c) => c.id === next.current);
    if (index >= 0 && index !== room.index) {
      room.index = index;
      moved = true;
      say(fill(T.delta_followed, { title: pick(room.cases[index].title) }));
    }
  }
  const newRound = item && roundOf(item.id) > ((before.rounds && before.rounds[item.id]) || 1);
  if (newRound && !moved) { say(fill(T.delta_round, { n: roundOf(item.id) }) + " " + T.delta_round_note); }
  if (alertClear(before, next)) { warn(""); }
  showCase(moved);
}

function alertClear(before, next) { return before.open === next.open && next.open; }

el.join.addEventListener("submit", (event) => { event.preventDefault(); join(el.code.value); });
el.answer.addEventListener("submit", send);
el.prev.addEventListener("click", () => go(-1));
el.next.addEventListener("click", () => go(1));
el.langSelect.addEventListener("change", () => {
  el.langCode.value = room.code || config.code || "";
  if (!el.langCode.value) { el.langCode.remove(); }
  el.langSelect.form.submit();
});

if (config.code) { join(config.code); }
