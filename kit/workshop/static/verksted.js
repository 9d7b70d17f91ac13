// The participants' page of a workshop (Samarbeidsverkstedet): join for a party, propose
// wordings, respond to proposals, park points, follow the facilitator (and the countdown the
// facilitator may set on a clause, counted down here on the server's clock). Plain browser
// JavaScript, no libraries, nothing from the internet. The participant's token stays in this
// browser (localStorage), so a reload is the same participant. Whatever anyone typed is put on
// the page with textContent, never as markup.

const lang = config.lang;

const el = {
  join: $("kit-join"), code: $("kit-code"), name: $("kit-name"), joinError: $("kit-join-error"),
  party: $("kit-party"), room: $("kit-room"), ended: $("kit-ended"), alert: $("kit-alert"),
  joined: $("kit-joined"), prev: $("kit-prev"), next: $("kit-next"), goCurrent: $("kit-go-current"),
  article: $("kit-clause"), position: $("kit-position"), title: $("kit-clause-title"),
  current: $("kit-current"), timer: $("kit-timer"), timerSaid: $("kit-timer-said"),
  question: $("kit-question"), origin: $("kit-origin"),
  expectHead: $("kit-expect-head"), expectations: $("kit-expectations"), outcome: $("kit-outcome"),
  proposalsHeading: $("kit-proposals-heading"), noProposals: $("kit-no-proposals"),
  proposals: $("kit-proposals"), propose: $("kit-propose"), proposeLabel: $("kit-propose-label"),
  proposeText: $("kit-propose-text"), proposeHint: $("kit-propose-hint"),
  proposeError: $("kit-propose-error"), proposeSend: $("kit-propose-send"),
  proposed: $("kit-proposed"), parkingIntro: $("kit-parking-intro"), park: $("kit-park"),
  parkLabel: $("kit-park-label"), parkText: $("kit-park-text"), parkHint: $("kit-park-hint"),
  parkAbout: $("kit-park-about"), parkAboutText: $("kit-park-about-text"),
  parkError: $("kit-park-error"), parkSend: $("kit-park-send"), parked: $("kit-parked"),
  parkedMine: $("kit-parked-mine"), parkedHeading: $("kit-parked-heading"),
  parkedList: $("kit-parked-list"), status: $("kit-status"), langSelect: $("kit-lang-select"),
  langCode: $("kit-lang-code"),
};

// ws: the workshop as every phone sees it (from the server); mine: what I said myself;
// drafts: what I typed and have not sent, per field, so moving between clauses loses nothing;
// offset: the server's clock minus this phone's (seconds), from the "now" each answer carries;
// timer: the countdown shown (its key, the time left at the last tick, the one said to be over).
const room = { code: "", token: "", party: "", name: null, ws: null, index: 0,
  mine: { proposals: [], responses: {}, parking: [] }, drafts: {}, offset: 0,
  timer: { key: null, before: null, said: null, ticking: 0 } };

const parties = Object.fromEntries(T.parties);
const choices = Object.fromEntries(T.responses.map(([id, label]) => [id, label]));

const tokens = tokenStore("samskaping:workshop:");

async function api(path, body, code) {
  const url = config.api + encodeURIComponent(code || room.code) + "/" + path +
    "?lang=" + encodeURIComponent(lang);
  const data = await postJSON(url, body, T.delta_offline, T.live_err_store_error);
  reconnected();
  return data;
}



function who(party, name) {
  const label = parties[party] || party;
  return name ? fill(T.workshop_agreement_named, { party: label, name }) : label;
}

// ------------------------------------------------------------------------------ joining

