"""Two `samskaping serve` processes sharing one PostgreSQL behind one Debian nginx, under a path.

The README says a room can be spread over several server processes: all state is in the store,
so any process can answer any phone. Here two processes (``--base-url /samskaping/``, the
proxy's address as ``--public-url``) sit behind one nginx that hands the participant side
(``/delta``, ``api/live/``, ``live-static/``) out round-robin, so one participant's page, join and
answers land on different processes; Voilà's own routes stay with one server per client (a
kernel lives in the process that started it). Checked through the proxy, as phones use it:

- forty participants (threads, each with its own cookie jar and its own client address) open the
  page, join and answer; both processes served joins and answers (nginx's access log and a
  response header name the process of every request);
- a reader of the store sees every participant and every answer exactly once, a changed answer
  replacing the old one wherever it was sent;
- a participant re-joining with its token through the other process resumes, and the count of
  participants stays the same;
- a long poll of the room's state, held by either process, returns the presenter's reveal within
  a bounded wait;
- the presenter app loads through the proxy (its kernel reachable there, and only in its own
  process), and in Chromium runs a session whose dashboard counts phones that joined through the
  proxy on both servers;
- the per-client join limit holds across the two processes and for joins arriving together.

Needs nginx (Debian's package) and ``KIT_TEST_PG_URL`` (``source .ci/postgres.sh``): skipped
without them, except under CI=true, where they fail (.ci/run installs both).
"""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest

from kit.cases.case import Answer
from kit.cases.casefile import load_cases
from kit.live.store import Store
from kit.model.model import PROCESSES

from .conftest import PG_HOWTO, _need, free_port, wait_for
from .proxy import (
    NGINX,
    UPSTREAM_HEADER,
    Nginx,
    ServeProcess,
    group_alive,
    nginx_config,
    port_accepts,
    postgres_database,
    processes_with_env,
)

pytestmark = pytest.mark.server

PREFIX = "/samskaping/"
PHONES = 40
CASES_IN_SESSION = 4
#: The longest a phone may wait for a reveal to reach it (the servers look every 0.25 s).
REVEAL_WITHIN = 5.0
LEVELS = (1, 2, 3, None)


# --------------------------------------------------------------------------- the two servers


@dataclass
class Proxied:
    """Two servers behind one nginx: ``url`` is the one address phones use."""

    url: str
    pg_url: str
    nginx: Nginx
    servers: list[ServeProcess]

    @property
    def addresses(self) -> set[str]:
        return {s.address for s in self.servers}


@pytest.fixture(scope="module")
def pg_url():
    admin = os.environ.get("KIT_TEST_PG_URL")
    _need(bool(admin), PG_HOWTO)
    with postgres_database(admin) as url:
        yield url


def _free_ports(n: int) -> list[int]:
    ports: list[int] = []
    while len(ports) < n:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


@pytest.fixture(scope="module")
def proxied(tmp_path_factory, pg_url):
    _need(os.access(NGINX, os.X_OK), f"nginx not found at {NGINX} (apt-get install nginx)")
    tmp = tmp_path_factory.mktemp("two_servers")
    nginx_port, *ports = _free_ports(3)
    public = f"http://127.0.0.1:{nginx_port}{PREFIX}"
    args = ["--db", pg_url, "--base-url", PREFIX, "--public-url", public]
    servers: list[ServeProcess] = []
    nginx: Nginx | None = None
    started = time.monotonic()
    try:
        for i, port in enumerate(ports):
            servers.append(
                ServeProcess(
                    port,
                    tmp / f"serve-{i + 1}.log",
                    args,
                    base_url=PREFIX,
                    env={"KIT_DB_URL": pg_url},
                )
            )
        for srv in servers:
            srv.wait_ready(timeout=120)
        (tmp / "nginx").mkdir()
        nginx = Nginx(
            tmp / "nginx",
            nginx_port,
            nginx_config(tmp / "nginx", nginx_port, [s.address for s in servers], PREFIX),
        )
        nginx.wait_ready()
        print(f"\ntwo servers and nginx ready in {time.monotonic() - started:.1f} s")
        yield Proxied(public, pg_url, nginx, servers)
    finally:
        if nginx is not None:
            nginx.stop()
        for srv in servers:
            srv.stop()
        # Nothing is left behind: no process of any group, no port still listening.
        left = [
            p.proc.pid for p in [*servers, *([nginx] if nginx else [])] if group_alive(p.proc.pid)
        ]
        assert left == [], f"process groups still alive: {left}"
        listening = [p for p in [nginx_port, *ports] if port_accepts(p)]
        assert listening == [], f"ports still listening: {listening}"
        # The servers shut their kernels down (the kernels carry this test's database URL).
        deadline = time.monotonic() + 10
        while (kernels := processes_with_env("KIT_DB_URL", pg_url)) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in kernels:  # started by our servers: stopped by their own pid
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        assert kernels == [], f"kernels left running: {kernels}"


