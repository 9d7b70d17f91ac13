"""The server behind ``samskaping serve``: Voilà with the kit's own routes on the same port.

Voilà 0.5 builds its Tornado application in ``Voila.start()`` from ``init_handlers()``; this
subclass puts the participant pages and their JSON APIs (:mod:`kit.live.handlers`, and the
workshop's, :mod:`kit.workshop.handlers`) in front of Voilà's routes, so a phone in a live
session or a workshop costs no kernel. It also bounds what a visitor can do to
the server itself:

- request bodies are bounded (``MAX_BODY_SIZE``), and so is the time a client may take to send
  a request's headers, new or between requests (``KIT_HEADER_TIMEOUT``), and its body
  (``KIT_BODY_TIMEOUT``); the open-file limit is raised to the hard limit at start, and out of
  file descriptors the server pauses accepting instead of looping on the error
  (:mod:`kit.server.connections`); an error repeated on every request is logged once a minute;
- every request, websocket upgrades included, must carry a ``Host`` the server is served under
  (:mod:`kit.server.host_check`, against DNS rebinding), or gets 403 before any handler runs;
- a notebook page beyond the kernel caps (:class:`kit.server.limits.KitKernelManager`: in all, per
  client address, the learners' share) gets a small "the server is full" page (HTTP 503,
  ``Retry-After``) and starts no kernel;
- with preheated kernels (:mod:`kit.server.pool`) a page is answered by a kernel that has run its
  app up to waiting for the visitor's request, within the same caps;
- live sessions and workshops older than the retention time (``KIT_RETENTION_DAYS``,
  ``--retention-days``) are deleted at start and every hour (:mod:`kit.server.retention`).

Run as ``python -m kit.server.app`` with Voilà's options; ``samskaping serve`` (:mod:`kit.server.cli`)
does that.
"""

from __future__ import annotations

import kit.server.first  # noqa: F401 - before Voilà's imports (see that module)

# isort: split
import functools
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

import tornado.ioloop
import tornado.web
from traitlets import Bool, Float, List, Unicode, default
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.static_file_handler import TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from kit.core import config
from kit.core.i18n import LANGUAGES, lang_from_environ, normalize_lang, setting_message, t, texts
from kit.core.invocation import samskaping_command
from kit.core.paths import share_dir
from kit.server.connections import (
    KitHTTPServer,
    OpenFiles,
    open_file_limit,
    quiet_repeats,
    raise_open_file_limit,
)
from kit.server.host_check import HostPolicy, url_host
from kit.server.limits import RETRY_AFTER, ServerFull, full_page
from kit.server.loading import has_loading_screen, localize_loading
from kit.server.retention import Retention
from kit.server.serve import self_url

#: The largest HTTP request body the server reads (the participant API needs a few hundred
#: bytes; Voilà's own routes take no uploads over HTTP: files go over the kernel websocket).
MAX_BODY_SIZE = 1024 * 1024


