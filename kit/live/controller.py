"""The presenter's session, without widgets: start, resume, reveal, rounds, end, paging, exports,
and when the dashboard should read the store again or redraw its charts.

:class:`kit.live.presenter.Presentator` shows what this decides; tests drive it with a store and
no browser or kernel. Every store error is raised as it is (a :class:`StoreError` with a message
key), for the view to show in the presenter's language.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from kit.cases.case import Answer, Case
from kit.cases.grading import check, outcome_label
from kit.cases.pairs import ContrastPair, flat_cases
from kit.core.i18n import t
from kit.core.visitor import kernel_client
from kit.live.questions import Item, Question
from kit.live.room import CaseCounts, CaseResult, QuestionResult, RoomState, export_rows, ranking
from kit.live.screen import banned_words
from kit.live.store import NotOwner, SessionInfo, Store, StoreError
from kit.live.words import CloudWord, Entry, banned_keys, cloud, parse_banned
from kit.model.labels import level_label, process_label

#: While answers pour in, the charts are redrawn at most this often (counts follow every change).
CHART_SECONDS = 3.0
#: Ended sessions stay listed (to see their results and exports again) for this long.
KEEP_ENDED = timedelta(days=7)
#: The dashboard shows this many case cards at a time, most disputed first, with a pager. A card
#: is made when its case is first shown and kept for the session (so a click always acts on the
#: case the card shows). Making a card per case at start sent thousands of widget messages at
#: once for a 110-case library; the kernel's IOPub socket dropped some (ZeroMQ's high-water
#: mark) and the browser, missing models, showed an empty dashboard.
PAGE_SIZE = 10

#: What a look at the store asks of the dashboard: nothing, a refresh of the counts (charts
#: when due), or a redraw of charts that missed the last answers.
PollResult = Literal["none", "counts", "charts"]


@dataclass(frozen=True)
class Dashboard:
    """Everything one refresh of the dashboard shows, read from the store in one go."""

    state: RoomState
    results: dict[str, CaseResult]
    people: int  #: participants who joined
    total: int  #: answers in every round
    counts: dict[str, CaseCounts]  #: each case's answers in its current round
    order: list[str]  #: case ids, most disputed first (the chart's order)
    page: list[str]  #: the case ids on the current page, in the session's order
    first: int  #: the 0-based place of the page's first case in the session
    pages: int
    page_index: int

    @property
    def top(self) -> list[str]:
        """The most disputed cases, as many as a page holds: what the chart shows."""
        return self.order[:PAGE_SIZE]

    @property
    def place(self) -> dict[str, int]:
        """Each case's place in the ranking (1 = most disputed)."""
        return {case_id: n for n, case_id in enumerate(self.order, start=1)}

    @property
    def closed(self) -> bool:
        return not self.state.open