# ------------------------------------------------------------------------------------ phones


class Phone:
    """One participant through the proxy: its own cookie jar and its own client address
    (127.0.X.Y: all of 127/8 is loopback on Linux), so nginx forwards a different X-Real-IP for
    each, as for the phones of a room."""

    def __init__(self, i: int, base_url: str) -> None:
        import httpx

        self.i = i
        self.address = f"127.0.{10 + i // 200}.{10 + i % 200}"
        self.client = httpx.Client(
            base_url=base_url,
            transport=httpx.HTTPTransport(local_address=self.address),
            timeout=httpx.Timeout(70.0, connect=10.0),
            trust_env=False,
        )
        self.token: str | None = None
        self.version = -1
        #: (what, upstream) of every request, in order
        self.served: list[tuple[str, str]] = []
        #: case id -> the answer the phone sent last
        self.sent: dict[str, Answer] = {}

    def _request(self, what: str, method: str, url: str, **kwargs):
        response = self.client.request(method, url, **kwargs)
        self.served.append((what, response.headers.get(UPSTREAM_HEADER, "")))
        return response

    def _xsrf(self) -> dict[str, str]:
        return {"X-XSRFToken": self.client.cookies.get("_xsrf") or ""}

    def open_page(self, code: str) -> None:
        r = self._request("page", "GET", "delta", params={"kode": code})
        assert r.status_code == 200, r.text[:300]
        assert "kit-config" in r.text and f'"code": "{code}"' in r.text
        assert self.client.cookies.get("_xsrf"), "the page set no _xsrf cookie"
        assert f'"api": "{PREFIX}api/live/session/"' in r.text

    def join(self, code: str, token: str | None = None) -> dict:
        r = self._request(
            "join",
            "POST",
            f"api/live/session/{code}/join",
            json={"token": token},
            headers=self._xsrf(),
        )
        assert r.status_code == 200, r.text[:300]
        data = r.json()
        self.token = data["token"]
        self.version = data["state"]["version"]
        return data

    def answer(self, code: str, case_id: str, answer: Answer) -> dict:
        r = self._request(
            "answer",
            "POST",
            f"api/live/session/{code}/answer",
            json={
                "token": self.token,
                "case_id": case_id,
                "process": answer.process,
                "level": answer.level,
            },
            headers=self._xsrf(),
        )
        assert r.status_code == 200, r.text[:300]
        self.sent[case_id] = answer
        return r.json()

    def state(self, code: str, since: int) -> dict:
        r = self._request("state", "GET", f"api/live/session/{code}/state", params={"since": since})
        assert r.status_code == 200, r.text[:300]
        return r.json()

    def upstreams(self, what: str) -> list[str]:
        return [u for w, u in self.served if w == what]

    def close(self) -> None:
        self.client.close()


def answer_of(i: int, j: int, again: bool = False) -> Answer:
    """Phone i's answer to case j (a different one when it changes its mind)."""
    k = i + j + (1 if again else 0)
    return Answer(PROCESSES[k % len(PROCESSES)], LEVELS[(i * (j + 1) + k) % len(LEVELS)])


