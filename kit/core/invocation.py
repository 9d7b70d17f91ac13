"""How the person typed the ``samskaping`` command, for messages that tell them what to type next.

``./run`` (the script at the top of a clone) sets ``KIT_RUN`` to the way it was started (``./run``,
``../samskaping-kit/run``) and runs the command from the folder it was started in, so
``./run samskaping check-cases FILE`` works where ``samskaping`` alone is not on ``PATH``.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping

#: Set by ./run: the path it was started by, as typed.
RUN_ENV = "KIT_RUN"


def samskaping_command(environ: Mapping[str, str] = os.environ) -> str:
    """``"./run samskaping"`` when the kit was started through ./run, else ``"samskaping"``."""
    run = (environ.get(RUN_ENV) or "").strip()
    return f"{shlex.quote(run)} samskaping" if run else "samskaping"
