"""Which ``Host`` headers ``samskaping serve`` answers (a defence against DNS rebinding).

A web page on ``evil.example`` can make its name resolve to 127.0.0.1 and then talk to a server on
this machine as if it were its own origin; the browser then sends ``Host: evil.example``. A
server that answers only the names it is served under cannot be used that way. Voilà switches
jupyter_server's own check off (``allow_remote_access=True``) and the kit's live routes are plain
Tornado handlers, so :mod:`kit.server.app` applies this policy to every request, websocket upgrades
included, before any handler runs.

- Bound to a loopback address (the default 127.0.0.1): loopback addresses (``127.0.0.1``,
  ``[::1]``) and ``localhost``, with any port, plus the host of ``--public-url``.
- Bound to another address or to all (``0.0.0.0``): every IP address literal (phones type or scan
  the machine's address; an address is never a rebinding name, the origin then *is* the
  address), ``localhost``, this machine's own names, the ``--host`` name and the host of
  ``--public-url``. Any other name is refused: a proxy or a school DNS name must be given with
  ``--public-url``.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

_PORT = re.compile(r":\d*$")


def host_name(header: str) -> str:
    """``"Example.org:8866"`` -> ``"example.org"``, ``"[::1]:80"`` -> ``"::1"``."""
    host = (header or "").strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else host
    if host.count(":") == 1:  # a name or an IPv4 address with a port
        host = _PORT.sub("", host)
    return host.rstrip(".")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def url_host(url: str | None) -> str | None:
    """The host of an address such as ``http://kurs.example.no:8866/``, or None."""
    if not url:
        return None
    try:
        return urlsplit(url.strip()).hostname
    except ValueError:
        return None


def machine_names() -> set[str]:
    """This machine's own names (``laptop``, ``laptop.local``, its fully qualified name)."""
    names: set[str] = set()
    try:
        short = socket.gethostname().lower()
    except OSError:  # pragma: no cover - no hostname at all
        return names
    if short:
        names.update({short, f"{short.split('.')[0]}.local"})
    try:
        names.add(socket.getfqdn().lower())
    except OSError:  # pragma: no cover
        pass
    return {n.rstrip(".") for n in names if n}


class HostPolicy:
    """Decides from a request's ``Host`` header whether the server answers it."""

    def __init__(
        self,
        bind: str,
        extra_hosts: Iterable[str] = (),
        own_names: Iterable[str] | None = None,
    ) -> None:
        bind_host = host_name(bind)
        bind_ip = _ip(bind_host)
        #: Only loopback addresses and the named hosts (serving this machine only).
        self.loopback_only = bind_host == "localhost" or bool(bind_ip and bind_ip.is_loopback)
        names = {"localhost"}
        names.update(host_name(h) for h in extra_hosts if h)
        if not self.loopback_only:
            if bind_ip is None and bind_host:
                names.add(bind_host)
            names.update(machine_names() if own_names is None else own_names)
        self.names = frozenset(n for n in names if n)

    def allows(self, header: str | None) -> bool:
        host = host_name(header or "")
        if not host:
            return False
        if host in self.names:
            return True
        address = _ip(host)
        if address is None:
            return False
        return address.is_loopback or not self.loopback_only