async function join(rawCode, party, name, quiet) {
  const code = cleanCode(rawCode);
  el.joinError.textContent = "";
  if (!/^[A-Z0-9]{6}$/.test(code)) {
    el.joinError.textContent = T.live_err_bad_code;
    el.code.focus();
    return;
  }
  const token = tokens.get(code);
  if (!party && !token) {
    el.joinError.textContent = T.verksted_choose_party;
    const first = el.party.querySelector("input");
    if (first) { first.focus(); }
    return;
  }
  let data;
  try {
    const body = { token };
    if (party) { body.party = party; body.name = name; }
    data = await api("join", body, code);
  } catch (error) {
    if (quiet && error.key === "unknown_party") {
      // the stored token is not this workshop's any more: join anew
      tokens.forget(code);
      return;
    }
    el.joinError.textContent = error.message;
    if (error.field === "name") { el.name.focus(); } else { el.code.focus(); }
    return;
  }
  room.code = data.code;
  room.token = data.token;
  room.party = data.party;
  room.name = data.name;
  room.mine = data.mine;
  room.ws = data.workshop;
  skew(data.workshop);
  tokens.set(data.code, data.token);
  // The join form goes away: one browser, one participant.
  el.join.remove();
  $("kit-intro").hidden = true;
  el.langCode.value = room.code;
  const url = new URL(window.location.href);
  url.searchParams.set("kode", room.code);
  window.history.replaceState(null, "", url);
  const values = { initiative: room.ws.initiative, party: parties[room.party] || room.party, name: room.name };
  el.joined.textContent = fill(room.name ? T.verksted_joined_named : T.verksted_joined, values);
  staticTexts();
  el.room.hidden = false;
  const current = room.ws.current;
  room.index = Math.max(0, room.ws.clauses.findIndex((c) => c.id === current));
  show(true);
  if (!room.timer.ticking) { room.timer.ticking = setInterval(showTimer, 250); }
  follow();
}

function staticTexts() {
  el.prev.textContent = T.verksted_prev;
  el.next.textContent = T.verksted_next;
  el.goCurrent.textContent = T.verksted_go_current;
  el.proposalsHeading.textContent = T.verksted_proposals_heading;
  el.proposeLabel.textContent = T.verksted_propose_label;
  el.proposeSend.textContent = T.verksted_propose_send;
  el.proposeText.maxLength = T.limits.proposal;
  el.parkingIntro.textContent = T.verksted_parking_intro;
  el.parkLabel.textContent = T.verksted_parking_label;
  el.parkHint.textContent = fill(T.verksted_parking_hint, { max: T.limits.parking, count: T.limits.parked });
  el.parkText.maxLength = T.limits.parking;
  el.parkSend.textContent = T.verksted_parking_send;
  el.parkedHeading.textContent = T.verksted_parking_mine;
}

// ------------------------------------------------------------------------------ showing

function clause() { return room.ws.clauses[room.index]; }

function levelOf(number) { return room.ws.levels.find((l) => l.number === number); }

function myCount(item) {
  return item.proposals.filter((p) => room.mine.proposals.includes(p.id)).length;
}

function show(moveFocus) {
  const item = clause();
  const total = room.ws.clauses.length;
  const open = room.ws.open;
  const level = levelOf(item.level);
  el.position.textContent = fill(T.verksted_clause_of, { n: room.index + 1, total }) + " · " +
    fill(T.verksted_level, { n: item.level, name: level ? level.name : "" });
  el.title.textContent = item.title;
  el.question.textContent = item.question;
  el.origin.textContent = item.source ? T.verksted_source_clause : T.verksted_kit_clause;
  el.expectHead.textContent = T.verksted_expectations;
  el.expectations.textContent = "";
  for (const q of (level ? level.expectations : [])) {
    const li = document.createElement("li");
    li.textContent = q;
    el.expectations.append(li);
  }
  const here = room.ws.current === item.id;
  el.current.hidden = !here;
  el.current.textContent = here ? T.verksted_current : "";
  el.goCurrent.hidden = !room.ws.current || here || !room.ws.clauses.some((c) => c.id === room.ws.current);
  el.outcome.hidden = !item.status;
  el.outcome.textContent = item.status === "agreed" ? fill(T.verksted_status_agreed, { wording: item.wording || "" }) :
    (item.status === "open" ? T.verksted_status_open : "");
  el.prev.disabled = room.index === 0;
  el.next.disabled = room.index >= total - 1;
  showEnded();
  el.proposals.textContent = "";
  for (const proposal of item.proposals) { el.proposals.append(proposalNode(proposal)); }
  el.noProposals.hidden = item.proposals.length > 0;
  el.noProposals.textContent = T.verksted_no_proposals;
  el.proposeText.value = room.drafts["propose:" + item.id] || "";
  el.proposeError.textContent = "";
  el.proposed.textContent = "";
  proposeLimit(item);
  el.parkAboutText.textContent = fill(T.verksted_parking_about, { clause: item.title });
  el.parkText.value = room.drafts.park || "";
  showParked();
  showTimer();
  if (moveFocus) { el.article.focus(); }
}

// ------------------------------------------------------------------------------ the countdown

function skew(data) {
  if (data && typeof data.now === "number") { room.offset = data.now - Date.now() / 1000; }
}