def run_all(work, items, timeout: float = 120) -> list[BaseException]:
    """``work(item)`` for every item in its own thread, all released together."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(items))

    def one(item) -> None:
        try:
            barrier.wait(timeout=30)
            work(item)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = sum(t.is_alive() for t in threads)
    if stuck:
        errors.append(TimeoutError(f"{stuck} threads still running after {timeout}s"))
    return errors


# ---------------------------------------------------------------------------------- the room


@dataclass
class RoomRun:
    code: str
    key: str
    case_ids: list[str]
    phones: list[Phone]
    seconds: float
    first_join: dict[int, dict] = field(default_factory=dict)


@pytest.fixture(scope="module")
def room(proxied):
    """A session made by the presenter in the store, and forty phones that opened the page,
    joined and answered every case (and changed their answer to the first) through nginx."""
    cases = load_cases()[:CASES_IN_SESSION]
    with Store(proxied.pg_url) as presenter:
        made = presenter.create_session(cases)
    case_ids = [c.id for c in cases]
    phones = [Phone(i, proxied.url) for i in range(PHONES)]
    run = RoomRun(made.code, made.key, case_ids, phones, 0.0)

    def participate(phone: Phone) -> None:
        phone.open_page(made.code)
        data = phone.join(made.code)
        run.first_join[phone.i] = data
        for j, case_id in enumerate(case_ids):
            reply = phone.answer(made.code, case_id, answer_of(phone.i, j))
            assert reply == {"ok": True, "round": 1}
        # A change of mind about the first case: replaces the first answer, wherever it went.
        phone.answer(made.code, case_ids[0], answer_of(phone.i, 0, again=True))

    started = time.monotonic()
    errors = run_all(participate, phones)
    run.seconds = time.monotonic() - started
    print(
        f"\n{PHONES} phones through nginx: page, join, {CASES_IN_SESSION + 1} answers each in "
        f"{run.seconds:.1f} s"
    )
    try:
        assert errors == [], errors[:5]
        yield run
    finally:
        for phone in phones:
            phone.close()


def test_the_servers_run_on_postgresql_under_the_path(proxied):
    for srv in proxied.servers:
        address = f"http://127.0.0.1:{srv.port}{PREFIX}"
        # printed once the server answers its own address: maybe just after it answered ours
        assert address in wait_for(srv.log, lambda log, address=address: address in log)
    with Store(proxied.pg_url) as store:
        assert store.dialect == "postgresql"


def test_every_join_got_the_session(room):
    for phone in room.phones:
        data = room.first_join[phone.i]
        assert data["resumed"] is False
        assert data["code"] == room.code
        assert [c["id"] for c in data["cases"]] == room.case_ids
        assert data["answers"] == {}
        assert data["state"]["open"] is True
        # A phone sees no key before the reveal.
        assert "process" not in data["cases"][0] and data["state"]["keys"] == {}
    assert len({room.first_join[p.i]["token"] for p in room.phones}) == PHONES


def test_both_servers_served_joins_and_answers(room, proxied):
    def session_lines() -> list:
        return [line for line in proxied.nginx.requests() if f"/session/{room.code}/" in line.uri]

    # nginx logs a request after its response: the last phone can be done before its last line
    lines = wait_for(session_lines, lambda lines: len(lines) >= PHONES * (CASES_IN_SESSION + 2))
    assert lines, "nginx logged no request of the session"
    assert {line.status for line in lines} == {200}, Counter(line.status for line in lines)
    by_kind = {
        kind: Counter(line.upstream for line in lines if line.uri.split("?")[0].endswith(kind))
        for kind in ("/join", "/answer")
    }
    print(f"\nrequests per server: {by_kind}")
    assert sum(by_kind["/join"].values()) == PHONES
    assert sum(by_kind["/answer"].values()) == PHONES * (CASES_IN_SESSION + 1)
    for kind, counts in by_kind.items():
        assert set(counts) == proxied.addresses, (kind, counts)
        assert min(counts.values()) >= sum(counts.values()) // 4, (kind, counts)  # round-robin
    # Each participant's requests were spread too: its page, join and answers went to both.
    split = [p for p in room.phones if set(u for _, u in p.served) == proxied.addresses]
    assert len(split) >= PHONES // 2, [p.served for p in room.phones[:3]]
    # The access log and the response headers agree on who served what.
    assert Counter(u for p in room.phones for u in p.upstreams("join")) == by_kind["/join"]
    # nginx saw each phone under its own address (and forwarded it as X-Real-IP).
    assert {line.client for line in lines} == {p.address for p in room.phones}


def test_a_reader_of_the_store_sees_every_answer_once(room, proxied):
    expected: dict[str, Counter] = {cid: Counter() for cid in room.case_ids}
    for phone in room.phones:
        assert set(phone.sent) == set(room.case_ids)
        for case_id, answer in phone.sent.items():
            expected[case_id][answer] += 1
    # Phones whose two answers to the first case went to different servers: still one answer.
    changed_across = [
        p for p in room.phones if len(set(p.upstreams("answer")[0::CASES_IN_SESSION])) == 2
    ]
    assert changed_across, "no phone changed its answer through the other server"
    with Store(proxied.pg_url) as reader:
        assert reader.participant_count(room.code) == PHONES
        counts = reader.counts(room.code)
        assert list(counts) == room.case_ids
        for case_id in room.case_ids:
            assert counts[case_id].answers == PHONES
            assert counts[case_id].by_answer == dict(expected[case_id]), case_id
        stored = reader.answers(room.code)
        assert len(stored) == PHONES * CASES_IN_SESSION
        people = Counter(a.participant for a in stored)
        assert len(people) == PHONES and set(people.values()) == {CASES_IN_SESSION}
        assert reader.revision(room.code)[:3] == (
            PHONES * CASES_IN_SESSION,
            PHONES * (CASES_IN_SESSION + 1),  # every answer written bumped the sequence once
            PHONES,
        )


def test_a_phone_rejoining_through_the_other_server_resumes(room, proxied):
    """One phone after another (nothing else going through nginx, so the rotation alternates):
    re-join with the token until the process that did not take the first join answers."""
    for phone in room.phones:
        first_server = phone.upstreams("join")[0]
        token = room.first_join[phone.i]["token"]
        for _ in range(4):
            data = phone.join(room.code, token)
            assert data["resumed"] is True and data["token"] == token
            assert data["answers"] == {
                case_id: {"1": {"process": a.process, "level": a.level}}
                for case_id, a in phone.sent.items()
            }
            if phone.upstreams("join")[-1] != first_server:
                break
        else:
            pytest.fail(f"phone {phone.i}: every re-join went to {first_server}")
    with Store(proxied.pg_url) as reader:
        assert reader.participant_count(room.code) == PHONES
        assert sum(c.answers for c in reader.counts(room.code).values()) == (
            PHONES * CASES_IN_SESSION
        )


def test_a_reveal_reaches_long_polls_on_both_servers(proxied):
    cases = load_cases()[CASES_IN_SESSION : CASES_IN_SESSION + 2]
    with Store(proxied.pg_url) as presenter:
        made = presenter.create_session(cases)
        phones = [Phone(100 + i, proxied.url) for i in range(4)]
        try:
            for phone in phones:
                phone.open_page(made.code)
                phone.join(made.code)
            now = phones[0].state(made.code, -1)  # no wait: the version is not -1
            assert now["revealed"] == [] and now["version"] == phones[0].version
            results: dict[int, tuple[dict, float]] = {}

            def poll(phone: Phone) -> None:
                data = phone.state(made.code, phone.version)
                results[phone.i] = (data, time.monotonic())

            threads = [threading.Thread(target=poll, args=(p,)) for p in phones]
            for thread in threads:
                thread.start()
            time.sleep(1.5)
            assert results == {}, "a long poll returned before anything changed"
            revealed_at = time.monotonic()
            presenter.reveal(made.code, made.key, cases[0].id)
            for thread in threads:
                thread.join(timeout=REVEAL_WITHIN + 30)
            assert len(results) == len(phones), "a long poll never returned"
            waits = []
            for phone in phones:
                data, at = results[phone.i]
                waits.append(at - revealed_at)
                assert data["revealed"] == [cases[0].id]
                assert data["version"] > phone.version
                key = data["keys"][cases[0].id]
                assert (key["process"], key["level"]) == (cases[0].process, cases[0].level)
                assert cases[1].id not in data["keys"]
            print(f"\nreveal reached 4 long polls in {max(waits):.2f} s (slowest)")
            assert max(waits) < REVEAL_WITHIN, waits
            polled_by = {p.upstreams("state")[-1] for p in phones}
            assert polled_by == proxied.addresses, polled_by
        finally:
            for phone in phones:
                phone.close()


def test_the_presenter_app_loads_through_the_proxy(proxied):
    """The presenter app's page through nginx; its kernel lives in the one process that
    rendered it, which is why nginx keeps a client on one server for Voilà's routes."""
    import httpx

    with httpx.Client(base_url=proxied.url, timeout=180, trust_env=False) as client:
        r = client.get("voila/render/05_presentator.ipynb")
        assert r.status_code == 200, r.text[:500]
        assert "<title>Presentatør – samskaping-kit</title>" in r.text
        rendered_by = r.headers.get(UPSTREAM_HEADER)
        assert rendered_by in proxied.addresses
        # The page's own links stay under the path, so they go through the proxy too.
        assert re.search(rf"""(?:src|href)=["']{re.escape(PREFIX)}voila/""", r.text)
        config = re.search(
            r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', r.text, re.S
        )
        assert config, "page has no jupyter-config-data"
        kernel = json.loads(config.group(1))["kernelId"]
        for _ in range(4):  # through nginx: always the process that has the kernel
            k = client.get(f"api/kernels/{kernel}")
            assert k.status_code == 200 and k.headers.get(UPSTREAM_HEADER) == rendered_by
    other = next(s for s in proxied.servers if s.address != rendered_by)
    with httpx.Client(timeout=30, trust_env=False) as direct:
        assert direct.get(f"{other.url}api/kernels/{kernel}").status_code == 404


