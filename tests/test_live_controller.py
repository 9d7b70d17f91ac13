"""The presenter's session controller, without widgets, a kernel or a browser: what the
presenter's buttons do to the session, paging, the polling decisions and the exports."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kit.cases.case import Answer, Case
from kit.core import visitor
from kit.core.i18n import t
from kit.core.text import Text
from kit.live.controller import CHART_SECONDS, KEEP_ENDED, PAGE_SIZE, SessionController
from kit.live.store import NotOwner, Store, TooManyRooms
from tests.factories import make_case

UNLIMITED = (10_000, 1.0)


def numbered_cases(n: int) -> tuple[Case, ...]:
    """Cases c01 ... cn, "Tittel 1" ..., all samskaping 2."""
    return tuple(
        make_case(
            f"c{i:02d}",
            level=2,
            title=Text(f"Tittel {i}", en=f"Title {i}"),
            text=f"Tekst {i}",
            explanation="Fordi",
        )
        for i in range(1, n + 1)
    )


CASES = numbered_cases(3)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path}/c.db", rate_limit=UNLIMITED) as s:
        yield s


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def session(store, clock):
    controller = SessionController(store, clock=clock)
    controller.start(CASES, "nb")
    return controller


def test_start_opens_a_session_the_store_knows(session, store):
    assert session.code and session.key
    assert store.owns(session.code, session.key)
    assert store.session_cases(session.code) == CASES
    board = session.dashboard()
    assert (board.people, board.total, board.closed) == (0, 0, False)
    assert board.page == [c.id for c in CASES]


def test_reveal_round_show_and_end_reach_the_store(session, store):
    session.reveal("c01")
    assert "c01" in store.state(session.code).revealed
    session.start_round("c02")
    state = store.state(session.code)
    assert state.round_of("c02") == 2 and state.current_case == "c02"
    session.show_case(None)
    assert store.state(session.code).current_case is None
    session.end()
    session.dashboard()
    assert session.closed and not store.session_info(session.code).open


def test_answers_show_in_the_dashboard_most_disputed_first(session, store):
    code = session.code
    tokens = [store.join(code).token for _ in range(3)]
    store.submit(code, tokens[0], "c03", Answer("samskaping", 2))
    store.submit(code, tokens[1], "c03", Answer("ingen", None))
    store.submit(code, tokens[2], "c01", Answer("samskaping", 2))
    board = session.dashboard()
    assert (board.people, board.total) == (3, 3)
    assert board.order[0] == "c03"  # split answers: the most disputed
    assert board.place["c03"] == 1
    assert board.page == ["c01", "c02", "c03"]  # the cards keep the session's order


def test_pages_turn_within_the_session(store, clock):
    many = numbered_cases(25)
    session = SessionController(store, clock=clock)
    session.start(many, "nb")
    board = session.dashboard()
    assert (board.pages, board.first, len(board.page)) == (3, 0, PAGE_SIZE)
    session.turn_page(5)  # past the end: the last page
    board = session.dashboard()
    assert board.page_index == 2 and board.page == [c.id for c in many[20:]]
    session.turn_page(-9)
    assert session.dashboard().page_index == 0


def test_poll_asks_for_counts_on_a_change_and_charts_when_they_fell_behind(session, store, clock):
    assert session.poll() == "counts"  # the first look always refreshes
    assert session.poll() == "none"
    assert session.charts_due(forced=True)
    token = store.join(session.code).token
    assert session.poll() == "counts"  # a join changes the revision
    store.submit(session.code, token, "c01", Answer("samskaping", 2))
    assert session.poll() == "counts"
    clock.now += 1
    assert not session.charts_due(forced=False)  # redrawn a second ago: not yet
    assert session.poll() == "none"  # stale, but not due
    clock.now += CHART_SECONDS
    assert session.poll() == "charts"  # the last answers reach the charts
    assert session.charts_due(forced=False)
    assert session.poll() == "none"


def test_resume_needs_the_key_this_browser_kept(session, store, clock):
    other = SessionController(store, clock=clock)
    with pytest.raises(NotOwner):
        other.resume(session.code, None)
    with pytest.raises(NotOwner):
        other.resume(session.code, "x" * 32)
    other.resume(session.code, session.key)  # positive control
    assert other.cases == CASES and other.code == session.code


def test_resumable_lists_open_and_recently_ended_and_forgets_the_rest(store, clock):
    first, second = SessionController(store, clock=clock), SessionController(store, clock=clock)
    first.start(CASES, "nb")
    second.start(CASES, "nb")
    second.end()
    claims = [(first.code, first.key), (second.code, second.key), ("ACDEFG", "k" * 32)]
    lister = SessionController(store, clock=clock)
    gone = lister.find_resumable(claims)
    assert [s.code for s in lister.resumable] == [first.code, second.code]  # open ones first
    assert gone == ["ACDEFG"]
    later = datetime.now(timezone.utc) + KEEP_ENDED + timedelta(hours=1)
    gone = lister.find_resumable(claims, now=later)
    assert [s.code for s in lister.resumable] == [first.code]  # the ended one is too old now
    assert set(gone) == {second.code, "ACDEFG"}


def test_end_listed_closes_a_session_and_marks_it_ended(session, store, clock):
    lister = SessionController(store, clock=clock)
    lister.find_resumable([(session.code, session.key)])
    with pytest.raises(NotOwner):
        lister.end_listed(session.code, None)
    lister.end_listed(session.code, session.key)
    assert not store.session_info(session.code).open
    assert [s.open for s in lister.resumable] == [False]


def test_export_rows_name_every_answer_in_the_language(session, store):
    token = store.join(session.code).token
    store.submit(session.code, token, "c02", Answer("ingen", None))
    header, rows = session.export_rows("en")
    assert header[:2] == [t("csv_case_id", "en"), t("csv_title", "en")] and len(header) == 10
    assert len(rows) == 1 and rows[0][0] == "c02" and rows[0][1] == "Title 2"


def test_nothing_is_done_without_a_session(store):
    with pytest.raises(RuntimeError):
        SessionController(store).reveal("c01")


def test_the_export_carries_the_key_and_the_verdict(session, store):
    """As in the exercise: right, partial (samproduksjon for a verdisamskaping case) or wrong."""
    from kit.cases.grading import check, outcome_label
    from kit.model.labels import level_label, process_label

    token = store.join(session.code).token
    given = {"c01": Answer("samskaping", 2), "c02": Answer("ingen", None)}
    for case_id, answer in given.items():
        store.submit(session.code, token, case_id, answer)
    header, rows = session.export_rows("nn")
    assert header[7:] == [
        t("csv_key_process", "nn"),
        t("csv_key_level", "nn"),
        t("csv_outcome", "nn"),
    ]
    by_case = {r[0]: r for r in rows}
    for case in CASES[:2]:
        row = by_case[case.id]
        assert row[7:] == [
            process_label(case.process, "nn"),
            level_label(case.level, "nn"),
            outcome_label(check(case, given[case.id]), "nn"),
        ]
    assert by_case["c01"][9] == t("outcome_right", "nn")  # c01 is samskaping, level 2
    assert by_case["c02"][9] == t("outcome_wrong", "nn")


def test_start_counts_the_session_for_the_client_the_server_told_the_kernel(
    store, clock, tmp_path, monkeypatch
):
    """The kernel's connection file (KIT_KERNEL_FILE, set by the kit's launcher) has the
    visitor's client key beside it: a start is counted for it; without it, nothing is."""
    connection = tmp_path / "kernel-1.json"
    monkeypatch.setenv("KIT_KERNEL_FILE", str(connection))
    store.room_limit = 2
    controller = SessionController(store, clock=clock)
    for _ in range(3):  # no client file (yet): not counted
        controller.start(CASES, "nb")
    visitor.write_client(connection, "10.0.0.9")
    controller.start(CASES, "nb")
    shown, _key = controller.start(CASES, "nb")
    with pytest.raises(TooManyRooms) as refused:
        controller.start(CASES, "nb")
    assert controller.code == shown  # the refused start opened nothing
    assert len(store.owned_sessions([(shown, controller.key)])) == 1
    assert t("live_err_too_many_rooms", "en") == t("live_err_" + refused.value.key, "en")
    visitor.write_client(connection, "10.0.0.10")  # another visitor's kernel
    controller.start(CASES, "nb")
    monkeypatch.delenv("KIT_KERNEL_FILE")  # not a kernel of the server's: no client
    controller.start(CASES, "nb")
