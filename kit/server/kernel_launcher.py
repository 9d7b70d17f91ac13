"""Start an IPython kernel with a memory limit: the kernels ``samskaping serve`` runs.

The kit's kernelspec (``kit/share/jupyter/kernels/samskaping/kernel.json``) runs
``python -m kit.server.kernel_launcher -f {connection_file}``. Before ipykernel loads, this caps the
process's private writable memory (``RLIMIT_DATA``: heap, anonymous mappings, thread stacks) at
``KIT_KERNEL_MEMORY_LIMIT`` bytes, set by the server (:class:`kit.server.limits.KitKernelManager`) in
the kernel's environment. An allocation beyond the limit fails inside the kernel (Python raises
``MemoryError``) instead of taking the machine's memory from every other kernel. Soft and hard
limit are both set, so the kernel cannot lift it; anything the kernel starts inherits it.
Without the variable (or with 0) the kernel runs without a limit of its own.

It also names the kernel's connection file (the ``-f`` argument) in ``KIT_KERNEL_FILE``: the
server writes whose kernel it is beside that file (:mod:`kit.core.visitor`), and the presenter's
and facilitator's code reads it there when a session or workshop is created.

Why not ``RLIMIT_AS`` (address space): a kernel at rest already maps about 820 MB of address
space it never touches (per-thread malloc arenas, libraries), and vl-convert's V8 reserves tens
of gigabytes up front, so it aborts ("Fatal process out of memory") under any useful
``RLIMIT_AS``; ``RLIMIT_DATA`` counts only memory that can actually be filled.
"""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Mapping, MutableMapping, Sequence
from pathlib import Path

from kit.core import config

#: The environment variable holding the limit in bytes.
ENV = config.KERNEL_MEMORY_LIMIT.name


def limit_from_env(environ: Mapping[str, str] | None = None) -> int | None:
    """The limit in bytes, or None for no limit (unset, empty or 0); a value that is not a whole
    number of bytes raises :class:`kit.core.config.ConfigError`."""
    return config.KERNEL_MEMORY_LIMIT.get(environ) or None


def connection_file_from_argv(argv: Sequence[str]) -> str | None:
    """The connection file the kernel was started with (``-f FILE``, ``-f=FILE``,
    ``--f=FILE`` or ``--f FILE``, as ipykernel takes it; the last one wins), as an absolute
    path; None without one."""
    found = None
    args = list(argv)
    for i, arg in enumerate(args):
        if arg in ("-f", "--f") and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith(("-f=", "--f=")):
            found = arg.split("=", 1)[1]
    return os.path.abspath(found) if found else None


def name_connection_file(
    argv: Sequence[str], environ: MutableMapping[str, str] | None = None
) -> str | None:
    """Put the connection file of ``argv`` in ``KIT_KERNEL_FILE`` (of ``environ``, default
    this process's environment), or leave the variable unset without one; returns it."""
    env = os.environ if environ is None else environ
    path = connection_file_from_argv(argv)
    if path is None:
        env.pop(config.KERNEL_FILE.name, None)
    else:
        env[config.KERNEL_FILE.name] = path
    return path


def apply_limit(limit: int) -> None:
    """Cap this process's data memory for good (never above a hard limit already in place)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


#: Imported by jsonschema (through altair in the kernel, jupyter_events in the server) only to
#: check the JSON Schema formats ``iri`` and ``iri-reference``, which no schema the kit meets
#: uses (Vega-Lite's, Jupyter's event schemas). At import it compiles ~38 Lark grammars: 1-2 s
#: on an idle 2-core machine, 5-6 s under load, in every kernel that draws a chart (python-
#: jsonschema/jsonschema#1428, #1392). Kit processes mark it missing, so jsonschema leaves those
#: two formats unchecked, as it does wherever the package is not installed.
SLOW_OPTIONAL_IMPORTS = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Make the optional imports above fail fast (``ImportError``) in this process."""
    for name in SLOW_OPTIONAL_IMPORTS:
        # None marks a module missing (the import system's documented way); typeshed's
        # sys.modules admits modules only
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]


def main() -> None:
    try:
        limit = limit_from_env()
    except config.ConfigError as exc:  # set by the server: a bug, said in one line
        from kit.core.i18n import setting_message

        sys.exit(setting_message(exc))
    if limit:
        apply_limit(limit)
    skip_slow_optional_imports()
    name_connection_file(sys.argv[1:])
    # As ipykernel_launcher does: the notebook folder must not shadow installed modules while
    # ipykernel loads (ipykernel puts the working directory back on the path itself).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
