"""A kit server's kernel-less routes on a free port of 127.0.0.1 in this process, and a phone
that talks to them over plain HTTP: shared by the live room's, the big screen's and the
workshop's HTTP tests. The server is stopped by its test (its thread's loop), never left."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tornado import web
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from kit.live import handlers as live_handlers
from kit.live import hub as live_hub
from kit.live.store import Store


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    @property
    def json(self):
        assert self.headers["Content-Type"].startswith("application/json"), self.headers
        return json.loads(self.body)


class LiveServer:
    """The routes on a free port, in a thread with its own event loop."""

    def __init__(
        self,
        store: Store,
        base_url: str = "/",
        routes: Sequence[Callable[[str, live_hub.Hub], list]] = (live_handlers.handlers,),
    ) -> None:
        """``routes``: the route lists to mount on one hub (the live room's by default; the
        workshop's tests add theirs, as ``samskaping serve`` does)."""
        self.store = store
        self.base_url = base_url
        self.routes = routes
        self.hub = live_hub.Hub(lambda: store, workers=4)
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-web-test", daemon=True)
        self._thread.start()
        assert self._ready.wait(10), "the test server did not start"

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self.loop = loop

        async def start() -> HTTPServer:
            app = web.Application(
                [route for make in self.routes for route in make(self.base_url, self.hub)]
            )
            sockets = bind_sockets(0, "127.0.0.1")
            server = HTTPServer(app)
            server.add_sockets(sockets)
            self.port = sockets[0].getsockname()[1]
            return server

        server = loop.run_until_complete(start())
        self._ready.set()
        loop.run_forever()
        server.stop()
        loop.run_until_complete(server.close_all_connections())
        # What still runs (the hub's watcher, a held request) ends here, not when the garbage
        # collector finds it pending and logs so in some later test.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.hub.pool.shutdown(wait=True)

    def waiting(self, code: str) -> int:
        """How many state requests of ``code`` are held open right now."""
        return len(self.hub._waiters.get(code, ()))


class Phone:
    """One browser: the _xsrf cookie from the page, its address, the token it stored."""

    #: seconds a request may wait for the server
    timeout = 30.0

    def __init__(self, server: LiveServer, ip: str = "10.0.0.1") -> None:
        self.server = server
        self.ip = ip
        self.xsrf: str | None = None
        self.token: str | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=self.timeout)
        try:
            all_headers = {"X-Real-IP": self.ip, **(headers or {})}
            conn.request(method, self.server.base_url + path.lstrip("/"), body, all_headers)
            resp = conn.getresponse()
            return Reply(resp.status, resp.headers, resp.read())
        finally:
            conn.close()

    def open_page(self, query: str = "") -> Reply:
        reply = self.request("GET", f"delta{query}")
        for header in reply.headers.get_all("Set-Cookie") or []:
            match = re.match(r"_xsrf=([^;]+)", header)
            if match:
                self.xsrf = match.group(1)
        return reply

    def post(self, path: str, data, *, xsrf: bool = True, raw: bytes | None = None) -> Reply:
        if self.xsrf is None:
            self.open_page()
        headers = {"Content-Type": "application/json", "Cookie": f"_xsrf={self.xsrf}"}
        if xsrf:
            headers["X-XSRFToken"] = self.xsrf
        body = raw if raw is not None else json.dumps(data).encode()
        return self.request("POST", path, body, headers)

    def join(self, code: str, token: str | None = None, **kw) -> Reply:
        data = {} if token is None else {"token": token}
        reply = self.post(f"api/live/session/{code}/join", data, **kw)
        if reply.status == 200:
            self.token = reply.json["token"]
        return reply

    def answer(self, code: str, case_id: str, process, level, **kw) -> Reply:
        data = {"token": self.token, "case_id": case_id, "process": process, "level": level}
        return self.post(f"api/live/session/{code}/answer", data, **kw)

    def state(self, code: str, since: int | str | None = None) -> Reply:
        query = "" if since is None else f"?since={since}"
        return self.request("GET", f"api/live/session/{code}/state{query}")
