"""The server at the edge of its connections: file descriptors, slow clients, repeated errors.

Every connection, a phone's long-poll included, takes a file descriptor, and the common default
limit is 1,024 (256 on macOS). Out of descriptors, Tornado's accept loop raised on every turn
of the event loop (the listening socket stays readable), and asyncio logged a traceback each
time: a busy loop that wrote hundreds of MB of identical tracebacks while pages timed out. So:

- :func:`raise_open_file_limit` raises the soft ``RLIMIT_NOFILE`` to the hard limit at start;
- :class:`KitHTTPServer` is Tornado's HTTP server whose accept loop, out of descriptors, stops
  accepting for :data:`ACCEPT_PAUSE` seconds (the waiting connections stay in the listen queue
  and are taken once descriptors are free) and says so in the log;
- its connections have a deadline for a request's headers, new or between requests (Tornado's
  ``idle_connection_timeout``, which bounds the whole header read, however slowly the bytes
  come), and for its body (``KIT_HEADER_TIMEOUT``, ``KIT_BODY_TIMEOUT``);
- :class:`OncePerMinute` lets one log record of each kind through a minute (with its traceback)
  and counts the rest, so a failure repeated on every request is one line a minute.
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop

#: Seconds the server stops accepting connections when it is out of file descriptors.
ACCEPT_PAUSE = 0.5
#: The ``accept`` failures that mean "no descriptor (or memory) for another connection now".
_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
#: Limits tried when the hard limit is "unlimited" (macOS: setrlimit refuses more than the
#: kernel's per-process maximum, often 10,240 or 24,576).
_UNLIMITED_TRIES = (1_048_576, 65_536, 24_576, 10_240)

log = logging.getLogger("kit.server")


@dataclass(frozen=True)
class OpenFiles:
    """The process's open-file limit before and after :func:`raise_open_file_limit`; -1 where
    the platform has none (Windows)."""

    before: int
    now: int
    hard: int

    def describe(self) -> str:
        """For the server's log: ``1024 -> 524288 (hard limit 524288)``."""
        hard = "unlimited" if self.hard < 0 else str(self.hard)
        if self.now == self.before:
            return f"{self.now} (hard limit {hard})"
        return f"{self.before} -> {self.now} (hard limit {hard})"


def raise_open_file_limit() -> OpenFiles:
    """Raise the soft limit on open files to the hard limit (or, where that is "unlimited",
    to the highest the system takes); on failure keep the limit as it was."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows has no RLIMIT_NOFILE
        return OpenFiles(-1, -1, -1)
    infinity = resource.RLIM_INFINITY
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    shown_hard = -1 if hard == infinity else hard
    if soft == infinity or (hard != infinity and soft >= hard):
        return OpenFiles(soft, soft, shown_hard)
    tries = _UNLIMITED_TRIES if hard == infinity else (hard,)
    for target in tries:
        if target <= soft:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            continue
        return OpenFiles(soft, target, shown_hard)
    return OpenFiles(soft, soft, shown_hard)


def open_file_limit() -> int:
    """The soft limit on open files now (-1: none known)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return -1
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return -1 if soft == resource.RLIM_INFINITY else soft


