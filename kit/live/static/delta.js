// The participant page of a live session: join with the code, answer, follow the presenter.
// Plain browser JavaScript, no libraries, nothing from the internet. The participant's token
// stays in this browser (localStorage), so a reload or a second join is the same participant.

const lang = config.lang;

const el = {
  join: $("kit-join"), code: $("kit-code"), joinError: $("kit-join-error"),
  room: $("kit-room"), joined: $("kit-joined"), progress: $("kit-progress"),
  progressText: $("kit-progress-text"), article: $("kit-case"), title: $("kit-case-title"),
  round: $("kit-round"), text: $("kit-case-text"), domain: $("kit-case-domain"),
  answer: $("kit-answer"), process: $("kit-process"), level: $("kit-level"),
  send: $("kit-send"), key: $("kit-key"), prev: $("kit-prev"), next: $("kit-next"),
  status: $("kit-status"), alert: $("kit-alert"), langSelect: $("kit-lang-select"),
  langCode: $("kit-lang-code"), ended: $("kit-ended"), question: $("kit-question"),
  qField: $("kit-q-field"), qSend: $("kit-q-send"), sent: $("kit-sent"), mine: $("kit-mine"),
  pair: $("kit-pair"), pairCases: $("kit-pair-cases"), pairSend: $("kit-pair-send"),
};

// The two cases of a contrast pair, as the apps name them.
const SIDES = ["A", "B"];

// cases: the session's items in order (a case, a contrast pair with kind "pair" and its two
// cases, or a question with another "kind"); answers: my votes by case and round; responses:
// my answers to questions by question id.
const room = { code: "", token: "", cases: [], answers: {}, responses: {}, state: null, index: 0 };

function pick(text) {
  return (text && (text[lang] || text.nb || Object.values(text)[0])) || "";
}

const tokens = tokenStore("samskaping:participant:");

async function api(path, body) {
  const url = config.api + encodeURIComponent(room.code || body.code) + "/" + path +
    "?lang=" + encodeURIComponent(lang);
  const data = await postJSON(url, body, T.delta_offline, T.errors.store_error);
  reconnected();
  return data;
}


// A warning about the connection (the server or its database away) goes by itself as soon as
// the server answers again; any other warning stays until the participant moves on.
const CONNECTION_KEYS = ["offline", "room_unreachable", "store_busy"];