class SessionController:
    """One presenter's live session, and the sessions this browser may resume."""

    #: what its calls refuse with (the store's refusals, each with its words)
    refusals: tuple[type[Exception], ...] = (StoreError,)

    def __init__(
        self,
        store: Store | Callable[[], Store] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self.clock = clock
        self.code: str | None = None
        self.key: str | None = None
        self.items: tuple[Item, ...] = ()
        #: every case, a contrast pair's two among them (each has its own card and counts)
        self.cases: tuple[Case, ...] = ()
        self.questions: tuple[Question, ...] = ()
        #: the pair each paired case belongs to, by case id
        self.pair_of: dict[str, ContrastPair] = {}
        self.state: RoomState | None = None
        self.page_index = 0
        self.resumable: list[SessionInfo] = []
        self._seen: Any = None
        self._charts_at = 0.0
        self._charts_stale = False
        self.lock = threading.RLock()

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store()
        elif not isinstance(self._store, Store) and callable(self._store):
            self._store = self._store()
        return self._store

    @property
    def closed(self) -> bool:
        return self.state is not None and not self.state.open

    @property
    def revealed(self) -> set[str]:
        return set(self.state.revealed) if self.state else set()

    # -- which sessions --------------------------------------------------------------------
    def find_resumable(
        self, claims: Iterable[tuple[str, str]], now: datetime | None = None
    ) -> list[str]:
        """The sessions of ``claims`` (code, key) worth offering: open ones, and ended ones of
        the last :data:`KEEP_ENDED` (results and exports). Returns the codes to forget."""
        claims = list(claims)
        owned = self.store.owned_sessions(claims)
        recent = (now or datetime.now(timezone.utc)) - KEEP_ENDED
        self.resumable = [s for s in owned if s.open or s.created_at > recent]
        self.resumable.sort(key=lambda s: (not s.open, -s.created_at.timestamp()))
        kept = {s.code for s in self.resumable}
        return [code for code, _key in claims if code not in kept]

    def start(self, cases: Iterable[Item], lang: str) -> tuple[str, str]:
        """A new session of ``cases`` (cases and questions, in order); returns its code and
        presenter key. Counted for the presenter's address when the server told this kernel
        whose it is (:func:`kit.core.visitor.kernel_client`): TooManyRooms past the limit."""
        items = tuple(cases)
        session = self.store.create_session(items, lang, client=kernel_client())
        self.open(session.code, session.key, items)
        return session.code, session.key

    def resume(self, code: str, key: str | None) -> None:
        """Back to a session this browser started: same code, same dashboard."""
        if key is None or not self.store.owns(code, key):
            raise NotOwner("no key for this session in this browser")
        self.open(code, key, self.store.session_items(code))

    def open(self, code: str, key: str, items: tuple[Item, ...]) -> None:
        with self.lock:
            self.code, self.key, self.items = code, key, tuple(items)
            self.cases = flat_cases(self.items)
            self.questions = tuple(i for i in self.items if isinstance(i, Question))
            self.pair_of = {
                c.id: i for i in self.items if isinstance(i, ContrastPair) for c in i.cases
            }
            self.state = None
            self.page_index = 0
            self._seen = None

    def end_listed(self, code: str, key: str | None) -> None:
        """End a listed session (one this browser started but is not showing)."""
        if key is None:
            raise NotOwner("no key for this session in this browser")
        self.store.close_session(code, key)
        self.resumable = [
            dataclasses.replace(s, open=False) if s.code == code else s for s in self.resumable
        ]

    def target(self, item_id: str) -> str:
        """What the phones are sent to, revealed or re-voted for ``item_id``: the contrast pair
        of a paired case (its two cases go together), else the item itself."""
        pair = self.pair_of.get(item_id)
        return pair.id if pair is not None else item_id

    # -- the presenter's actions -----------------------------------------------------------
    def end(self) -> None:
        self.store.close_session(self._code(), self._key())

    def reveal(self, case_id: str) -> None:
        """Show the key of ``case_id`` (of a paired case: both keys and what differs)."""
        self.store.reveal(self._code(), self._key(), self.target(case_id))

    def start_round(self, case_id: str) -> None:
        """A re-vote of ``case_id`` (of a paired case: of the pair), shown on every phone."""
        target = self.target(case_id)
        self.store.start_round(self._code(), self._key(), target)
        self.store.show_case(self._code(), self._key(), target)

    def show_case(self, case_id: str | None) -> None:
        """Show ``case_id`` on every phone (a paired case: its pair; None: each phone goes at
        its own pace)."""
        target = None if case_id is None else self.target(case_id)
        self.store.show_case(self._code(), self._key(), target)

    def hide_response(self, response_id: int, hidden: bool = True) -> None:
        """Take one open answer off the word cloud (or put it back)."""
        self.store.hide_response(self._code(), self._key(), response_id, hidden)

    def banned(self, lang: str) -> tuple[str, ...]:
        """The word cloud's banned words of this session (the kit's list until changed)."""
        return banned_words(self.store.settings(self._code()), lang)

    def set_banned(self, text: str) -> tuple[str, ...]:
        """The presenter's banned words, typed with commas or new lines between them."""
        words = parse_banned(text)
        self.store.change_settings(self._code(), self._key(), banned=list(words))
        return words

    def question_board(self, lang: str) -> dict[str, tuple[QuestionResult, tuple[CloudWord, ...]]]:
        """Each question's results, with an open question's word cloud (banned words and
        hidden answers left out)."""
        if not self.questions:
            return {}
        code = self._code()
        results = self.store.question_results(code)
        banned = banned_keys(self.banned(lang), lang)
        out = {}
        for q in self.questions:
            result = results[q.id]
            words: tuple[CloudWord, ...] = ()
            if q.kind == "open":
                entries = [Entry(e.id, e.value, e.hidden) for e in result.entries]
                words = tuple(cloud(entries, banned, lang))
            out[q.id] = (result, words)
        return out

    def turn_page(self, step: int) -> None:
        with self.lock:
            self.page_index += step

    # -- reading ----------------------------------------------------------------------------
    def dashboard(self) -> Dashboard:
        """The store read once for the dashboard; the page index kept within the pages."""
        code = self._code()
        store = self.store
        with self.lock:
            results = store.results(code)
            self.state = state = store.state(code)
            people = store.participant_count(code)
            counts = {case_id: r.current for case_id, r in results.items()}
            total = sum(c.answers for r in results.values() for c in r.rounds)
            order = ranking([c.id for c in self.cases], counts)
            pages = max(1, -(-len(order) // PAGE_SIZE))
            self.page_index = min(max(self.page_index, 0), pages - 1)
            first = self.page_index * PAGE_SIZE
            # The cards keep the session's order (a card never moves under the presenter's
            # hand); the chart shows the most disputed first, and each card says its place.
            page = [c.id for c in self.cases][first : first + PAGE_SIZE]
            return Dashboard(
                state, results, people, total, counts, order, page, first, pages, self.page_index
            )

    def charts_due(self, forced: bool) -> bool:
        """Whether this refresh redraws the charts: when ``forced`` (a click, a language), else
        at most every :data:`CHART_SECONDS` (each new chart spec costs the projector's tab time
        and memory; bench/README.md). A refresh without charts leaves them stale until then."""
        with self.lock:
            now = self.clock()
            due = forced or now - self._charts_at >= CHART_SECONDS
            if due:
                self._charts_at = now
            self._charts_stale = not due
            return due

    def forget_seen(self) -> None:
        """The next poll refreshes whatever the store says (after a change of language)."""
        self._seen = None

    def poll(self) -> PollResult:
        """One look at the store's revision: ``counts`` when anything changed, ``charts`` when
        nothing did but the charts missed the last answers and are due, else ``none``.
        Store errors are raised for the view to show."""
        seen = self.store.revision(self._code())
        if seen != self._seen:
            self._seen = seen
            return "counts"
        if self._charts_stale and self.clock() - self._charts_at >= CHART_SECONDS:
            return "charts"
        return "none"

    def export_rows(self, lang: str) -> tuple[list[str], list[list[object]]]:
        """Every answer of the session, one row each, with the case's key and the verdict
        (right, partial or wrong, judged as in the exercise), under a header in ``lang``."""
        header = [
            t("csv_case_id", lang),
            t("csv_title", lang),
            t("csv_your_process", lang),
            t("csv_your_level", lang),
            t("live_export_round", lang),
            t("live_export_time", lang),
            t("live_export_participant", lang),
            t("csv_key_process", lang),
            t("csv_key_level", lang),
            t("csv_outcome", lang),
        ]
        by_id = {c.id: c for c in self.cases}

        def key(case_id: str, answer: Answer) -> list[object]:
            case = by_id.get(case_id)
            if case is None:  # an answer to a case no longer in the set: no key to show
                return ["", "", ""]
            return [
                process_label(case.process, lang),
                level_label(case.level, lang),
                outcome_label(check(case, answer), lang),
            ]

        rows = export_rows(
            self.store.answers(self._code()),
            {c.id: c.title.get(lang) for c in self.cases},
            lambda p: process_label(p, lang),
            lambda lv: level_label(lv, lang),
            key,
        )
        return header, rows

    def question_rows(self, lang: str) -> tuple[list[str], list[list[object]]]:
        """Every response to the session's questions, one row each (a scale point as its
        number, a poll answer as its option's text), under a header in ``lang``."""
        header = [
            t("live_export_question_id", lang),
            t("live_export_question", lang),
            t("live_export_answer", lang),
            t("live_export_hidden", lang),
            t("live_export_time", lang),
            t("live_export_participant", lang),
        ]
        by_id = {q.id: q for q in self.questions}
        rows: list[list[object]] = []
        for r in self.store.responses(self._code()):
            q = by_id.get(r.item_id)
            if q is None:
                continue
            value: object = r.value
            if q.kind == "poll":
                value = q.options[int(r.value)].get(lang)
            elif q.kind == "scale":
                value = int(r.value)
            rows.append(
                [
                    q.id,
                    q.prompt.get(lang),
                    value,
                    t("live_export_yes", lang) if r.hidden else "",
                    r.answered_at.strftime("%Y-%m-%d %H:%M:%S"),
                    r.participant,
                ]
            )
        return header, rows

    def report(self, lang: str) -> str:
        """The session report (HTML that prints on A4), as it stands now."""
        from kit.live.report_html import report_document

        code = self._code()
        store = self.store
        info = store.session_info(code)
        state = store.state(code)
        return report_document(
            code=code,
            created=info.created_at,
            people=store.participant_count(code),
            items=self.items,
            case_results=store.results(code),
            question_results=self.question_board(lang),
            revealed=state.revealed,
            banned=self.banned(lang),
            lang=lang,
        )

    def _code(self) -> str:
        if self.code is None:
            raise RuntimeError("no session is open")
        return self.code

    def _key(self) -> str:
        if self.key is None:
            raise RuntimeError("no session is open")
        return self.key