def accept_handler(
    sock: socket.socket, callback: Callable[[socket.socket, Any], None]
) -> Callable[[], None]:
    """:func:`tornado.netutil.add_accept_handler`, but out of file descriptors it stops
    watching ``sock`` for :data:`ACCEPT_PAUSE` seconds instead of failing on every turn of the
    event loop. Returns the function that stops accepting for good."""
    io_loop = IOLoop.current()
    state = {"removed": False, "paused": False}

    def resume() -> None:
        if state["removed"] or not state["paused"]:
            return
        state["paused"] = False
        io_loop.add_handler(sock, ready, IOLoop.READ)

    def ready(fd: Any, events: int) -> None:
        # As Tornado's: at most a backlog's worth at a time, so other work is not starved.
        for _ in range(128):
            if state["removed"]:
                return
            try:
                connection, address = sock.accept()
            except BlockingIOError:
                return
            except ConnectionAbortedError:
                continue
            except OSError as exc:
                if exc.errno not in _EXHAUSTED:
                    raise
                state["paused"] = True
                io_loop.remove_handler(sock)
                io_loop.call_later(ACCEPT_PAUSE, resume)
                log.error(
                    "Out of file descriptors (%s; open-file limit %d): not accepting new "
                    "connections for %.1f s at a time until some close",
                    exc.strerror or exc,
                    open_file_limit(),
                    ACCEPT_PAUSE,
                )
                return
            callback(connection, address)

    def remove() -> None:
        if not state["paused"]:
            io_loop.remove_handler(sock)
        state["removed"] = True

    io_loop.add_handler(sock, ready, IOLoop.READ)
    return remove


class KitHTTPServer(HTTPServer):
    """Tornado's HTTP server with :func:`accept_handler`'s accept loop."""

    def add_sockets(self, sockets: Iterable[socket.socket]) -> None:
        for sock in sockets:
            self._sockets[sock.fileno()] = sock
            self._handlers[sock.fileno()] = accept_handler(sock, self._handle_connection)


class OncePerMinute(logging.Filter):
    """One log record of each kind per ``window`` seconds, warnings and errors only (info and
    debug pass): the first goes through with its traceback, the others are counted, and the next
    one let through says how many were left out. A kind is the logger, the level, the message's
    first line before its values are put in, and the exception's type (an access-log line: its
    HTTP status)."""

    def __init__(
        self,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_kinds: int = 1000,
    ) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self.max_kinds = max_kinds
        #: kind -> [when it was last let through, how many were held back since]
        self._seen: OrderedDict[tuple, list[float]] = OrderedDict()

    @staticmethod
    def kind(record: logging.LogRecord) -> tuple:
        message = record.msg if isinstance(record.msg, str) else type(record.msg).__name__
        first = message.split("\n", 1)[0][:160]
        exc_type = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        status: Any = ""
        if record.name == "tornado.access" and isinstance(record.args, tuple) and record.args:
            status = record.args[0]
        return (record.name, record.levelno, first, exc_type, status)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = self.kind(record)
        now = self.clock()
        seen = self._seen.get(kind)
        if seen is not None and now - seen[0] < self.window:
            seen[1] += 1
            return False
        held_back = int(seen[1]) if seen is not None else 0
        self._seen[kind] = [now, 0]
        self._seen.move_to_end(kind)
        while len(self._seen) > self.max_kinds:
            self._seen.popitem(last=False)
        if held_back:
            record.msg = (
                f"{record.getMessage()}\n(and {held_back} more like this in the last "
                f"{self.window:.0f} s, not logged)"
            )
            record.args = ()
        return True


#: The loggers whose records reach no handler of Voilà's (they went to Python's last-resort
#: handler, one traceback each): Tornado's access, application and general logs, asyncio's
#: (an exception in a callback of the event loop) and the kit's.
_BARE_LOGGERS = ("tornado", "asyncio", "kit")


def quiet_repeats(app_log: logging.Logger, window: float = 60.0) -> OncePerMinute:
    """Put one :class:`OncePerMinute` on the handlers of ``app_log`` (Voilà's) and on a handler
    to stderr for :data:`_BARE_LOGGERS` (warnings and errors, as before); returns the filter."""
    repeats = OncePerMinute(window)
    for handler in app_log.handlers:
        handler.addFilter(repeats)
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(logging.Formatter("[%(name)s %(asctime)s] %(message)s", "%H:%M:%S"))
    stderr.addFilter(repeats)
    for name in _BARE_LOGGERS:
        logger = logging.getLogger(name)
        logger.addHandler(stderr)
        logger.propagate = False
    return repeats
