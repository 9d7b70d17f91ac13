"""The one configuration: every ``KIT_*`` environment variable the kit reads, in one table.

Each :class:`Setting` has its name, its default, how a value is read and checked, and who sets
it. Every other module asks this one (``config.DB_URL.get()``); no other module names a
``KIT_*`` variable (tests/test_config.py checks that). README.md's "Settings" table documents the
same list.

A setting is read from the environment each time it is asked for, never at import: tests set
variables at run time, and the server and kernel processes ``samskaping serve`` starts inherit
theirs. An empty value counts as unset. A value that cannot be used raises :class:`ConfigError`,
which :func:`kit.core.i18n.setting_message` turns into a line that names the variable and says
what is allowed (texts in
``data/i18n/<lang>/config.yaml``); ``samskaping`` and the server check every setting before they
start (:func:`problems`), so a bad value is one clear line, not a traceback.

The module lives in :mod:`kit.core`, not :mod:`kit.server`: :mod:`kit.core.paths` reads
``KIT_DATA_DIR`` and ``KIT_NOTEBOOKS_DIR``, and core imports no other package of the kit. It
imports only the standard library (``import kit`` stays light) and no module of the kit:
:mod:`kit.core.i18n`, which reads ``KIT_LANG`` here, words its errors.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: Who sets a setting (README.md says where each one applies).
PUBLIC = "public"  #: a person: for the apps, the ``samskaping`` commands and the server
INTERNAL = "internal"  #: the kit, for the processes it starts; not for people to set
RUN = "run"  #: a person, for the ``./run`` script (shell): declared here so the list is whole


# ----------------------------------------------------------------------------------- parsing
# Each reader takes a non-empty value and returns what the kit uses, or raises ValueError.


def _text(raw: str) -> str:
    return raw


def _path(raw: str) -> Path:
    return Path(raw.strip()).expanduser()


def _positive_hours(raw: str) -> float:
    hours = float(raw.strip())
    if not math.isfinite(hours) or hours <= 0:
        raise ValueError(raw)
    return hours


def _positive_seconds(raw: str) -> float:
    seconds = float(raw.strip())
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(raw)
    return seconds


def _positive_count(raw: str) -> int:
    value = int(raw.strip())
    if value < 1:
        raise ValueError(raw)
    return value


def _days(raw: str) -> int:
    days = int(raw.strip())
    if days < 0:
        raise ValueError(raw)
    return days


def _limit(raw: str) -> int:
    """A whole number, 0 or more (0: no limit)."""
    value = int(raw.strip())
    if value < 0:
        raise ValueError(raw)
    return value


def _bytes(raw: str) -> int:
    value = int(raw.strip())
    if value < 0:
        raise ValueError(raw)
    return value


def _db_url(raw: str) -> str:
    """An SQLite or PostgreSQL SQLAlchemy URL (the store checks the rest when it connects)."""
    url = raw.strip()
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+")[0].lower() not in ("sqlite", "postgresql"):
        raise ValueError(raw)
    return url


def _http_url(raw: str) -> str:
    url = raw.strip()
    parts = urlsplit(url)
    _ = parts.port  # ValueError for a port that is not a number from 0 to 65535
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(raw)
    return url


#: The headers a reverse proxy may name the client's address in, as ``KIT_FORWARDED_HEADER``
#: takes them (any case); ``none``: no header is believed.
FORWARDED_HEADERS = {"x-real-ip": "X-Real-IP", "x-forwarded-for": "X-Forwarded-For", "none": None}


def _forwarded_header(raw: str) -> str | None:
    try:
        return FORWARDED_HEADERS[raw.strip().lower()]
    except KeyError:
        raise ValueError(raw) from None


def _ip_addresses(raw: str) -> frozenset[str]:
    """Comma-separated IP addresses, each as Tornado writes a peer's (``::1``, not ``0::1``)."""
    return frozenset(str(ip_address(part.strip())) for part in raw.split(",") if part.strip())


# ---------------------------------------------------------------------------------- settings


class ConfigError(ValueError):
    """A setting whose value the kit cannot use (``name`` is the variable, or the option)."""

    def __init__(self, setting: Setting, value: str, name: str | None = None) -> None:
        self.setting = setting
        self.value = value
        self.name = name or setting.name
        super().__init__(self.name)

    @property
    def shown(self) -> str:
        """The value as a message shows it (a long one cut)."""
        return self.value if len(self.value) <= 80 else self.value[:77] + "..."

    def __str__(self) -> str:
        """For logs: the variable and the value; :func:`kit.core.i18n.setting_message` says
        it for a person, in a language."""
        return f"{self.name}={self.shown!r}"


