"""Where the kit is served, as an app running in a Voilà kernel can tell (pure).

Voilà gives each kernel the address of the page that started it (``SERVER_NAME``,
``SERVER_PORT``, ``SCRIPT_NAME``, as CGI does); outside Voilà the default of
``samskaping serve`` is assumed. ``KIT_PUBLIC_URL`` (see :mod:`kit.core.config`) names the
address phones should use when the kit sits behind a proxy or a host name.
"""

from __future__ import annotations

import os

from kit.core import config

#: Where ``samskaping serve`` answers by default (:mod:`kit.server.serve` starts there).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8866
#: That address; texts written for reading outside the kit (the guide's Markdown files) name
#: it, and the apps show the real one instead.
DEFAULT_BASE_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}/"


def served_base_url() -> str:
    """The address this kit is served at (ending in ``/``)."""
    host = os.environ.get("SERVER_NAME", DEFAULT_HOST)
    port = os.environ.get("SERVER_PORT", str(DEFAULT_PORT))
    script = os.environ.get("SCRIPT_NAME", "/")
    base = script.split("voila/render/")[0] if "voila/render/" in script else "/"
    return f"http://{host}:{port}{base}"


def public_base_url() -> str:
    """Where participants reach this server: ``KIT_PUBLIC_URL``, else the address in use."""
    configured = config.PUBLIC_URL.get()
    if configured:
        return configured.rstrip("/") + "/"
    return served_base_url()