class KitVoilaHandler(TornadoVoilaHandler):
    """Voilà's notebook page, answering "server full" (503) instead of starting a kernel
    beyond the cap, with its loading screen in the learner's language."""

    _screen_done = False

    def write(self, chunk: Any) -> None:
        """The page's head and loading screen in the language asked for (``?lang=``), up to
        Voilà's helper script; the app's cells after it as Voilà wrote them."""
        if not self._screen_done and isinstance(chunk, str):
            if has_loading_screen(chunk):
                chunk = localize_loading(
                    chunk, normalize_lang(self.get_query_argument("lang", None))
                )
            self._screen_done = "window.voila_finish =" in chunk
        super().write(chunk)

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        from kit.live.handlers import client_key

        admit = getattr(self.kernel_manager, "admit", None)
        notebook_path = self.notebook_path or path or ""  # as Voilà's get_generator names it
        notebook = notebook_path.lower().endswith(".ipynb")
        try:
            if notebook and admit is not None:
                # A slot under the caps is promised at once (or "full" is answered without even
                # reading the notebook), then the page waits for its turn to render. A page
                # served from the pool takes the kernel waiting there: nothing is awaited
                # between this check and Voilà taking it.
                async with admit(
                    address=client_key(self.request),
                    notebook=notebook_path,
                    pooled=self._from_pool(notebook_path),
                ):
                    await super().get(path=path)
            else:
                await super().get(path=path)
        except ServerFull:
            # Raised before any kernel was launched and before anything was sent (Voilà writes
            # the page only once the kernel runs).
            if self._headers_written:
                raise
            self.clear()
            self._server_full()

    def _from_pool(self, notebook_path: str) -> bool:
        """Whether Voilà will answer this request with a preheated kernel (its own test, on
        the same state)."""
        manager = self.kernel_manager
        size = getattr(manager, "get_pool_size", None)
        if size is None or size(notebook_path) <= 0:
            return False
        return bool(
            self.should_use_rendered_notebook(
                manager.notebook_data.get(notebook_path, {}),
                size(notebook_path),
                self.get_argument("template", None),
                self.get_argument("theme", None),
                self.request.arguments,
            )
        )

    def _server_full(self) -> None:
        lang = normalize_lang(self.get_query_argument("lang", None))
        self.set_status(503)
        self.set_header("Retry-After", str(RETRY_AFTER))
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        join = f"{self.base_url}delta" + (f"?lang={lang}" if lang != "nb" else "")
        self.finish(full_page(lang, self.request.uri or self.base_url, join))


class KitTemplateStaticHandler(TemplateStaticFileHandler):
    """Voilà's static files of a template (the kit's style sheet among them), which a browser
    must check again before using a copy (``no-cache``: an unchanged file costs a 304), so a
    new version of the kit is styled at once. Voilà sets no ``Cache-Control`` there, and a
    browser then keeps a copy for a time it guesses from the file's date."""

    def set_extra_headers(self, path: str) -> None:
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Content-Type-Options", "nosniff")


class KitRequestInfoHandler(RequestInfoSocketHandler):
    """Voilà's websocket on which a preheated kernel waits for its visitor's request
    (``/voila/query/KERNEL_ID``, opened by the kernel itself); its opening tells the kernel
    manager that the kernel has run its app up to that wait (:mod:`kit.server.pool`)."""

    def open(self, kernel_id: str) -> None:
        super().open(kernel_id)
        waiting = getattr(self.settings.get("kernel_manager"), "pool_kernel_waiting", None)
        if waiting is not None:
            waiting(kernel_id)

    def on_close(self) -> None:
        # Voilà's deletes the last waiter it looked at when this one is not among them
        for kernel_id, waiter in list(RequestInfoSocketHandler._waiters.items()):
            if waiter is self:
                del RequestInfoSocketHandler._waiters[kernel_id]


class ForbiddenHostHandler(tornado.web.RequestHandler):
    """403 for a request whose ``Host`` the server does not answer (any method)."""

    def prepare(self) -> None:
        lang = normalize_lang(self.get_query_argument("lang", None))
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(t("host_forbidden", lang, command=samskaping_command()) + "\n")

    def check_xsrf_cookie(self) -> None:  # the answer is 403 whatever the method
        return


def guard_hosts(app: tornado.web.Application, policy: HostPolicy) -> None:
    """Route every request with a refused ``Host`` to :class:`ForbiddenHostHandler`.

    Tornado asks ``Application.find_handler`` for each request once its headers are in, before
    any handler (Voilà's, the kit's, a websocket's) is created."""
    find = app.find_handler

    @functools.wraps(find)
    def find_handler(request: Any, **kwargs: Any) -> Any:
        if not policy.allows(request.host):
            return app.get_handler_delegate(request, ForbiddenHostHandler)
        return find(request, **kwargs)

    app.find_handler = find_handler  # type: ignore[method-assign]


