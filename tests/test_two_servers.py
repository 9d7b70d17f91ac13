"""Two `samskaping serve` processes sharing one PostgreSQL behind one Debian nginx, under a path.

The README says a room can be spread over several server processes: all state is in the store,
so any process can answer any phone. Here two processes (``--base-url /samskaping/``, the
proxy's address as ``--public-url``) sit behind one nginx that hands the participant side
(``/delta``, ``api/live/``, ``live-static/``; the workshop's ``/verksted`` and ``api/workshop/``)
out round-robin, so one participant's page, join and answers land on different processes; Voilà's own routes stay with one server per client (a
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
- the per-client join limit holds across the two processes and for joins arriving together;
- Samarbeidsverkstedet the same way (``verksted`` and ``api/workshop/`` round-robin too): 32
  participants join a workshop the facilitator made in the store, propose, park points and
  respond to each other's proposals (objections with their reasons, a changed response), re-join
  with their token through the other process and go on; both processes served every kind of
  request; a reader of the store sees every participant, proposal, response and parking point
  exactly once (a changed response in place of the old one, one write counted per request); a
  long poll held by one process wakes for a proposal sent through the other, and long polls on
  both wake for the facilitator's clause, within a bounded wait.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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


def test_unknown_codes_are_one_bucket_for_a_client_across_both_servers(proxied):
    """A client guessing codes through the proxy, its requests handed to both processes in
    turn, is refused after the bucket wherever they land: one bucket, counted in the database
    (a bucket in each process would let twice as many through). A real code is refused to it
    the same; another client is not held back."""
    from kit.live import schema
    from kit.live.hub import CODE_PROBES_PER_MINUTE as LIMIT
    from kit.live.store import new_code

    with Store(proxied.pg_url) as presenter:
        made = presenter.create_session(load_cases()[:1])
        codes: list[str] = []
        while len(codes) < LIMIT + 10:  # well formed, and no session's or workshop's
            code = new_code()
            taken = presenter.run_read(lambda conn, c=code: schema.code_taken(conn, c))
            if not taken and code not in codes:
                codes.append(code)
    prober, other = Phone(191, proxied.url), Phone(192, proxied.url)

    def guess(phone: Phone, code: str) -> int:
        return phone._request("state", "GET", f"api/live/session/{code}/state").status_code

    try:
        statuses = [guess(prober, code) for code in codes]
        assert statuses == [404] * LIMIT + [429] * 10, Counter(statuses)
        served = prober.upstreams("state")
        assert set(served[:LIMIT]) == set(served[LIMIT:]) == proxied.addresses
        assert guess(prober, made.code) == 429  # a real code: the same answer
        assert guess(other, codes[0]) == 404  # positive control: another client
        assert guess(other, made.code) == 200
    finally:
        prober.close()
        other.close()


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


# ------------------------------------------------------------------------------ the workshop

#: Samarbeidsverkstedet's participants (kit/workshop/handlers.py) through the same proxy, whose
#: config hands ``verksted`` and ``api/workshop/`` out round-robin like ``delta``.
PEOPLE = 32
#: Their numbers start here: client addresses 127.0.11.x, none of the room's phones'.
FIRST_PERSON = 200
WORKSHOP_CLAUSES = ("purpose", "roles", "mode", "tasks")
PARTIES = ("leadership", "unit", "organisation", "volunteer", "recipient", "partner")
CHOICES = ("agree", "live_with", "object")
#: The most a long poll may take to wake for a change made elsewhere: generous (the servers
#: look every 0.25 s), and far under the 25 s a poll is held, so a poll that merely ran out
#: with the change read afterwards fails.
WAKE_WITHIN = 10.0


class Participant(Phone):
    """One workshop participant through the proxy (a :class:`Phone`: its own cookie jar and
    client address), with what it said, as it said it."""

    def __init__(self, i: int, base_url: str) -> None:
        super().__init__(i, base_url)
        self.party = PARTIES[i % len(PARTIES)]
        self.name: str | None = f"Deltaker {i}" if i % 3 == 0 else None
        #: proposal id -> (clause, text)
        self.proposals: dict[str, tuple[str, str]] = {}
        #: proposal id -> (choice, reason) it sent last
        self.responses: dict[str, tuple[str, str | None]] = {}
        #: proposal id -> the upstream of each response to it, in order
        self.response_upstreams: dict[str, list[str]] = {}
        #: (point id, text, clause)
        self.parked: list[tuple[str, str, str | None]] = []

    def open_workshop_page(self, code: str) -> None:
        r = self._request("verksted", "GET", "verksted", params={"kode": code})
        assert r.status_code == 200, r.text[:300]
        assert f'"code": "{code}"' in r.text
        assert f'"api": "{PREFIX}api/workshop/"' in r.text
        assert self.client.cookies.get("_xsrf"), "the page set no _xsrf cookie"

    def _post(self, what: str, code: str, body: dict) -> dict:
        r = self._request(
            what, "POST", f"api/workshop/{code}/{what}", json=body, headers=self._xsrf()
        )
        assert r.status_code == 200, (what, r.status_code, r.text[:300])
        return r.json()

    def enter(self, code: str, *, again: bool = False) -> dict:
        """Join as a new participant speaking for its party, or ``again`` with its token
        (a reload: no party, so it keeps the one it has)."""
        body = {"token": self.token} if again else {"party": self.party, "name": self.name}
        data = self._post("join", code, body)
        self.token = data["token"]
        return data

    def propose(self, code: str, clause: str, text: str) -> str:
        data = self._post("propose", code, {"token": self.token, "clause": clause, "text": text})
        made = data["proposal"]
        assert (made["party"], made["text"], made["name"]) == (self.party, text, self.name)
        self.proposals[made["id"]] = (clause, text)
        return made["id"]

    def respond(self, code: str, proposal: str, choice: str, reason: str | None) -> None:
        body = {"token": self.token, "proposal": proposal, "choice": choice, "reason": reason}
        data = self._post("respond", code, body)
        assert data["response"] == {"proposal": proposal, "choice": choice, "reason": reason}
        self.responses[proposal] = (choice, reason)
        self.response_upstreams.setdefault(proposal, []).append(self.served[-1][1])

    def park(self, code: str, text: str, clause: str | None) -> None:
        data = self._post("park", code, {"token": self.token, "text": text, "clause": clause})
        point = data["point"]
        assert (point["text"], point["clause"]) == (text, clause)
        self.parked.append((point["id"], text, clause))

    def workshop_state(self, code: str, since: int) -> dict:
        r = self._request("state", "GET", f"api/workshop/{code}/state", params={"since": since})
        assert r.status_code == 200, r.text[:300]
        return r.json()

    def mine(self) -> dict:
        """What its join says it said (``mine`` of a join's answer)."""
        return {
            "proposals": list(self.proposals),
            "responses": {
                pid: {"proposal": pid, "choice": choice, "reason": reason}
                for pid, (choice, reason) in self.responses.items()
            },
            "parking": [{"id": k, "text": text, "clause": c} for k, text, c in self.parked],
        }


def proposal_text(i: int) -> str:
    return f"Forslag fra deltaker {i}: partene møtes hver tredje uke"


def response_of(i: int, k: int, changed: bool = False) -> tuple[str, str | None]:
    """Participant i's response to the proposal of participant i + 1 + k (another choice when
    it changes its mind); an objection always has its reason, 'can live with it' sometimes."""
    choice = CHOICES[(i + k + (1 if changed else 0)) % len(CHOICES)]
    if choice == "object":
        return choice, f"Innvending {i}/{k}{' (endret)' if changed else ''}: for lite tid"
    if choice == "live_with" and i % 2 == 0:
        return choice, f"Kan leve med det, deltaker {i}"
    return choice, None


def proposal_ids(view: dict) -> dict[str, str]:
    """Text -> id of every proposal in a phone's view of the workshop."""
    found = [p for clause in view["clauses"] for p in clause["proposals"]]
    by_text = {p["text"]: p["id"] for p in found}
    assert len(by_text) == len(found), "a proposal shown twice"
    return by_text


@dataclass
class WorkshopRun:
    code: str
    key: str
    people: list[Participant]
    seconds: float
    first_join: dict[int, dict] = field(default_factory=dict)
    #: every proposal as a participant's view showed it, before anyone responded
    seen: dict[int, dict[str, str]] = field(default_factory=dict)
    #: the re-join that went to the other server: (its answer, what the participant had said)
    rejoin: dict[int, tuple[dict, dict]] = field(default_factory=dict)
    rejoins: int = 0


@pytest.fixture(scope="module")
def workshop(proxied):
    """A workshop made by the facilitator in the store, and 32 participants through nginx:
    all together they open the page, join, propose and park two points; then all together
    they read the proposals and respond to three of the others' (one response changed); then
    one after another each re-joins with its token until the process that did not take its
    first join answers, and responds and parks once more."""
    from kit.workshop.store import WorkshopStore

    with Store(proxied.pg_url) as store:
        made = WorkshopStore(store).create_workshop(
            "Leksehjelp på biblioteket", "nb", parties=PARTIES, clauses=WORKSHOP_CLAUSES
        )
    people = [Participant(FIRST_PERSON + n, proxied.url) for n in range(PEOPLE)]
    run = WorkshopRun(made.code, made.key, people, 0.0)
    code = made.code

    def speak(p: Participant) -> None:
        # Five requests, as the second part has: were the threads to run one after another,
        # each kind of request would still alternate between the processes.
        clause = WORKSHOP_CLAUSES[p.i % len(WORKSHOP_CLAUSES)]
        p.open_workshop_page(code)
        run.first_join[p.i] = p.enter(code)
        p.propose(code, clause, proposal_text(p.i))
        p.park(code, f"Parkert av deltaker {p.i}: forsikring", clause)
        p.park(code, f"Parkert av deltaker {p.i}: lokaler i ferien", None)

    def others(p: Participant, k: int) -> int:
        return FIRST_PERSON + (p.i - FIRST_PERSON + 1 + k) % PEOPLE

    def respond(p: Participant) -> None:
        ids = proposal_ids(p.workshop_state(code, -1))
        run.seen[p.i] = ids
        for k in range(3):
            p.respond(code, ids[proposal_text(others(p, k))], *response_of(p.i, k))
        # A change of mind: replaces the first response, wherever either went.
        p.respond(code, ids[proposal_text(others(p, 0))], *response_of(p.i, 0, changed=True))

    started = time.monotonic()
    try:
        errors = run_all(speak, people)
        assert errors == [], errors[:5]
        errors = run_all(respond, people)
        assert errors == [], errors[:5]
        for p in people:  # one at a time: nothing else goes through nginx, the rotation alternates
            first_server = p.upstreams("join")[0]
            for _ in range(4):
                said = p.mine()
                data = p.enter(code, again=True)
                run.rejoins += 1
                if p.upstreams("join")[-1] != first_server:
                    run.rejoin[p.i] = (data, said)
                    break
            ids = run.seen[p.i]
            p.respond(code, ids[proposal_text(others(p, 3))], *response_of(p.i, 3))
            about = WORKSHOP_CLAUSES[(p.i + 1) % len(WORKSHOP_CLAUSES)] if p.i % 2 else None
            p.park(code, f"Nok et punkt fra deltaker {p.i}: taushetsplikt", about)
        run.seconds = time.monotonic() - started
        print(
            f"\n{PEOPLE} workshop participants through nginx: page, join, propose, park 2x, read, "
            f"respond 4x, re-join, respond, park in {run.seconds:.1f} s"
        )
        yield run
    finally:
        for p in people:
            p.close()


def test_every_workshop_join_got_the_workshop(workshop):
    clauses = set(WORKSHOP_CLAUSES)
    for p in workshop.people:
        data = workshop.first_join[p.i]
        assert data["resumed"] is False and data["code"] == workshop.code
        assert (data["party"], data["name"]) == (p.party, p.name)
        assert data["mine"] == {"proposals": [], "responses": {}, "parking": []}
        assert data["workshop"]["open"] is True
        assert {c["id"] for c in data["workshop"]["clauses"]} == clauses
        assert "token" not in json.dumps(data["workshop"])
    assert len({workshop.first_join[p.i]["token"] for p in workshop.people}) == PEOPLE
    # Every participant, whichever process answered, read every proposal once.
    everyone = {proposal_text(p.i) for p in workshop.people}
    for p in workshop.people:
        assert set(workshop.seen[p.i]) == everyone


def test_both_servers_served_the_workshop(workshop, proxied):
    kinds = ("verksted", "join", "propose", "respond", "park", "state")
    by_header = {
        kind: Counter(u for p in workshop.people for u in p.upstreams(kind)) for kind in kinds
    }
    print(f"\nworkshop requests per server: {by_header}")
    assert sum(by_header["join"].values()) == PEOPLE + workshop.rejoins
    assert sum(by_header["respond"].values()) == PEOPLE * 5
    assert sum(by_header["park"].values()) == PEOPLE * 3
    for kind, counts in by_header.items():
        assert set(counts) == proxied.addresses, (kind, counts)
        assert min(counts.values()) >= sum(counts.values()) // 4, (kind, counts)  # round-robin
    # Each participant's requests went to both processes.
    assert all({u for _, u in p.served} == proxied.addresses for p in workshop.people)

    # nginx's access log agrees (it logs a request after its response: read until all are in).
    code = workshop.code

    def workshop_lines() -> list:
        return [
            line
            for line in proxied.nginx.requests()
            if f"/api/workshop/{code}/" in line.uri or f"verksted?kode={code}" in line.uri
        ]

    total = sum(len(p.served) for p in workshop.people)
    lines = wait_for(workshop_lines, lambda lines: len(lines) >= total)
    assert len(lines) == total
    assert {line.status for line in lines} == {200}, Counter(line.status for line in lines)
    by_log = {
        kind: Counter(
            line.upstream
            for line in lines
            if line.uri.split("?")[0].rstrip("/").rsplit("/", 1)[-1] == kind
        )
        for kind in kinds
    }
    assert by_log == by_header
    assert {line.client for line in lines} == {p.address for p in workshop.people}


def test_a_reader_of_the_store_sees_every_contribution_once(workshop, proxied):
    from kit.live.store import pseudonym
    from kit.workshop.store import WorkshopStore

    people = workshop.people
    by_id = {pid: (p, clause, text) for p in people for pid, (clause, text) in p.proposals.items()}
    with Store(proxied.pg_url) as store:
        ws = WorkshopStore(store)
        assert ws.participant_count(workshop.code) == PEOPLE
        state = ws.workshop_state(workshop.code)
        info = ws.info(workshop.code)
        mine = {p.i: ws.mine(workshop.code, p.token) for p in people}

    # Every proposal once, with the number the store gave it.
    assert len(state.proposals) == PEOPLE
    assert {
        pr.id: (pr.clause, pr.party, pr.text, pr.participant, pr.name) for pr in state.proposals
    } == {
        pid: (clause, p.party, text, pseudonym(p.token), p.name)
        for pid, (p, clause, text) in by_id.items()
    }
    # Every response once: the changed one in place of the first, wherever each was sent.
    expected = Counter(
        (pid, pseudonym(p.token), p.party, choice, reason)
        for p in people
        for pid, (choice, reason) in p.responses.items()
    )
    stored = Counter(
        (r.proposal, r.participant, r.party, r.choice, r.reason) for r in state.responses
    )
    assert len(state.responses) == PEOPLE * 4
    assert stored == expected
    assert all(r.reason for r in state.responses if r.choice == "object")
    assert {r.choice for r in state.responses} == set(CHOICES)
    changed_across = [
        p for p in people if any(len(set(u)) == 2 for u in p.response_upstreams.values())
    ]
    assert changed_across, "no participant changed a response through the other server"
    # Every parking point once.
    assert len(state.parking) == PEOPLE * 3
    assert Counter((k.id, k.participant, k.party, k.text, k.clause) for k in state.parking) == (
        Counter(
            (kid, pseudonym(p.token), p.party, text, clause)
            for p in people
            for kid, text, clause in p.parked
        )
    )
    # What each participant said, as the store gives it back to them.
    for p in people:
        assert list(mine[p.i].proposals) == list(p.proposals)
        assert {k: (r.choice, r.reason) for k, r in mine[p.i].responses.items()} == p.responses
        assert [(k.id, k.text, k.clause) for k in mine[p.i].parking] == p.parked
    # One write each, none lost and none twice: joins, proposals, responses, parking points.
    writes = sum(
        len(p.upstreams(kind)) for p in people for kind in ("join", "propose", "respond", "park")
    )
    assert (info.revision, info.version) == (writes, PEOPLE)


def test_a_participant_rejoining_through_the_other_server_resumes(workshop):
    people = workshop.people
    missing = [p.i for p in people if p.i not in workshop.rejoin]
    assert missing == [], f"every re-join went to the first join's server for {missing}"
    for p in people:
        data, said = workshop.rejoin[p.i]
        assert data["resumed"] is True and data["token"] == workshop.first_join[p.i]["token"]
        assert (data["party"], data["name"]) == (p.party, p.name)
        assert data["mine"] == said
        assert len(said["proposals"]) == 1 and len(said["responses"]) == 3
        assert len(said["parking"]) == 2


def _held_polls(
    people: list[Participant], code: str, change: Callable[[], Any]
) -> tuple[dict[int, dict], list[float], Any]:
    """Every participant long-polls the workshop's state (since the version its join had),
    ``change()`` happens once they are all held, and each poll returns. Returns the polls'
    answers, how long after the change each came, and what ``change`` returned."""
    results: dict[int, tuple[dict, float]] = {}
    errors: list[BaseException] = []

    def poll(p: Participant) -> None:
        try:
            data = p.workshop_state(code, p.version)
            results[p.i] = (data, time.monotonic())
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=poll, args=(p,)) for p in people]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    assert results == {} and errors == [], "a long poll returned before anything changed"
    changed_at = time.monotonic()
    made = change()
    for thread in threads:
        thread.join(timeout=WAKE_WITHIN + 60)
    assert errors == [], errors
    assert len(results) == len(people), "a long poll never returned"
    waits = [results[p.i][1] - changed_at for p in people]
    for p in people:
        p.version = results[p.i][0]["version"]
    return {i: data for i, (data, _at) in results.items()}, waits, made