@dataclass(frozen=True)
class Setting:
    """One ``KIT_*`` variable: ``parse`` reads a non-empty value (ValueError if it cannot be
    used), ``default`` is what an unset or empty variable gives, ``allowed_key`` the text saying
    what is allowed, ``doc_key`` the one-line description ``samskaping serve --help`` shows
    (None for internal settings), ``kind`` who sets it (:data:`PUBLIC`, :data:`INTERNAL`, :data:`RUN`), ``option`` the ``samskaping
    serve`` option that sets it for the server, if any."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    kind: str
    allowed_key: str | None = None
    doc_key: str | None = None
    option: str | None = None

    def get(self, environ: Mapping[str, str] | None = None) -> Any:
        """The setting's value now (from ``environ``, default ``os.environ``)."""
        raw = (os.environ if environ is None else environ).get(self.name, "")
        return self.read(raw)

    def read(self, raw: str | None, name: str | None = None) -> Any:
        """``raw`` read as this setting (an option's value too: ``name`` is then the option)."""
        if raw is None or not raw.strip():
            return self.default
        try:
            return self.parse(raw)
        except ValueError:
            raise ConfigError(self, raw, name) from None

    def pop(self, environ: MutableMapping[str, str] | None = None) -> Any:
        """The value, removed from the environment (not passed on to the processes started)."""
        env = os.environ if environ is None else environ
        return self.read(env.pop(self.name, ""))


LANG = Setting("KIT_LANG", "", _text, PUBLIC, doc_key="config_doc_lang", option="--lang")
DATA_DIR = Setting("KIT_DATA_DIR", None, _path, PUBLIC, doc_key="config_doc_data_dir")
NOTEBOOKS_DIR = Setting(
    "KIT_NOTEBOOKS_DIR", None, _path, PUBLIC, doc_key="config_doc_notebooks_dir"
)
CACHE_DIR = Setting("KIT_CACHE_DIR", None, _path, PUBLIC, doc_key="config_doc_cache_dir")
DB_URL = Setting(
    "KIT_DB_URL",
    None,
    _db_url,
    PUBLIC,
    allowed_key="config_allowed_db_url",
    doc_key="config_doc_db_url",
    option="--db",
)
DATA_HOME = Setting("KIT_DATA_HOME", None, _path, PUBLIC, doc_key="config_doc_data_home")
SESSION_IDLE_HOURS = Setting(
    "KIT_SESSION_IDLE_HOURS",
    12.0,
    _positive_hours,
    PUBLIC,
    allowed_key="config_allowed_hours",
    doc_key="config_doc_session_idle_hours",
)
RETENTION_DAYS = Setting(
    "KIT_RETENTION_DAYS",
    30,
    _days,
    PUBLIC,
    allowed_key="config_allowed_days",
    doc_key="config_doc_retention_days",
    option="--retention-days",
)
#: Live sessions and workshops one client (the visitor's address, as the kernel was told it:
#: :mod:`kit.core.visitor`) may start in an hour, counted together in the database; 0: no limit.
ROOMS_PER_HOUR = Setting(
    "KIT_ROOMS_PER_HOUR",
    30,
    _limit,
    PUBLIC,
    allowed_key="config_allowed_limit",
    doc_key="config_doc_rooms_per_hour",
    option="--rooms-per-hour",
)
PUBLIC_URL = Setting(
    "KIT_PUBLIC_URL",
    None,
    _http_url,
    PUBLIC,
    allowed_key="config_allowed_http_url",
    doc_key="config_doc_public_url",
    option="--public-url",
)
TRUSTED_PROXIES = Setting(
    "KIT_TRUSTED_PROXIES",
    frozenset(),
    _ip_addresses,
    PUBLIC,
    allowed_key="config_allowed_ip_addresses",
    doc_key="config_doc_trusted_proxies",
)
FORWARDED_HEADER = Setting(
    "KIT_FORWARDED_HEADER",
    "X-Real-IP",
    _forwarded_header,
    PUBLIC,
    allowed_key="config_allowed_forwarded_header",
    doc_key="config_doc_forwarded_header",
)
#: Seconds a connection may take to send a request's headers, whether new or kept open between
#: requests (Tornado's ``idle_connection_timeout``, which also bounds the headers), and to send a
#: request's body; a client slower than that is disconnected and its file descriptor freed.
HEADER_TIMEOUT = Setting(
    "KIT_HEADER_TIMEOUT",
    20.0,
    _positive_seconds,
    PUBLIC,
    allowed_key="config_allowed_seconds",
    doc_key="config_doc_header_timeout",
)
BODY_TIMEOUT = Setting(
    "KIT_BODY_TIMEOUT",
    60.0,
    _positive_seconds,
    PUBLIC,
    allowed_key="config_allowed_seconds",
    doc_key="config_doc_body_timeout",
)
#: Long-polls (a phone waiting for the room to change) held open at once, in all and per client
#: address; one more is answered 503 with ``Retry-After``. None: half the open-file limit, at
#: most 20,000 (:func:`kit.live.hub.default_held_polls`).
HELD_POLLS = Setting(
    "KIT_HELD_POLLS",
    None,
    _positive_count,
    PUBLIC,
    allowed_key="config_allowed_count",
    doc_key="config_doc_held_polls",
)
HELD_POLLS_PER_CLIENT = Setting(
    "KIT_HELD_POLLS_PER_CLIENT",
    1000,
    _positive_count,
    PUBLIC,
    allowed_key="config_allowed_count",
    doc_key="config_doc_held_polls_per_client",
)
#: Set by ``samskaping serve`` for the server it starts: the lines to print once the server
#: answers its address, and the line if it stops before (in the user's language).
SERVE_READY = Setting("KIT_SERVE_READY", "", _text, INTERNAL)
SERVE_FAILED = Setting("KIT_SERVE_FAILED", "", _text, INTERNAL)
#: Set by ``samskaping serve`` when the server's own output goes to its log: the terminal's
#: stdout and stderr, as inherited file descriptors ("5,6"), where those lines are printed.
SERVE_TERMINAL = Setting("KIT_SERVE_TERMINAL", "", _text, INTERNAL)
#: Set by ``./run``: how it was started (``./run``, ``../samskaping-kit/run``), so that messages
#: name the command that works (:mod:`kit.core.invocation`).
RUN_PATH = Setting("KIT_RUN", "", _text, INTERNAL)
#: Set by the server for each kernel (``--kernel-memory``, in bytes; 0: no limit), applied by
#: :mod:`kit.server.kernel_launcher`.
KERNEL_MEMORY_LIMIT = Setting(
    "KIT_KERNEL_MEMORY_LIMIT", 0, _bytes, INTERNAL, allowed_key="config_allowed_bytes"
)
#: Set by :mod:`kit.server.kernel_launcher` in each kernel it starts: the kernel's connection
#: file, beside which the server writes whose kernel it is (:mod:`kit.core.visitor`).
KERNEL_FILE = Setting("KIT_KERNEL_FILE", None, _path, INTERNAL)
#: The virtual environment ``./run`` uses (default ``.venv``); read by the shell script only.
VENV = Setting("KIT_VENV", ".venv", _text, RUN)