function clockText(seconds) {
  const s = Math.max(0, Math.ceil(seconds));
  return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

function showTimer() {
  // The facilitator's countdown, on the clause it is for: the time left, counted here each
  // tick on the server's clock; "over" is said once, when it runs out while shown. Nothing
  // closes when it does (the facilitator decides what happens).
  const timer = room.ws && room.ws.timer;
  const mine = timer && room.ws.clauses.length && timer.clause === clause().id ? timer : null;
  const state = room.timer;
  if (!mine) {
    el.timer.hidden = true;
    el.timer.textContent = "";
    state.before = null;
    return;
  }
  const running = typeof mine.ends === "number";
  const key = mine.clause + (running ? ":ends:" + mine.ends : ":left:" + mine.left);
  if (key !== state.key) {
    state.key = key;
    state.before = null;
    el.timerSaid.textContent = "";
  }
  const left = running ? Math.max(0, mine.ends - (Date.now() / 1000 + room.offset)) :
    Math.max(0, Number(mine.left) || 0);
  const over = running && left <= 0;
  const text = over ? T.verksted_timer_done :
    fill(running ? T.verksted_timer_left : T.verksted_timer_paused, { time: clockText(left) });
  if (el.timer.textContent !== text) { el.timer.textContent = text; }
  el.timer.hidden = false;
  el.timer.classList.toggle("kit-timer-over", over);
  el.timer.classList.toggle("kit-timer-paused", !running);
  if (over && state.before !== null && state.before > 0 && state.said !== key) {
    state.said = key;
    el.timerSaid.textContent = T.verksted_timer_done;
  }
  state.before = left;
}

function proposeLimit(item) {
  const full = myCount(item) >= T.limits.proposals;
  el.proposeHint.textContent = full ? fill(T.verksted_propose_full, { count: T.limits.proposals }) :
    fill(T.verksted_propose_hint, { max: T.limits.proposal, count: T.limits.proposals });
  el.proposeText.disabled = !room.ws.open || full;
  el.proposeSend.disabled = el.proposeText.disabled;
}

function showEnded() {
  const ended = !room.ws.open;
  el.ended.hidden = !ended;
  if (ended && el.ended.textContent !== T.verksted_ended) { el.ended.textContent = T.verksted_ended; }
  if (ended) {
    document.querySelectorAll("#kit-room textarea, #kit-room input, #kit-room form button")
      .forEach((node) => { node.disabled = true; });
  }
}

function showParked() {
  const mine = room.mine.parking;
  const full = mine.length >= T.limits.parked;
  el.parkText.disabled = !room.ws.open || full;
  el.parkAbout.disabled = el.parkText.disabled;
  el.parkSend.disabled = el.parkText.disabled;
  el.parkHint.textContent = full ? fill(T.verksted_parking_full, { count: T.limits.parked }) :
    fill(T.verksted_parking_hint, { max: T.limits.parking, count: T.limits.parked });
  el.parkedMine.hidden = mine.length === 0;
  el.parkedList.textContent = "";
  for (const point of mine) {
    const li = document.createElement("li");
    const about = point.clause && room.ws.clauses.find((c) => c.id === point.clause);
    li.textContent = about ? point.text + " (" + about.title + ")" : point.text;
    el.parkedList.append(li);
  }
}

function proposalNode(proposal) {
  // One proposal: its text, who it is from, and (unless it is mine) my response to it.
  const li = document.createElement("li");
  li.className = "kit-proposal";
  li.dataset.id = proposal.id;
  const base = "kit-" + proposal.id;
  const text = document.createElement("p");
  text.className = "kit-proposal-text";
  text.id = base + "-text";
  text.textContent = proposal.text;
  const from = document.createElement("p");
  from.className = "kit-proposal-from";
  const own = room.mine.proposals.includes(proposal.id);
  from.textContent = own ? T.verksted_yours : fill(T.verksted_proposal_from, { party: who(proposal.party, proposal.name) });
  li.append(text, from);
  if (own) { li.classList.add("kit-own"); return li; }
  const form = document.createElement("form");
  form.className = "kit-respond";
  form.noValidate = true;
  const fieldset = document.createElement("fieldset");
  fieldset.className = "kit-choices kit-inline";
  fieldset.setAttribute("aria-describedby", text.id);
  const legend = document.createElement("legend");
  legend.textContent = T.verksted_respond_legend;
  fieldset.append(legend);
  const given = room.mine.responses[proposal.id];
  for (const [id, label] of T.responses) {
    const wrap = document.createElement("label");
    wrap.className = "kit-choice";
    const input = document.createElement("input");
    input.type = "radio";
    input.name = base + "-choice";
    input.value = id;
    input.id = base + "-" + id;
    wrap.htmlFor = input.id;
    input.checked = Boolean(given && given.choice === id);
    wrap.append(input, document.createTextNode(label));
    fieldset.append(wrap);
  }
  const reasonLabel = document.createElement("label");
  reasonLabel.htmlFor = base + "-reason";
  reasonLabel.textContent = T.verksted_reason_label;
  const reason = document.createElement("textarea");
  reason.id = base + "-reason";
  reason.rows = 2;
  reason.maxLength = T.limits.reason;
  reason.value = room.drafts["reason:" + proposal.id] ?? ((given && given.reason) || "");
  reason.addEventListener("input", () => { room.drafts["reason:" + proposal.id] = reason.value; });
  const hint = document.createElement("p");
  hint.className = "kit-hint";
  hint.id = base + "-hint";
  hint.textContent = fill(T.verksted_reason_hint, { max: T.limits.reason });
  const error = document.createElement("p");
  error.className = "kit-error";
  error.id = base + "-error";
  error.setAttribute("role", "alert");
  reason.setAttribute("aria-describedby", hint.id + " " + error.id);
  const send = document.createElement("button");
  send.type = "submit";
  send.textContent = T.verksted_respond_send;
  send.setAttribute("aria-describedby", text.id);
  const done = document.createElement("p");
  done.className = "kit-sent";
  done.id = base + "-done";
  done.tabIndex = -1;
  done.textContent = given ? fill(T.verksted_your_response, { choice: choices[given.choice] || given.choice }) : "";
  form.append(fieldset, reasonLabel, reason, hint, error, send, done);
  form.addEventListener("submit", (event) => respond(event, proposal, form));
  if (!room.ws.open) { form.querySelectorAll("input, textarea, button").forEach((n) => { n.disabled = true; }); }
  li.append(form);
  return li;
}

// ------------------------------------------------------------------------------ sending

async function respond(event, proposal, form) {
  event.preventDefault();
  const base = "kit-" + proposal.id;
  const error = $(base + "-error");
  const done = $(base + "-done");
  const reason = $(base + "-reason");
  const send = form.querySelector("button[type=submit]");
  error.textContent = "";
  const chosen = form.querySelector("input[type=radio]:checked");
  if (!chosen) {
    error.textContent = T.workshop_err_unknown_response;
    form.querySelector("input[type=radio]").focus();
    return;
  }
  const why = reason.value.trim();
  if (chosen.value === "object" && !why) {
    error.textContent = T.workshop_err_reason_needed;
    reason.focus();
    return;
  }
  send.disabled = true;
  try {
    const data = await api("respond", { token: room.token, proposal: proposal.id, choice: chosen.value, reason: why || null });
    room.mine.responses[proposal.id] = data.response;
    delete room.drafts["reason:" + proposal.id];
    say("");
    done.textContent = fill(T.verksted_responded, { choice: choices[chosen.value] || chosen.value });
    done.focus();
  } catch (error_) {
    error.textContent = error_.message;
    if (error_.field === "reason") { reason.focus(); }
  } finally {
    send.disabled = !room.ws.open;
  }
}

async function propose(event) {
  event.preventDefault();
  const item = clause();
  const text = el.proposeText.value.trim();
  el.proposeError.textContent = "";
  el.proposed.textContent = "";
  if (!text) {
    el.proposeError.textContent = fill(T.workshop_err_empty, { field: T.workshop_field_text });
    el.proposeText.focus();
    return;
  }
  el.proposeSend.disabled = true;
  try {
    const data = await api("propose", { token: room.token, clause: item.id, text });
    room.mine.proposals.push(data.proposal.id);
    delete room.drafts["propose:" + item.id];
    el.proposeText.value = "";
    if (!item.proposals.some((p) => p.id === data.proposal.id)) { item.proposals.push(data.proposal); }
    const node = [...el.proposals.children].find((li) => li.dataset.id === data.proposal.id);
    if (node) { node.replaceWith(proposalNode(data.proposal)); } else { el.proposals.append(proposalNode(data.proposal)); }
    el.noProposals.hidden = true;
    proposeLimit(item);
    say("");
    el.proposed.textContent = T.verksted_proposed;
    el.proposed.focus();
  } catch (error) {
    el.proposeError.textContent = error.message;
    el.proposeSend.disabled = !room.ws.open;
    el.proposeText.focus();
  }
}

async function park(event) {
  event.preventDefault();
  const text = el.parkText.value.trim();
  el.parkError.textContent = "";
  el.parked.textContent = "";
  if (!text) {
    el.parkError.textContent = fill(T.workshop_err_empty, { field: T.workshop_field_text });
    el.parkText.focus();
    return;
  }
  el.parkSend.disabled = true;
  try {
    const about = el.parkAbout.checked ? clause().id : null;
    const data = await api("park", { token: room.token, text, clause: about });
    room.mine.parking.push(data.point);
    delete room.drafts.park;
    el.parkText.value = "";
    showParked();
    say("");
    el.parked.textContent = T.verksted_parked;
    el.parked.focus();
  } catch (error) {
    el.parkError.textContent = error.message;
    el.parkSend.disabled = !room.ws.open;
    el.parkText.focus();
  }
}

// ------------------------------------------------------------------------------ following

function go(index) {
  room.index = Math.max(0, Math.min(room.ws.clauses.length - 1, index));
  say("");
  warn("");
  show(true);
}

function typing() {
  // Whether the participant is in the middle of writing (then the page does not move).
  const active = document.activeElement;
  if (active && (active.tagName === "TEXTAREA" || active.tagName === "INPUT")) { return true; }
  return Boolean(room.drafts["propose:" + clause().id]);
}

async function follow() {
  // Follow the workshop: new proposals, the facilitator's clause, outcomes, the end; every
  // answer also tells the server's clock (the countdown).
  await followState(room.code, () => room.ws.version, apply, skew);
}

function apply(next) {
  const before = room.ws;
  const shown = clause();
  room.ws = next;
  let index = next.clauses.findIndex((c) => c.id === shown.id);
  const same = index >= 0 && next.clauses.length === before.clauses.length &&
    next.clauses.every((c, i) => c.id === before.clauses[i].id);
  if (index < 0) { index = Math.min(room.index, next.clauses.length - 1); }
  room.index = index;
  const moved = next.current && next.current !== before.current;
  if (moved) {
    const target = next.clauses.findIndex((c) => c.id === next.current);
    if (target >= 0 && target !== room.index) {
      const title = next.clauses[target].title;
      if (!typing()) {
        room.index = target;
        show(true);
        say(fill(T.verksted_followed, { title }));
        return;
      }
      say(fill(T.verksted_followed, { title }));
    }
  }
  if (!same || clause().id !== shown.id) { show(false); return; }
  // The same clause: add the new proposals below the others, leave what is typed alone.
  const item = clause();
  const present = new Set([...el.proposals.children].map((li) => li.dataset.id));
  const fresh = item.proposals.filter((p) => !present.has(p.id));
  for (const proposal of fresh) { el.proposals.append(proposalNode(proposal)); }
  el.noProposals.hidden = item.proposals.length > 0;
  const others = fresh.filter((p) => !room.mine.proposals.includes(p.id)).length;
  if (others) { say(fill(T.verksted_new_proposals, { n: others })); }
  const here = next.current === item.id;
  el.current.hidden = !here;
  el.current.textContent = here ? T.verksted_current : "";
  el.goCurrent.hidden = !next.current || here || !next.clauses.some((c) => c.id === next.current);
  el.outcome.hidden = !item.status;
  el.outcome.textContent = item.status === "agreed" ? fill(T.verksted_status_agreed, { wording: item.wording || "" }) :
    (item.status === "open" ? T.verksted_status_open : "");
  proposeLimit(item);
  showParked();
  showEnded();
  showTimer();
}

el.join.addEventListener("submit", (event) => {
  event.preventDefault();
  const chosen = el.party.querySelector("input:checked");
  join(el.code.value, chosen ? chosen.value : null, el.name.value.trim() || null, false);
});
el.propose.addEventListener("submit", propose);
el.park.addEventListener("submit", park);
el.proposeText.addEventListener("input", () => { room.drafts["propose:" + clause().id] = el.proposeText.value; });
el.parkText.addEventListener("input", () => { room.drafts.park = el.parkText.value; });
el.prev.addEventListener("click", () => go(room.index - 1));
el.next.addEventListener("click", () => go(room.index + 1));
el.goCurrent.addEventListener("click", () => go(room.ws.clauses.findIndex((c) => c.id === room.ws.current)));
// The language changes with its button, not on choosing in the list (WCAG 3.2.2); the code
// goes along, so the phone comes back to the same workshop as the same participant.
el.langSelect.form.addEventListener("submit", () => {
  el.langCode.value = room.code || config.code || "";
  if (!el.langCode.value) { el.langCode.remove(); }
});

if (config.code && tokens.get(config.code)) { join(config.code, null, null, true); }
