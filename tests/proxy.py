"""Helpers for tests that put `samskaping serve` behind Debian's nginx (tests/test_two_servers.py).

- :class:`ServeProcess`: ``samskaping serve`` with any options (``--db``, ``--base-url``, ...), in
  its own process group and stopped by its own pid, like :class:`tests.conftest.Server`;
- :func:`nginx_config`: the participant side (the live room's phones and the workshop's
  participants) round-robin over every server, Voilà's routes sticky per client address;
- :class:`Nginx`: an nginx started from such a config written to a temporary folder (pid file,
  logs and temp folders all there, nothing under /var), in the foreground, stopped by its pid;
  every response carries ``X-Kit-Upstream`` (the server that answered it) and the access log
  records the client address, the request, the status and the upstream of each request;
- :func:`postgres_database`: a PostgreSQL database of its own for a test module, dropped after.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .conftest import ROOT, Server, serve_argv

NGINX = os.environ.get("KIT_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
#: The response header nginx adds: which upstream ("127.0.0.1:PORT") answered.
UPSTREAM_HEADER = "X-Kit-Upstream"


def stop_group(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a process started with ``start_new_session`` and everything in its group (its
    process group id is its own pid), by that pid only."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    # Whatever is left of the group (a worker whose parent died): killed.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    if proc.poll() is None:
        proc.wait(timeout=5)


def group_alive(pid: int) -> bool:
    """Whether any process of the group ``pid`` is still there."""
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - someone else's group
        return True
    return True


class ServeProcess(Server):
    """`samskaping serve --port PORT --no-browser ARGS...` in its own process group.

    ``base_url`` is the path it serves under (also given in ``args`` as ``--base-url``);
    :meth:`wait_ready` asks for it directly, not through a proxy.
    """

    def __init__(
        self,
        port: int,
        log: Path,
        args: Sequence[str] = (),
        *,
        base_url: str = "/",
        env: dict[str, str] | None = None,
        command: list[str] | None = None,
    ) -> None:
        """``command``: what runs ``serve`` (default: this Python's ``samskaping``)."""
        self.port = port
        self.url = f"http://127.0.0.1:{port}{base_url}"
        self.log_path = log
        self._log = open(log, "wb")  # noqa: SIM115 - closed in stop()
        self.db_url = (env or {}).get("KIT_DB_URL", "")
        environ = dict(os.environ, **(env or {}))
        # The kit of this checkout, wherever the console script's install points: a venv shared
        # by several git worktrees has one editable install, of one of them.
        environ["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT), environ.get("PYTHONPATH", "")) if p
        )
        self.proc = subprocess.Popen(
            # no kernels kept ready: these servers test the phones' side and one presenter
            # (the pool is tested in tests/test_server_pool.py)
            serve_argv(port, log, "--preheat", "0", *args, command=command),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
            env=environ,
        )

    @property
    def address(self) -> str:
        """How nginx names this server in ``$upstream_addr``."""
        return f"127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop_group(self.proc)
        if not self._log.closed:
            self._log.close()


@dataclass(frozen=True)
class LogLine:
    """One request in nginx's access log."""

    client: str
    method: str
    uri: str
    status: int
    upstream: str
    seconds: float


_LOG_LINE = re.compile(
    r'^(?P<client>\S+) "(?P<method>[A-Z]+) (?P<uri>\S+) [^"]*" (?P<status>\d{3}) '
    r"(?P<upstream>\S+) (?P<seconds>[\d.]+)$"
)


#: The participant side: the live room's phones (kit/live/handlers.py) and the workshop's
#: participants (kit/workshop/handlers.py). Any process can answer any request of it.
PARTICIPANT_PATHS = ("delta", "api/live/", "live-static/", "verksted", "api/workshop/")


def nginx_config(
    tmp: Path, port: int, upstreams: Sequence[str], prefix: str = "/samskaping/"
) -> str:
    """An nginx config for one address in front of ``upstreams`` under ``prefix``.

    The participant side (``PARTICIPANT_PATHS``) goes round-robin to every server: that is
    what the test proves works. Everything else is Voilà, whose kernels live in the process
    that started them, so one client stays on one server (``hash $remote_addr consistent``;
    not ``ip_hash``, which hashes only the first three bytes of an IPv4 address and so sends a
    whole classroom network to one server). One worker, so the rotation is one rotation; nothing
    retried on the other server (a failed request must show as failed, not be answered twice);
    long polls held up to 60 s; websockets passed through.
    """
    user = "user root root;\n" if os.geteuid() == 0 else ""
    servers = "\n".join(f"        server {u} max_fails=0;" for u in upstreams)
    locations = "".join(
        f"        location {prefix}{path} {{ proxy_pass http://samskaping_any; }}\n"
        for path in PARTICIPANT_PATHS
    )
    return f"""\
{user}daemon off;
master_process on;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{
    worker_connections 1024;
}}
http {{
    access_log off;
    log_format kit '$remote_addr "$request" $status $upstream_addr $request_time';
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    map $http_upgrade $connection_upgrade {{
        default upgrade;
        '' close;
    }}
    upstream samskaping_any {{
{servers}
    }}
    upstream samskaping_sticky {{
        hash $remote_addr consistent;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        server_name 127.0.0.1 localhost;
        location = /kit-proxy-ready {{
            return 200 "ok\\n";
        }}
        # Inherited by the locations below.
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        # $http_host, not $host: the browser's Origin carries the port of this proxy, and
        # jupyter_server refuses a kernel websocket whose Origin differs from its Host.
        proxy_set_header Host $http_host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 60s;
        proxy_send_timeout 60s;
        proxy_buffering off;
        proxy_next_upstream off;
        add_header {UPSTREAM_HEADER} $upstream_addr always;
        access_log {tmp}/access.log kit;
{locations}        location {prefix} {{ proxy_pass http://samskaping_sticky; }}
    }}
}}
"""


class Nginx:
    """Debian's nginx in the foreground, in its own process group, from a config in ``tmp``."""

    def __init__(self, tmp: Path, port: int, config: str) -> None:
        self.tmp = tmp
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.config_path = tmp / "nginx.conf"
        self.config_path.write_text(config, encoding="utf-8")
        self.access_log = tmp / "access.log"
        self.error_log = tmp / "error.log"
        self._out = open(tmp / "nginx.out", "wb")  # noqa: SIM115 - closed in stop()
        # -e: the error log before the config is read (else /var/log/nginx/error.log).
        base = [NGINX, "-p", str(tmp), "-c", str(self.config_path), "-e", str(self.error_log)]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True, timeout=30)
        if check.returncode != 0:
            self._out.close()
            raise RuntimeError(f"nginx refused its config:\n{check.stderr}\n{config}")
        self.proc = subprocess.Popen(
            base, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nginx exited early:\n{self.errors()}")
            try:
                with urllib.request.urlopen(f"{self.url}kit-proxy-ready", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise RuntimeError(f"nginx not ready after {timeout}s:\n{self.errors()}")

    def errors(self) -> str:
        return self.error_log.read_text(errors="replace") if self.error_log.exists() else ""

    def requests(self) -> list[LogLine]:
        """Every request logged so far. nginx writes each line unbuffered, but after it has sent
        the response: a client can have its answer before the line is there (read with
        :func:`tests.conftest.wait_for`); a last line without its newline is not whole yet."""
        if not self.access_log.exists():
            return []
        out = []
        for raw in self.access_log.read_text(errors="replace").splitlines(keepends=True):
            if not raw.endswith("\n"):
                break
            m = _LOG_LINE.match(raw.strip())
            if m is None:
                raise AssertionError(f"unexpected access log line: {raw!r}")
            out.append(
                LogLine(
                    m["client"],
                    m["method"],
                    m["uri"],
                    int(m["status"]),
                    m["upstream"],
                    float(m["seconds"]),
                )
            )
        return out

    def stop(self) -> None:
        # SIGQUIT: nginx's graceful shutdown (workers finish, the master removes its pid file).
        stop_group(self.proc, signal.SIGQUIT, timeout=10)
        self._out.close()


def processes_with_env(name: str, value: str) -> list[int]:
    """Pids of the processes whose environment has ``name=value`` (this user's, via /proc): the
    kernels a server started carry the server's KIT_DB_URL, and they run in sessions of their
    own, outside the server's process group."""
    wanted = f"{name}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours
            continue
        if wanted in env.split(b"\0"):
            found.append(int(entry.name))
    return found


def port_accepts(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A fresh database (random name) on the server of ``admin_url``; dropped afterwards, even
    while a server still holds connections to it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"kit_test_{secrets.token_hex(6)}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
