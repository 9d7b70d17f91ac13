"""Phones in Chromium when the server goes away and comes back (issue 17): ``samskaping serve``
killed with a live session's phone, a workshop participant and the big screen connected, and
started again on the same port; and its PostgreSQL cut off and back. Their "lost contact" banner
comes by itself and goes by itself, with nothing changed in the room; while the database is away
a phone is told so in a participant's words, never in the course leader's.
"""

from __future__ import annotations

import os
import signal
import socket
import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import make_url

from kit.core.i18n import t
from kit.live.store import Store
from kit.workshop.model import load_agenda
from kit.workshop.store import WorkshopStore
from tests.factories import make_case

from .conftest import PG_HOWTO, Server, _need, free_port
from .proxy import ServeProcess, postgres_database
from .test_browser_live import new_page, phone_join
from .test_browser_screen import context_for

pytestmark = [pytest.mark.browser, pytest.mark.server]

CASES = (
    make_case("c1", title="Bibliotekets leksehjelp"),
    make_case("c2", process="ingen", level=None, title="Snøbrøyting i sentrum"),
)


def kill(srv: Server) -> None:
    """A crash: the server's process group killed, nothing closed in order."""
    os.killpg(srv.proc.pid, signal.SIGKILL)
    srv.proc.wait(timeout=15)


def send_answer(page, process: str = "Samskaping", level: str = "Nivå 1") -> None:
    page.get_by_role("radio", name=process, exact=True).check()
    page.get_by_role("radio", name=level, exact=True).check()
    page.get_by_role("button", name="Send svar").click()


def test_the_banner_comes_and_goes_by_itself_when_serve_restarts_on_its_port(browser, tmp_path):
    """A phone in a live session, a workshop participant and the big screen: each says it lost
    contact when the server dies, and stops saying so once it is back, with nothing changed."""
    port = free_port()
    first = Server(port, tmp_path / "first.log")
    again: Server | None = None
    contexts = []
    try:
        first.wait_ready()
        with Store(first.db_url) as store:
            session = store.create_session(CASES)
            shop = WorkshopStore(store).create_workshop("Leksehjelp", "nb")
        phone = new_page(browser, first, 375)
        contexts.append(phone.page.context)
        phone_join(phone, session.code)
        page = phone.page
        visitor = new_page(browser, first, 375)
        contexts.append(visitor.page.context)
        visitor.page.goto(f"{first.url}verksted?kode={shop.code}")
        unit = next(p for p in load_agenda().parties if p.id == "unit").label.nb
        visitor.page.get_by_role("radio", name=unit, exact=True).check()
        visitor.page.get_by_role("button", name="Bli med").click()
        expect(visitor.page.locator("#kit-room")).to_be_visible(timeout=15_000)
        claims = [{"code": session.code, "key": session.key}]
        context, screen = context_for(browser, first, 1280, 720, claims)
        contexts.append(context)
        screen.page.goto(f"{first.url}skjerm?kode={session.code}")
        expect(screen.page.locator("#kit-stage")).to_contain_text(session.code, timeout=15_000)
        banners = {
            page.locator("#kit-alert"): t("delta_offline", "nb"),
            visitor.page.locator("#kit-alert"): t("delta_offline", "nb"),
            screen.page.locator("#kit-screen-error"): t("screen_offline", "nb"),
        }
        for banner in banners:
            expect(banner).to_be_empty()
        kill(first)
        for banner, lost in banners.items():
            expect(banner).to_have_text(lost, timeout=30_000)
        again = Server(port, tmp_path / "again.log")  # the same port: the QR code's address
        again.wait_ready(timeout=120)
        # Nothing changed in the room: the server answering is enough.
        for banner in banners:
            expect(banner).to_be_empty(timeout=30_000)
        # The phone carries on where it was: an answer goes in, the presenter's move comes out.
        send_answer(page)
        expect(page.locator("#kit-sent")).to_have_text(t("delta_sent", "nb"))
        with Store(again.db_url) as store:
            assert len(store.answers(session.code)) == 1
            store.show_case(session.code, session.key, "c2")
        expect(page.locator("#kit-case-title")).to_contain_text("Snøbrøyting", timeout=15_000)
        expect(screen.page.locator("#kit-stage")).to_contain_text("Snøbrøyting", timeout=15_000)
        assert phone.blocked == visitor.blocked == screen.blocked == []
    finally:
        for context in contexts:
            context.close()
        first.stop()
        if again is not None:
            again.stop()


class Cable:
    """A TCP relay from a free port of 127.0.0.1 to ``host:port`` (the test's PostgreSQL).
    :meth:`cut`: for whoever connects through it the database is gone (every connection
    closed, new ones refused); :meth:`mend`: it is back on the same address."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.mend()

    def mend(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _addr = listener.accept()
            except OSError:
                return  # cut
            try:
                upstream = socket.create_connection(self.target, timeout=10)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            try:
                listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
            except OSError:
                pass
            listener.close()
        with self._lock:
            cut, self._open = self._open, []
        for sock in cut:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


@pytest.mark.postgres
def test_while_the_database_is_away_a_phone_is_told_in_a_participants_words(browser, tmp_path):
    admin = os.environ.get("KIT_TEST_PG_URL", "")
    _need(bool(admin), PG_HOWTO)
    with postgres_database(admin) as direct:
        parsed = make_url(direct)
        cable = Cable(parsed.host or "127.0.0.1", parsed.port or 5432)
        through = parsed.set(host="127.0.0.1", port=cable.port).render_as_string(
            hide_password=False
        )
        srv = ServeProcess(
            free_port(), tmp_path / "serve.log", ["--db", through], env={"KIT_DB_URL": through}
        )
        phone = None
        try:
            srv.wait_ready(timeout=120)
            with Store(direct) as store:
                session = store.create_session(CASES)
            phone = new_page(browser, srv, 375)
            phone_join(phone, session.code)
            page = phone.page
            alert = page.locator("#kit-alert")
            cable.cut()
            send_answer(page)
            unreachable = t("live_err_room_unreachable", "nb")
            expect(alert).to_have_text(unreachable, timeout=30_000)
            shown = page.locator("body").inner_text()
            for leader in ("live_err_store_unavailable", "live_err_store_no_folder"):
                assert t(leader, "nb") not in shown
            assert "--db" not in page.content()
            # Moving on clears the warning; the long-poll, ending in the outage, brings it back
            # as a banner, in the same words.
            page.get_by_role("button", name=t("delta_next", "nb")).click()
            expect(alert).to_be_empty()
            expect(alert).to_have_text(unreachable, timeout=60_000)
            page.get_by_role("button", name=t("delta_prev", "nb")).click()
            expect(alert).to_be_empty()
            expect(alert).to_have_text(unreachable, timeout=60_000)
            cable.mend()
            expect(alert).to_be_empty(timeout=60_000)  # back: the banner goes by itself
            send_answer(page)
            expect(page.locator("#kit-sent")).to_have_text(t("delta_sent", "nb"))
            with Store(direct) as store:
                assert len(store.answers(session.code)) == 1
        finally:
            if phone is not None:
                phone.page.context.close()
            srv.stop()
            cable.cut()