#: Every setting, in the README's order.
SETTINGS: tuple[Setting, ...] = (
    LANG,
    DATA_DIR,
    NOTEBOOKS_DIR,
    CACHE_DIR,
    DB_URL,
    DATA_HOME,
    SESSION_IDLE_HOURS,
    RETENTION_DAYS,
    ROOMS_PER_HOUR,
    PUBLIC_URL,
    TRUSTED_PROXIES,
    FORWARDED_HEADER,
    HEADER_TIMEOUT,
    BODY_TIMEOUT,
    HELD_POLLS,
    HELD_POLLS_PER_CLIENT,
    SERVE_READY,
    SERVE_FAILED,
    SERVE_TERMINAL,
    KERNEL_MEMORY_LIMIT,
    KERNEL_FILE,
    RUN_PATH,
    VENV,
)
#: The settings a person sets for the apps, the commands and the server (all shown by
#: ``samskaping serve --help``, all checked before a command runs).
PUBLIC_SETTINGS: tuple[Setting, ...] = tuple(s for s in SETTINGS if s.kind == PUBLIC)


def setting(name: str) -> Setting:
    """The setting called ``name`` (``KeyError`` if the kit has none)."""
    for s in SETTINGS:
        if s.name == name:
            return s
    raise KeyError(name)


def problems(
    settings: tuple[Setting, ...] = PUBLIC_SETTINGS, environ: Mapping[str, str] | None = None
) -> list[ConfigError]:
    """Every setting among ``settings`` whose value cannot be used, in the table's order."""
    found = []
    for s in settings:
        try:
            s.get(environ)
        except ConfigError as exc:
            found.append(exc)
    return found
