"""A Locust model of a room on `samskaping serve`: phones in a live session, and learners
opening an app.

Run it through ``bench/capacity.py`` (it starts a server and a session, runs Locust headless and
prints p50/p95 per request), or with Locust itself against a server and a session of your own::

    locust -f bench/locustfile.py --headless -u 200 -r 20 -t 2m \\
        --host http://127.0.0.1:8866/ --code ABCD PhoneUser

**PhoneUser**, one phone in the live room, as the phone page (``kit/live/static/delta.js``) does:

1. ``GET /delta?kode=CODE``: the page (it sets the ``_xsrf`` cookie);
2. ``POST /api/live/session/CODE/join`` with ``X-XSRFToken``: a participant token and the
   session's cases;
3. from then on one long-poll ``GET …/state?since=V`` held open at all times (the server holds it
   up to 25 s when nothing changes, so its time is the hold, not a delay: read its failures);
4. meanwhile an answer to a case (``POST …/answer``) every ``--answer-every`` seconds (random
   spread of ±50 %), a valid random process and level.

**LearnerUser** (only when named, and ``--learners N``): a learner on a laptop opening an app
(``--learner-app``, default ``03_klassifiser.ipynb``): ``GET /voila/render/APP``. Voilà answers
once the app's cells have run in a new kernel, so its time is the wait for the page (not the
widgets' first paint). The page's kernel is then left to the server (no websocket: ``serve``
shuts it down after ``--kernel-connect-timeout``, 60 s by default). A learner opens the app once
(a class arriving), or again every ``--learner-every`` seconds if that is above 0; each visit is
a kernel, and the server admits ``--max-kernels`` (40) at once: more answer 503.

Every phone comes from this machine's address. ``serve`` limits new joins per client address
(400 a minute); ``--fake-addresses`` sends each phone's own ``X-Real-IP`` (10.x.y.z; a header
only, no traffic goes there), which the server believes only from a proxy it trusts (one on the
same machine: see docs/reverse-proxy.md). Loops are bounded by Locust's ``--run-time``.
"""

from __future__ import annotations

import json
import random
import re

import gevent
from locust import FastHttpUser, between, events, task
from locust.exception import StopUser

#: what the phone page would send: the four processes, a level for all but "ingen"
PROCESSES = ("samskaping", "samproduksjon", "verdisamskaping", "ingen")
XSRF_COOKIE = re.compile(r"_xsrf=([^;]+)")


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    group = parser.add_argument_group("samskaping-kit")
    group.add_argument("--code", default="", help="the live session's code (phones join it)")
    group.add_argument(
        "--answer-every", type=float, default=10.0, help="seconds between a phone's answers"
    )
    group.add_argument(
        "--fake-addresses",
        action="store_true",
        default=False,
        help="each phone sends its own X-Real-IP (a server trusting this machine as its proxy)",
    )
    group.add_argument(
        "--learners", type=int, default=0, help="learners opening an app (LearnerUser)"
    )
    group.add_argument("--learner-app", default="03_klassifiser.ipynb", help="the app they open")
    group.add_argument(
        "--learner-every",
        type=float,
        default=0.0,
        help="seconds between a learner's visits (0: one visit)",
    )


@events.init.add_listener
def _learners(environment, **_kwargs) -> None:
    options = environment.parsed_options
    if options is not None:
        LearnerUser.fixed_count = max(0, options.learners)