def _small_workshop(proxied, first: int, n: int = 4) -> tuple[str, str, list[Participant]]:
    from kit.workshop.store import WorkshopStore

    with Store(proxied.pg_url) as store:
        made = WorkshopStore(store).create_workshop("Turgruppe", "nb", clauses=WORKSHOP_CLAUSES)
    people = [Participant(first + k, proxied.url) for k in range(n)]
    for p in people:
        p.open_workshop_page(made.code)
        p.version = p.enter(made.code)["workshop"]["version"]
    return made.code, made.key, people


def test_a_long_poll_wakes_for_a_proposal_through_the_other_server(proxied):
    code, _key, people = _small_workshop(proxied, FIRST_PERSON + 40, 5)
    proposer, waiting = people[0], people[1:]
    since = {p.i: p.version for p in waiting}
    text = "Vi går tur hver tirsdag"

    def propose() -> str:
        proposer.propose(code, "purpose", text)
        return proposer.upstreams("propose")[-1]  # the process the proposal went through

    try:
        results, waits, via = _held_polls(waiting, code, propose)
        print(f"\na proposal reached 4 long polls in {max(waits):.2f} s (slowest)")
        held_by = {p.upstreams("state")[-1] for p in waiting}
        assert held_by == proxied.addresses, held_by
        assert via in proxied.addresses
        # So some poll was held by the process the proposal did not go through.
        assert [p for p in waiting if p.upstreams("state")[-1] != via]
        for p in waiting:
            data = results[p.i]
            assert data["version"] > since[p.i]
            purpose = next(c for c in data["clauses"] if c["id"] == "purpose")
            assert [pr["text"] for pr in purpose["proposals"]] == [text]
        assert max(waits) < WAKE_WITHIN, waits  # woken, not run out (a poll is held 25 s)
    finally:
        for p in people:
            p.close()


def test_the_facilitators_clause_reaches_long_polls_on_both_servers(proxied):
    from kit.workshop.store import WorkshopStore

    code, key, people = _small_workshop(proxied, FIRST_PERSON + 50)
    try:
        with Store(proxied.pg_url) as store:
            facilitator = WorkshopStore(store)
            for clause in ("roles", "tasks", None):
                since = {p.i: p.version for p in people}
                results, waits, _ = _held_polls(
                    people, code, lambda c=clause: facilitator.show_clause(code, key, c)
                )
                print(f"\nshow_clause({clause!r}) reached 4 long polls in {max(waits):.2f} s")
                held_by = {p.upstreams("state")[-1] for p in people}
                assert held_by == proxied.addresses, (clause, held_by)
                for p in people:
                    assert results[p.i]["current"] == clause
                    assert results[p.i]["version"] > since[p.i]
                assert max(waits) < WAKE_WITHIN, (clause, waits)
    finally:
        for p in people:
            p.close()