def test_the_join_limit_holds_for_a_client_across_both_servers(proxied):
    from kit.live.hub import JOINS_PER_MINUTE

    with Store(proxied.pg_url) as presenter:
        made = presenter.create_session(load_cases()[:1])
    flood = Phone(190, proxied.url)  # one client address, new participants one after another
    try:
        flood.open_page(made.code)
        statuses = Counter()
        for _ in range(2 * JOINS_PER_MINUTE + 10):
            r = flood._request(
                "join",
                "POST",
                f"api/live/session/{made.code}/join",
                json={"token": None},
                headers=flood._xsrf(),
            )
            statuses[r.status_code] += 1
        assert set(flood.upstreams("join")) == proxied.addresses
        with Store(proxied.pg_url) as reader:
            joined = reader.participant_count(made.code)
        print(f"\none client, {sum(statuses.values())} joins: {dict(statuses)}")
        assert joined == statuses[200]
        assert joined <= JOINS_PER_MINUTE, statuses
    finally:
        flood.close()


# ------------------------------------------------------------------------- in a real browser


@pytest.mark.browser
def test_a_presenter_in_chromium_through_the_proxy(proxied, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="nb-NO")
    blocked: list[str] = []
    errors: list[str] = []
    origin = proxied.url.split(PREFIX)[0]

    def only_the_proxy(route):
        url = route.request.url
        if url.startswith(origin) or url.startswith(origin.replace("http", "ws")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    context.route("**/*", only_the_proxy)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    phones: list[Phone] = []
    try:
        page.goto(f"{proxied.url}voila/render/05_presentator.ipynb")
        page.wait_for_selector(".kit-app h1", timeout=90_000)
        page.get_by_role("button", name="10 blandede", exact=True).click()
        page.get_by_role("button", name="Start økt").click()
        code_box = page.locator(".kit-code")
        expect(code_box).to_be_visible(timeout=30_000)
        code = code_box.inner_text().strip()
        # The address shown to the room is the proxy's, under the path.
        expect(page.locator(".kit-join-panel a")).to_have_attribute(
            "href", f"{proxied.url}delta?kode={code}"
        )
        stats = page.locator(".kit-stats")
        expect(stats).to_contain_text("Deltakere: 0")
        phones = [Phone(150 + i, proxied.url) for i in range(4)]
        with Store(proxied.pg_url) as store:
            case_id = store.session_cases(code)[0].id
        for phone in phones:
            phone.open_page(code)
            phone.join(code)
            phone.answer(code, case_id, Answer("samskaping", 2))
        assert {p.upstreams("join")[0] for p in phones} == proxied.addresses
        expect(stats).to_contain_text("Deltakere: 4", timeout=10_000)
        expect(stats).to_contain_text("Svar: 4", timeout=10_000)
        assert blocked == [] and errors == [], (blocked, errors)
    finally:
        for phone in phones:
            phone.close()
        context.close()


def test_the_join_limit_holds_for_simultaneous_joins_in_one_process(proxied):
    """Straight to one server (not through nginx): a loopback peer's X-Real-IP is trusted, as
    a local proxy's would be, so every request counts for the one client 10.99.0.1."""
    import httpx

    from kit.live.hub import JOINS_PER_MINUTE

    with Store(proxied.pg_url) as presenter:
        made = presenter.create_session(load_cases()[:1])
    srv = proxied.servers[0]
    with httpx.Client(base_url=srv.url, trust_env=False) as page:
        assert page.get("delta", params={"kode": made.code}).status_code == 200
        xsrf = page.cookies.get("_xsrf")
    statuses: Counter = Counter()
    # 100 threads released together, each sending its share of 2 x the limit back to back on
    # one shared client: the joins race in the server as 800 threads did, without the test
    # process building 800 clients (and 800 SSL contexts) on a slow machine first.
    workers, total = 100, 2 * JOINS_PER_MINUTE
    shared = httpx.Client(
        base_url=srv.url,
        trust_env=False,
        cookies={"_xsrf": xsrf},
        headers={"X-Real-IP": "10.99.0.1", "X-XSRFToken": xsrf},
        timeout=60,
        limits=httpx.Limits(max_connections=workers, max_keepalive_connections=workers),
    )

    counting = threading.Lock()

    def join(worker: int) -> None:
        for _ in range(worker, total, workers):
            r = shared.post(f"api/live/session/{made.code}/join", json={"token": None})
            with counting:
                statuses[r.status_code] += 1

    with shared:
        assert run_all(join, list(range(workers))) == []
    assert sum(statuses.values()) == total
    with Store(proxied.pg_url) as reader:
        joined = reader.participant_count(made.code)
    print(f"\n{2 * JOINS_PER_MINUTE} simultaneous joins of one client: {dict(statuses)}")
    assert joined == statuses[200]
    assert joined <= JOINS_PER_MINUTE, statuses
