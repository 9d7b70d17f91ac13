"""Whose kernel this is: the visitor's address, told by the server in a file beside the kernel's
connection file.

A live session or a workshop is created in the presenter's or facilitator's kernel, which does
not know who asked for its page; ``samskaping serve`` does. Its kernel manager
(:class:`kit.server.limits.KitKernelManager`) writes the client key (the address the server's
per-client limits use, :func:`kit.live.handlers.client_key`) to :func:`client_file` of the
kernel's connection file when the kernel gets its visitor: at start for a kernel started for a
page, at the hand-over for a preheated one (so it is read when a session is created, never at
start). The kit's kernel launcher (:mod:`kit.server.kernel_launcher`) names the connection file
in ``KIT_KERNEL_FILE``. The file is the server's and the kernel's only (mode 0600, in Jupyter's
runtime folder) and goes with the kernel.

No variable, no file, or a file that cannot be read (JupyterLab, a test, a kernel
``samskaping serve`` did not start): :func:`kernel_client` is None, and nothing is counted for
the kernel. Pure: the standard library and :mod:`kit.core.config` only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from kit.core import config

#: The file's suffix, in place of the connection file's ``.json``.
SUFFIX = ".kit-client"
#: A client key is at most this long (the store refuses longer ones).
CLIENT_MAX = 128


def client_file(connection_file: str | os.PathLike[str]) -> Path:
    """The file beside ``connection_file`` that says whose kernel it is:
    ``kernel-<id>.json`` -> ``kernel-<id>.kit-client``."""
    path = Path(connection_file)
    return path.with_name(path.stem + SUFFIX if path.suffix == ".json" else path.name + SUFFIX)


def write_client(connection_file: str | os.PathLike[str], client: str) -> Path:
    """Write ``client`` (cut to :data:`CLIENT_MAX` characters) for the kernel of
    ``connection_file``, readable by this user only; replaced whole, so a kernel reading it at
    the same time reads the old or the new key, never half of one. Raises OSError."""
    target = client_file(connection_file)
    part = target.with_name(target.name + ".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.fchmod(fd, 0o600)  # a file left by an earlier write keeps its mode otherwise
        os.write(fd, client[:CLIENT_MAX].encode("utf-8"))
    finally:
        os.close(fd)
    os.replace(part, target)
    return target


def remove_client(connection_file: str | os.PathLike[str]) -> None:
    """Remove the file of the kernel of ``connection_file``, if there is one."""
    target = client_file(connection_file)
    for path in (target, target.with_name(target.name + ".part")):
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def kernel_client(environ: Mapping[str, str] | None = None) -> str | None:
    """The client key of this kernel's visitor, or None when no server said whose it is."""
    try:
        connection_file = config.KERNEL_FILE.get(environ)
        if connection_file is None:
            return None
        with open(client_file(connection_file), "rb") as f:
            raw = f.read(CLIENT_MAX * 4 + 1)
    except (OSError, config.ConfigError):
        return None
    try:
        client = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    return client if 0 < len(client) <= CLIENT_MAX else None