class KitVoila(Voila):
    """Voilà plus the live classroom's participant side and the kit's limits."""

    host_check = Bool(
        True,
        config=True,
        help="Refuse (403) requests whose Host header is not a name this server is served under.",
    )
    allowed_hosts = List(
        Unicode(),
        config=True,
        help="Host names answered besides the defaults (see kit.server.host_check); the host of "
        "KIT_PUBLIC_URL is added by default.",
    )
    purge_interval = Float(
        3600.0,
        config=True,
        help="Seconds between deletions of the sessions and workshops older than "
        "KIT_RETENTION_DAYS (the first runs when the server starts).",
    )
    #: Voilà's listen(), which start() wraps for this server (Voilà ships no types to say so)
    listen: Callable[[], None]
    #: The open-file limit as :func:`main` raised it (None: not started by main)
    open_files: OpenFiles | None = None

    @default("allowed_hosts")
    def _default_allowed_hosts(self) -> list[str]:
        host = url_host(config.PUBLIC_URL.get())
        return [host] if host else []

    def host_policy(self) -> HostPolicy:
        return HostPolicy(self.ip or "127.0.0.1", self.allowed_hosts)

    def init_settings(self) -> dict:
        """Voilà's settings, its kernel manager made by the kit's factory: with preheated
        kernels, :class:`kit.server.pool.PooledKernels` keeps Voilà's pool within the kit's
        caps (Voilà builds the manager here, from a factory named in its module)."""
        import voila.app as voila_app

        from kit.server.pool import kit_kernel_manager_factory

        original = voila_app.voila_kernel_manager_factory
        voila_app.voila_kernel_manager_factory = kit_kernel_manager_factory
        try:
            return super().init_settings()
        finally:
            voila_app.voila_kernel_manager_factory = original

    def init_handlers(self) -> list:
        from kit.live.handlers import handlers
        from kit.live.hub import Hub
        from kit.live.store import Store
        from kit.workshop.handlers import handlers as workshop_handlers

        self.live_hub = Hub(lambda: Store(config.DB_URL.get(), shared=True))
        replaced = {
            TornadoVoilaHandler: KitVoilaHandler,
            RequestInfoSocketHandler: KitRequestInfoHandler,
            TemplateStaticFileHandler: KitTemplateStaticHandler,
        }
        voila = [
            (route[0], replaced[route[1]], *route[2:]) if route[1] in replaced else route
            for route in super().init_handlers()
        ]
        # the workshop's participants on the same hub: one store, one pool, one watcher
        kit_routes = handlers(self.server_url, self.live_hub)
        kit_routes += workshop_handlers(self.server_url, self.live_hub)
        return kit_routes + voila

    def http_server_options(self) -> dict[str, Any]:
        """What every connection is held to: the body's size, the time for a request's headers
        (new or between requests: Tornado's ``idle_connection_timeout`` bounds the whole header
        read) and for its body."""
        return {
            "max_body_size": MAX_BODY_SIZE,
            "idle_connection_timeout": config.HEADER_TIMEOUT.get(),
            "body_timeout": config.BODY_TIMEOUT.get(),
        }

    def _listen_app(self, port: int, address: str | None = None, **kwargs: Any) -> KitHTTPServer:
        """``Application.listen`` for Voilà's ``app.listen(port, ip)``, with
        :class:`KitHTTPServer` and :meth:`http_server_options`."""
        server = KitHTTPServer(self.app, **self.http_server_options())
        server.listen(port, address, **kwargs)
        return server

    def start(self) -> None:
        original = self.listen
        quiet_repeats(self.log)
        # Every language's texts now, not on first use: a refusal written while the server is
        # out of file descriptors must not need to open a file.
        for lang in LANGUAGES:
            texts(lang)
        if self.open_files is not None:
            self.log.info("Open-file limit: %s", self.open_files.describe())

        def listen() -> None:
            # Voilà calls app.listen(port, ip): the kit's server, with its limits, there.
            self.app.listen = self._listen_app
            options = self.http_server_options()
            held = self.live_hub.held
            self.log.info(
                "Connections: headers within %g s, bodies within %g s; long-polls held at "
                "most %d at once, %d per client (open-file limit %d)",
                options["idle_connection_timeout"],
                options["body_timeout"],
                held.total,
                held.per_client,
                open_file_limit(),
            )
            if self.host_check:
                policy = self.host_policy()
                guard_hosts(self.app, policy)
                self.log.info("Answering Host: %s", ", ".join(sorted(policy.names)))
            # the live hub is made with the handlers, just before this
            self.retention = Retention(self.live_hub, config.RETENTION_DAYS.get(), log=self.log)
            self.retention.start(self.purge_interval)
            original()

        self.listen = listen
        if _announce["ready"]:
            url = self_url(self.ip, self.port, self.base_url)
            tornado.ioloop.IOLoop.current().add_callback(announce_when_answering, url)
        super().start()