class PhoneUser(FastHttpUser):
    """One phone: join once, then follow the room and answer now and then."""

    weight = 1

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.code = options.code
        if not self.code:
            raise StopUser("no --code: start a session and give its code")
        self.answer_every = max(0.5, options.answer_every)
        self.headers: dict[str, str] = {}
        if options.fake_addresses:
            n = random.getrandbits(24)  # per phone (Locust may run in several processes)
            self.headers["X-Real-IP"] = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        self.base = (self.host or "").rstrip("/") + "/"  # the server, with its --base-url
        self.token = None
        self.version = -1
        self.case_ids: list[str] = []
        if not self._join():
            raise StopUser("join failed")
        self.follower = gevent.spawn(self._follow)

    def on_stop(self) -> None:
        follower = getattr(self, "follower", None)
        if follower is not None:
            follower.kill(block=False)

    def _join(self) -> bool:
        api = f"{self.base}api/live/session/{self.code}"
        with self.client.get(
            f"{self.base}delta?kode={self.code}",
            name="page /delta",
            headers=self.headers,
            catch_response=True,
        ) as page:
            found = XSRF_COOKIE.search(page.headers.get("Set-Cookie") or "")
            if page.status_code != 200 or found is None:
                page.failure(
                    f"HTTP {page.status_code}, _xsrf cookie {'set' if found else 'missing'}"
                )
                return False
            xsrf = found.group(1)
        self.headers["X-XSRFToken"] = xsrf
        with self.client.post(
            f"{api}/join",
            name="join",
            data=json.dumps({"token": None}),
            headers={**self.headers, "Content-Type": "application/json"},
            catch_response=True,
        ) as reply:
            try:
                data = json.loads(reply.content or b"{}")
            except ValueError:
                data = {}
            if reply.status_code != 200 or not data.get("cases"):
                reply.failure(f"HTTP {reply.status_code}: {str(data.get('error', ''))[:60]}")
                return False
        self.token = data["token"]
        self.version = data["state"]["version"]
        # cases only (a question, "q-...", is answered with item_id, as its own kind)
        self.case_ids = [c["id"] for c in data["cases"] if "kind" not in c]
        return True

    def _follow(self) -> None:
        """One long-poll at all times, as the page's follow() does (re-sent at once)."""
        url = f"{self.base}api/live/session/{self.code}/state"
        while True:
            with self.client.get(
                f"{url}?since={self.version}",
                name="state (long-poll)",
                headers=self.headers,
                catch_response=True,
            ) as reply:
                if reply.status_code == 200:
                    try:
                        self.version = json.loads(reply.content).get("version", self.version)
                    except ValueError:
                        reply.failure("not JSON")
                else:
                    reply.failure(f"HTTP {reply.status_code}")
                    gevent.sleep(1.0)  # the page waits before it asks again

    def wait_time(self) -> float:
        return random.uniform(0.5, 1.5) * self.answer_every

    @task
    def answer(self) -> None:
        if not self.case_ids:
            return
        process = random.choice(PROCESSES)
        level = None if process == "ingen" else random.choice((1, 2, 3))
        body = {
            "token": self.token,
            "case_id": random.choice(self.case_ids),
            "process": process,
            "level": level,
        }
        with self.client.post(
            f"{self.base}api/live/session/{self.code}/answer",
            name="answer",
            data=json.dumps(body),
            headers={**self.headers, "Content-Type": "application/json"},
            catch_response=True,
        ) as reply:
            if reply.status_code != 200:
                reply.failure(f"HTTP {reply.status_code}: {reply.text[:60] if reply.text else ''}")


class LearnerUser(FastHttpUser):
    """A learner opening an app: a new kernel each visit."""

    fixed_count = 0
    wait_time = between(0, 0)
    #: Voilà answers when every cell has run: allow a loaded server its time
    network_timeout = 180.0
    connection_timeout = 30.0

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.url = f"{(self.host or '').rstrip('/')}/voila/render/{options.learner_app}"
        self.app = options.learner_app
        self.every = options.learner_every

    @task
    def open_app(self) -> None:
        with self.client.get(self.url, name=f"app {self.app}", catch_response=True) as reply:
            text = reply.text or ""
            if reply.status_code != 200 or "<main" not in text:
                reply.failure(f"HTTP {reply.status_code}")
        if self.every <= 0:  # one visit: wait for the end of the run
            while True:
                gevent.sleep(3600)
        gevent.sleep(random.uniform(0.5, 1.5) * max(1.0, self.every))
