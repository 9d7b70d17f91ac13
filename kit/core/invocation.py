"""How the person typed the ``samskaping`` command, for messages that tell them what to type next.

``./run`` (the script at the top of a clone) sets ``KIT_RUN`` to the way it was started (``./run``,
``../samskaping-kit/run``) and runs the command from the folder it was started in, so
``./run samskaping check-cases FILE`` works where ``samskaping`` alone is not on ``PATH``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping

from kit.core import config


def samskaping_command(environ: Mapping[str, str] | None = None) -> str:
    """``"./run samskaping"`` when the kit was started through ./run, else ``"samskaping"``."""
    run = config.RUN_PATH.get(environ).strip()
    return f"{shlex.quote(run)} samskaping" if run else "samskaping"