#: The lines to print once the server answers, the line for a server that stops before,
#: whether the first have been printed (set by :func:`main` from the environment), and where
#: to print them: the terminal, whose stdout and stderr ``samskaping serve`` kept open when the
#: server's own output goes to its log file.
_announce: dict[str, Any] = {
    "ready": "",
    "failed": "",
    "done": False,
    "out": sys.stdout,
    "err": sys.stderr,
}


def _terminal(value: str) -> None:
    """Print the announcements to the file descriptors ``value`` names ("5,6")."""
    try:
        out, err = (int(fd) for fd in value.split(","))
        _announce["out"] = os.fdopen(out, "w", buffering=1)
        _announce["err"] = os.fdopen(err, "w", buffering=1)
    except (ValueError, OSError):  # not started by `samskaping serve`: this process's own
        _announce["out"], _announce["err"] = sys.stdout, sys.stderr


async def announce_when_answering(url: str, interval: float = 0.2) -> None:
    """Fetch the server's own address until it answers (any HTTP status), then print the lines
    ``samskaping serve`` gave: the address is printed only when it can be opened."""
    import asyncio

    from tornado.httpclient import AsyncHTTPClient

    client = AsyncHTTPClient()
    while True:
        try:
            await client.fetch(url, request_timeout=5, raise_error=False)
        except Exception:  # noqa: BLE001 - not listening yet, or not answering yet
            await asyncio.sleep(interval)
            continue
        print(_announce["ready"], file=_announce["out"], flush=True)
        _announce["done"] = True
        return


def _ensure_kit_share() -> None:
    """The kit's kernelspec and template live in kit/share/jupyter: make sure Jupyter looks
    there first even when this module is started without ``samskaping serve``."""
    share = str(share_dir())
    paths = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    if not paths or paths[0] != share:
        os.environ["JUPYTER_PATH"] = os.pathsep.join([share, *[p for p in paths if p != share]])


def main(argv: list[str] | None = None) -> None:
    from kit.server.kernel_launcher import skip_slow_optional_imports

    skip_slow_optional_imports()  # done by kit.server.first already; kept for direct callers
    # Before anything opens a file: every connection (a phone's long-poll too) takes one.
    KitVoila.open_files = raise_open_file_limit()
    _ensure_kit_share()
    _announce["ready"] = config.SERVE_READY.pop()
    _announce["failed"] = config.SERVE_FAILED.pop()
    _terminal(config.SERVE_TERMINAL.pop())
    problems = config.problems()
    if problems:  # a setting the server or its kernels would fail on: say so before starting
        lang = lang_from_environ(os.environ)
        for problem in problems:
            print(setting_message(problem, lang), file=_announce["err"])
        if _announce["failed"]:
            print(_announce["failed"], file=_announce["err"], flush=True)
        sys.exit(2)
    try:
        KitVoila.launch_instance(argv)
    except Exception:  # noqa: BLE001 - shown, then said in the user's words
        traceback.print_exc()
        code: int | str | None = 1
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    if _announce["failed"] and not _announce["done"]:
        print(_announce["failed"], file=_announce["err"], flush=True)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover - started by `samskaping serve`
    main()