function problem(error) {
  if (CONNECTION_KEYS.includes(error.key)) { connectionLost(error.message); } else { warn(error.message); }
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
    const data = await api("join", { code, token: tokens.get(code) });
    room.code = data.code;
    room.token = data.token;
    tokens.set(data.code, data.token);
    room.cases = data.cases;
    room.answers = data.answers || {};
    room.responses = data.responses || {};
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

function isPair(item) { return Boolean(item && item.kind === "pair"); }

function isQuestion(item) { return Boolean(item && item.kind) && !isPair(item); }

function kindOf(item) { return isPair(item) ? "pair" : isQuestion(item) ? "question" : "case"; }

function answered(item) {
  if (isPair(item)) { return item.cases.every((c) => Boolean(given(c.id))); }
  return isQuestion(item) ? (room.responses[item.id] || []).length > 0 : Boolean(given(item.id));
}

function answeredCount() { return room.cases.filter(answered).length; }

function countBefore(index, kind) {
  // "Case 3 of 6" / "Contrast pair 1 of 2" / "Question 1 of 3": each kind counted apart.
  const same = room.cases.filter((c) => kindOf(c) === kind);
  return [same.indexOf(room.cases[index]) + 1, same.length];
}

function keyFor(item) { return room.state.keys && room.state.keys[item.id]; }

function outcomeOf(item, mine) {
  // As the exercise judges (kit.cases.grading): both parts right, the model's one half-right
  // answer (listed by the server with the key), or wrong.
  const key = keyFor(item);
  const level = mine.level || 0;
  if (mine.process === key.process && level === (key.level || 0)) { return "right"; }
  const partial = (key.partial || []).some((p) => p.process === mine.process && (p.level || 0) === level);
  return partial ? "partial" : "wrong";
}

function lastGiven(caseId) {
  // My latest answer to a case (the re-vote's, or the first round's if I did not vote again).
  const mine = room.answers[caseId] || {};
  for (let rnd = roundOf(caseId); rnd >= 1; rnd--) { if (mine[String(rnd)]) { return mine[String(rnd)]; } }
  return undefined;
}

function resultText(item) {
  // My own answer against the key, as a sentence (announced at the reveal).
  const mine = lastGiven(item.id);
  if (!mine) { return T.delta_yours_none; }
  return fill(T.delta_yours, { process: T.process[mine.process], level: T.level[String(mine.level || 0)] }) +
    " " + fill(T.delta_result, { outcome: T.outcome[outcomeOf(item, mine)] });
}

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

function showText(item, node) {
  // A chain case: the part to classify in <mark>, after a prompt; everything as text.
  const into = node || el.text;
  into.textContent = "";
  const parts = item.marked && (item.marked[lang] || item.marked.nb);
  if (!parts) { into.textContent = pick(item.text); return; }
  const prompt = document.createElement("strong");
  prompt.textContent = T.klass_marked_prompt + " ";
  const mark = document.createElement("mark");
  mark.textContent = parts[1];
  into.append(prompt, document.createTextNode(parts[0]), mark, document.createTextNode(parts[2]));
}

function showCase(moveFocus) {
  const item = room.cases[room.index];
  const total = room.cases.length;
  const done = answeredCount();
  el.progress.max = total;
  el.progress.value = done;
  el.progressText.textContent = fill(T.delta_progress, { n: room.index + 1, total, answered: done }) +
    (done === total ? " " + T.delta_done : "");
  el.prev.textContent = T.delta_prev;
  el.next.textContent = T.delta_next;
  el.prev.disabled = room.index === 0;
  el.next.disabled = room.index >= total - 1;
  // a confirmation stays while its item shows (the room's changes redraw it); it goes with a move
  if (room.sentAt !== room.index) { el.sent.textContent = ""; }
  showEnded();
  const kind = kindOf(item);
  el.answer.hidden = kind !== "case";
  el.question.hidden = kind !== "question";
  el.pair.hidden = kind !== "pair";
  el.domain.parentElement.hidden = kind !== "case";
  if (kind === "question") { showQuestion(item); } else if (kind === "pair") { showPair(item); } else { showClassification(item); }
  if (moveFocus) { el.article.focus(); }
}

function showEnded() {
  // The end notice sits at the top of the room, where a phone that was reading sees it.
  const ended = !room.state.open;
  el.ended.hidden = !ended;
  if (ended && el.ended.textContent !== T.delta_session_ended) {
    el.ended.textContent = T.delta_session_ended;
  }
}

function showClassification(item) {
  const [n, total] = countBefore(room.index, "case");
  el.title.textContent = fill(T.delta_case_of, { n, total }) + " " + pick(item.title);
  el.mine.hidden = true;
  showText(item);
  el.domain.textContent = fill(T.klass_domain_badge, { domain: pick(item.domain) });
  const rnd = roundOf(item.id);
  el.round.className = "kit-round";
  el.round.hidden = rnd < 2;
  el.round.textContent = rnd > 1 ? fill(T.delta_round, { n: rnd }) + " " + T.delta_round_note : "";
  const mine = given(item.id);
  radios(el.process, T.klass_process_label, "process",
    Object.entries(T.process), mine ? mine.process : undefined);
  radios(el.level, T.klass_level_label, "level", T.levels, mine ? (mine.level || 0) : undefined);
  el.send.textContent = T.delta_send;
  const open = room.state.open;
  const key = keyFor(item);
  el.send.disabled = !open || Boolean(key);
  el.answer.querySelectorAll("input").forEach((input) => { input.disabled = el.send.disabled; });
  el.key.hidden = !key;
  el.key.textContent = "";
  if (key) { el.key.append(...keyParts(item)); }
}

function keyParts(item) {
  // After the reveal: my own answer against the key, then the key and why.
  const key = keyFor(item);
  const yours = document.createElement("p");
  const latest = lastGiven(item.id);
  yours.className = "kit-yours kit-outcome-" + (latest ? outcomeOf(item, latest) : "none");
  yours.textContent = resultText(item);
  const strong = document.createElement("p");
  const b = document.createElement("strong");
  b.textContent = "✔ " + fill(T.delta_key, { process: T.process[key.process], level: T.level[String(key.level || 0)] });
  strong.append(b);
  const why = document.createElement("p");
  why.textContent = pick(key.explanation);
  return [yours, strong, why];
}

function pairChoices(legendText, name, options, chosen, disabled) {
  // One labelled radio group of a pair's case (the ids unique on the page).
  const fieldset = document.createElement("fieldset");
  fieldset.className = "kit-choices";
  fieldset.setAttribute("role", "radiogroup");
  const legend = document.createElement("legend");
  legend.id = "kit-" + name + "-legend";
  fieldset.setAttribute("aria-labelledby", legend.id);
  fieldset.append(legend);
  radios(fieldset, legendText, name, options, chosen);
  fieldset.querySelectorAll("input").forEach((input) => { input.disabled = disabled; });
  return fieldset;
}

function pending(item) {
  // What is chosen and not yet sent on the pair shown, kept when the room's changes redraw it.
  const out = {};
  if (el.pairCases.dataset.item !== item.id) { return out; }
  el.pairCases.querySelectorAll("input:checked").forEach((input) => { out[input.name] = input.value; });
  return out;
}

function showPair(item) {
  // A contrast pair: both cases, each with its process and level, one send for both; after
  // the reveal each one's result and key, and what tells them apart.
  const [n, total] = countBefore(room.index, "pair");
  el.title.textContent = fill(T.delta_pair_of, { n, total });
  el.text.textContent = T.delta_pair_intro;
  el.mine.hidden = true;
  const rnd = roundOf(item.cases[0].id);
  el.round.className = "kit-round";
  el.round.hidden = rnd < 2;
  el.round.textContent = rnd > 1 ? fill(T.delta_round, { n: rnd }) + " " + T.delta_round_note : "";
  const revealed = item.cases.every((c) => Boolean(keyFor(c)));
  const disabled = !room.state.open || revealed;
  const kept = pending(item);
  el.pairCases.textContent = "";
  el.pairCases.dataset.item = item.id;
  item.cases.forEach((c, i) => {
    const side = SIDES[i];
    const section = document.createElement("section");
    section.className = "kit-pair-case";
    const heading = document.createElement("h3");
    heading.textContent = fill(T.pair_case, { side, title: pick(c.title) });
    const text = document.createElement("p");
    text.className = "kit-case-text";
    showText(c, text);
    const domain = document.createElement("p");
    const badge = document.createElement("span");
    badge.className = "kit-badge";
    badge.textContent = fill(T.klass_domain_badge, { domain: pick(c.domain) });
    domain.append(badge);
    const mine = given(c.id);
    const processName = "process-" + i;
    const levelName = "level-" + i;
    const choices = document.createElement("div");
    choices.className = "kit-choices-pair";
    choices.append(
      pairChoices(fill(T.klass_pair_process_label, { side }), processName,
        Object.entries(T.process), mine ? mine.process : kept[processName], disabled),
      pairChoices(fill(T.klass_pair_level_label, { side }), levelName,
        T.levels, mine ? (mine.level || 0) : kept[levelName], disabled),
    );
    section.append(heading, text, domain, choices);
    el.pairCases.append(section);
  });
  el.pairSend.textContent = T.delta_pair_send;
  el.pairSend.disabled = disabled;
  el.key.hidden = !revealed;
  el.key.textContent = "";
  if (revealed) {
    item.cases.forEach((c, i) => {
      const heading = document.createElement("h3");
      heading.textContent = fill(T.pair_case, { side: SIDES[i], title: pick(c.title) });
      el.key.append(heading, ...keyParts(c));
    });
    const heading = document.createElement("h3");
    heading.textContent = T.pair_difference;
    const said = room.state.keys[item.id] && room.state.keys[item.id].difference;
    const difference = document.createElement("p");
    difference.textContent = said ? pick(said) : T.pair_difference_none;
    el.key.append(heading, difference);
  }
}

function pairResultText(item) {
  return item.cases.map((c, i) => SIDES[i] + ": " + resultText(c)).join(" ");
}

function showQuestion(item) {
  const [n, total] = countBefore(room.index, "question");
  el.title.textContent = fill(T.delta_question_of, { n, total });
  el.text.textContent = pick(item.prompt);
  el.round.hidden = false;
  el.round.className = "kit-origin";
  el.round.textContent = item.source ? T.delta_source_question : T.delta_kit_question;
  el.key.hidden = true;
  const open = room.state.open;
  const mine = room.responses[item.id] || [];
  el.qField.textContent = "";
  el.qSend.textContent = T.delta_send;
  if (item.kind === "open") {
    const label = document.createElement("label");
    label.htmlFor = "kit-open";
    label.textContent = T.delta_open_label;
    const input = document.createElement("input");
    input.id = "kit-open";
    input.type = "text";
    input.autocomplete = "off";
    input.maxLength = item.max;
    input.setAttribute("aria-describedby", "kit-open-hint");
    const hint = document.createElement("p");
    hint.id = "kit-open-hint";
    hint.className = "kit-hint";
    const full = mine.length >= item.entries;
    hint.textContent = full ? fill(T.delta_open_full, { entries: item.entries }) :
      fill(T.delta_open_hint, { entries: item.entries, max: item.max });
    input.disabled = !open || full;
    el.qField.append(label, input, hint);
    el.qSend.disabled = input.disabled;
    el.mine.hidden = mine.length === 0;
    el.mine.textContent = "";
    if (mine.length) {
      const head = document.createElement("p");
      head.textContent = T.delta_open_mine;
      const list = document.createElement("ul");
      for (const text of mine) {
        const li = document.createElement("li");
        li.textContent = text;
        list.append(li);
      }
      el.mine.append(head, list);
    }
    return;
  }
  el.mine.hidden = true;
  const fieldset = document.createElement("fieldset");
  fieldset.className = "kit-choices";
  fieldset.setAttribute("role", "radiogroup");
  const legend = document.createElement("legend");
  fieldset.append(legend);
  el.qField.append(fieldset);
  let options;
  if (item.kind === "scale") {
    options = [];
    for (let point = 1; point <= item.points; point++) {
      let label = String(point);
      if (point === 1) { label += " – " + pick(item.low); }
      if (point === item.points) { label += " – " + pick(item.high); }
      options.push([String(point), label]);
    }
    legend.textContent = fill(T.delta_scale_label, { points: item.points });
  } else {
    options = item.options.map((option, i) => [String(i), pick(option)]);
    legend.textContent = T.delta_poll_label;
  }
  radios(fieldset, legend.textContent, "q-" + item.id, options, mine.length ? mine[mine.length - 1] : undefined);
  fieldset.querySelectorAll("input").forEach((input) => { input.disabled = !open; });
  el.qSend.disabled = !open;
}

function chosenAnswer(form, processName, levelName) {
  // The process and level chosen in ``form``'s groups of these names, or null.
  const process = form.querySelector("input[name=" + processName + "]:checked");
  const level = form.querySelector("input[name=" + levelName + "]:checked");
  return process && level ? { process: process.value, level: Number(level.value) || null } : null;
}

async function sendAnswers(button, answers) {
  // Each [case id, answer] to the server in turn, kept as mine with the round it counts in;
  // then the case is redrawn and the confirmation focused (or the problem said).
  warn("");
  button.disabled = true;
  try {
    for (const [caseId, answer] of answers) {
      const data = await api("answer", { token: room.token, case_id: caseId, ...answer });
      room.answers[caseId] = room.answers[caseId] || {};
      room.answers[caseId][String(data.round)] = answer;
      room.state.rounds = room.state.rounds || {};
      if (data.round > 1) { room.state.rounds[caseId] = data.round; }
    }
    showCase(false);
    confirm(T.delta_sent);
  } catch (error) {
    button.disabled = !room.state.open;
    problem(error);
  }
}

async function send(event) {
  event.preventDefault();
  const item = room.cases[room.index];
  const answer = chosenAnswer(el.answer, "process", "level");
  if (!answer) { warn(T.delta_choose_both); return; }
  await sendAnswers(el.send, [[item.id, answer]]);
}

function confirm(message) {
  // The confirmation takes the focus (the button it came from may be disabled now), so a
  // screen reader reads it and Tab goes on from there to the next question.
  say("");
  room.sentAt = room.index;
  el.sent.textContent = message;
  el.sent.focus();
}

async function sendQuestion(event) {
  event.preventDefault();
  const item = room.cases[room.index];
  let value;
  if (item.kind === "open") {
    const input = $("kit-open");
    value = input.value.trim();
    if (!value) { warn(T.errors.response_empty); input.focus(); return; }
  } else {
    const chosen = el.qField.querySelector("input:checked");
    if (!chosen) { warn(T.delta_choose_one); return; }
    value = Number(chosen.value);
  }
  warn("");
  el.qSend.disabled = true;
  try {
    const data = await api("answer", { token: room.token, item_id: item.id, value });
    room.responses[item.id] = data.mine;
    showCase(false);
    confirm(item.kind === "open" ? fill(T.delta_open_sent, { text: value }) : T.delta_sent);
  } catch (error) {
    el.qSend.disabled = !room.state.open;
    problem(error);
    if (item.kind === "open") { $("kit-open").focus(); }
  }
}

async function sendPair(event) {
  // Both cases of a pair, one answer each, as any case's: the store keeps them apart.
  event.preventDefault();
  const item = room.cases[room.index];
  const answers = item.cases.map((c, i) => chosenAnswer(el.pair, "process-" + i, "level-" + i));
  if (answers.some((a) => !a)) { warn(T.delta_pair_choose_all); return; }
  await sendAnswers(el.pairSend, item.cases.map((c, i) => [c.id, answers[i]]));
}

function go(step) {
  room.index = Math.max(0, Math.min(room.cases.length - 1, room.index + step));
  say("");
  warn("");
  showCase(true);
}

async function follow() {
  // Follow the room: the presenter's reveal, next case, re-vote or end.
  await followState(room.code, () => room.state.version, apply);
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
      const followed = room.cases[index];
      say(fill(T.delta_followed, { title: pick(isQuestion(followed) ? followed.prompt : followed.title) }));
    }
  }
  const newRound = item && roundOf(item.id) > ((before.rounds && before.rounds[item.id]) || 1);
  if (newRound && !moved) { say(fill(T.delta_round, { n: roundOf(item.id) }) + " " + T.delta_round_note); }
  const shown = room.cases[room.index];
  const revealedNow = (next.revealed || []).includes(shown.id) && !(before.revealed || []).includes(shown.id);
  if (alertClear(before, next)) { warn(""); }
  showCase(moved);
  if (revealedNow && !moved) {
    // The reveal of what this phone shows: its own result (or that the answers are on screen).
    say(isQuestion(shown) ? T.delta_shown : isPair(shown) ? pairResultText(shown) : resultText(shown));
  }
}

function alertClear(before, next) { return before.open === next.open && next.open; }

el.join.addEventListener("submit", (event) => { event.preventDefault(); join(el.code.value); });
el.answer.addEventListener("submit", send);
el.question.addEventListener("submit", sendQuestion);
el.pair.addEventListener("submit", sendPair);
el.prev.addEventListener("click", () => go(-1));
el.next.addEventListener("click", () => go(1));
// The language changes with its button, not on choosing in the list (WCAG 3.2.2: a choice alone
// does not reload the page); the code goes along, so the phone comes back to the same room.
el.langSelect.form.addEventListener("submit", () => {
  el.langCode.value = room.code || config.code || "";
  if (!el.langCode.value) { el.langCode.remove(); }
});

if (config.code) { join(config.code); }
