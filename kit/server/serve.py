"""``samskaping serve``: Voilà over the apps, set up for a classroom.

- binds to 127.0.0.1 only and prints the URL once the server answers it;
- uses the kit's own template (extends ``lab``; ``<main>`` landmark; no CDN links);
- strips code sources and shows no tracebacks;
- culls idle kernels so a day of classes does not fill the memory;
- bounds the kernels (:mod:`kit.server.limits`): at most ``--max-kernels`` at once (a page beyond it
  gets "the server is full", HTTP 503), at most ``--max-kernels-per-address`` for one client,
  ``--reserved-kernels`` of them kept for the teacher's apps, kernels no page connects to are shut
  down after ``--kernel-connect-timeout`` seconds, and each kernel has a memory limit
  (``--kernel-memory``);
- keeps ``--preheat`` kernels ready for each app (``--preheat-app APP=N`` for one app), which have
  run the app up to waiting for their visitor (:mod:`kit.server.pool`), within those caps;
- deletes live sessions and workshops older than ``--retention-days`` (:mod:`kit.server.retention`);
- answers only requests for the names it is served under (``Host`` check, :mod:`kit.server.host_check`);
- Voilà itself lets the browser send the kernel only widget and info messages, never
  ``execute_request``, so a learner cannot run code (tests/test_serve.py proves it).
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from kit.core import config
from kit.core.address import DEFAULT_HOST
from kit.core.paths import data_dir, notebooks_dir, share_dir

HOST = DEFAULT_HOST
#: Kernel idle time (seconds) before Voilà shuts the kernel down: a lesson pause is fine,
#: a forgotten tab is not kept all day.
CULL_IDLE_TIMEOUT = 1200
CULL_INTERVAL = 60
#: Kernels running at once: a room's presenter and learners using the apps (participants of a
#: live session use the light ``/delta`` page, no kernel). About 60 MB each at rest.
MAX_KERNELS = 40
#: Kernels one client address may hold at once: a learner with a few apps open, with room to
#: spare; one client can no longer take the room's kernels. Learners who reach the server
#: through one NAT address (a school's network to a hosted kit) share it: raise it, or 0.
MAX_KERNELS_PER_ADDRESS = 10
#: Kernels of the cap kept for the teacher's apps (the presenter, the workshop facilitator).
RESERVED_KERNELS = 2
#: Kernels kept ready for each app (preheated, :mod:`kit.server.pool`): a first visit is answered
#: at once instead of after a kernel start. Each waits holding 90-140 MB (Klassifiser: 92 MB).
PREHEAT = 1
#: Seconds a kernel may wait, idle, for its page to connect before it is shut down.
KERNEL_CONNECT_TIMEOUT = 60
#: Memory limit of each kernel in MiB (private writable memory, RLIMIT_DATA); an app's kernel
#: uses about 140 MiB of it at rest.
KERNEL_MEMORY_MB = 1536
#: What ``samskaping serve`` asks the server (:mod:`kit.server.app`) to print once it answers
#: its address, and if it stops before it does (in the user's language; not passed to kernels).
READY_ENV = config.SERVE_READY.name
FAILED_ENV = config.SERVE_FAILED.name
#: The terminal's stdout and stderr (inherited file descriptors, "1,2" as text) when
#: ``samskaping serve`` sent the server's own output to its log file: the server prints the
#: lines above there, and nothing else.
TERMINAL_ENV = config.SERVE_TERMINAL.name


def default_log_path(port: int) -> Path:
    """Where ``samskaping serve`` keeps the server's log by default: the user's log folder
    (``~/.local/state/samskaping-kit/log`` on Linux), one file per port, new at each start."""
    from platformdirs import user_log_path

    return user_log_path("samskaping-kit") / f"serve-{port}.log"


def send_output_to_log(path: Path) -> str:
    """Open ``path`` (made anew; the folder too) and point this process's stdout and stderr at
    it, so a program started by ``exec`` writes its log there; return the :data:`TERMINAL_ENV`
    value naming the terminal's own stdout and stderr, kept open for it. Raises OSError when the
    file cannot be made (nothing is redirected then)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    terminal = [os.dup(1), os.dup(2)]
    for fd in terminal:
        os.set_inheritable(fd, True)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    return ",".join(map(str, terminal))


#: Below this many open files (after the server raises its limit to the hard limit), ``samskaping
#: serve`` says on the terminal that a big room will not fit: the server holds about half as
#: many phones waiting for the room (:func:`kit.live.hub.default_held_polls`).
OPEN_FILES_LOW = 4096


def open_file_ceiling() -> int:
    """The open-file limit the server can raise itself to (the hard limit); -1 for none or
    unlimited (macOS: the server takes the system's maximum, 10,240 or more)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return -1
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    return -1 if hard == resource.RLIM_INFINITY else hard


def port_is_free(port: int, host: str = HOST) -> bool:
    """True if nothing listens on ``host:port`` (checked by binding to it as the server will).

    With ``SO_REUSEADDR``, as Tornado binds: after Ctrl+C or a crash with phones connected, the
    port keeps their closed connections (TIME-WAIT) for a minute or so, and a bind without it
    would say "in use" all that time, though the server itself could listen at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        if os.name != "nt":  # on Windows the option would let two servers share the port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def self_host(host: str) -> str:
    """The host the server reaches itself under, as a URL writes it: the one it listens on, or
    127.0.0.1 for all addresses (``0.0.0.0``), ``[::1]`` for all IPv6 ones."""
    if host in ("", "0.0.0.0", "localhost"):
        host = HOST
    elif host == "::":
        host = "::1"
    return f"[{host}]" if ":" in host else host


def self_url(host: str, port: int, base_url: str = "/") -> str:
    """The address the server can fetch itself under (:func:`self_host`). ``samskaping serve``
    prints the address once a request to this one is answered (:mod:`kit.server.app`)."""
    return f"http://{self_host(host)}:{port}{normalize_base_url(base_url)}"


def normalize_base_url(base_url: str) -> str:
    """``samskaping/`` or ``/samskaping`` -> ``/samskaping/`` (Voilà wants both slashes)."""
    inner = base_url.strip().strip("/")
    return f"/{inner}/" if inner else "/"


def app_url(port: int, host: str = HOST, base_url: str = "/") -> str:
    return f"http://{host}:{port}{normalize_base_url(base_url)}"


def guess_public_url(host: str, port: int, base_url: str = "/") -> str | None:
    """The address phones in the room use, when serving beyond this machine."""
    base = normalize_base_url(base_url)
    if host in (HOST, "localhost"):
        return None
    if host not in ("0.0.0.0", "::"):
        return f"http://{host}:{port}{base}"
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return None
    return None if address.startswith("127.") else f"http://{address}:{port}{base}"


def voila_argv(
    port: int,
    open_browser: bool = False,
    notebooks: Path | None = None,
    host: str = HOST,
    base_url: str = "/",
    max_kernels: int = MAX_KERNELS,
    connect_timeout: float = KERNEL_CONNECT_TIMEOUT,
    kernel_memory_mb: int = KERNEL_MEMORY_MB,
    max_kernels_per_address: int = MAX_KERNELS_PER_ADDRESS,
    reserved_kernels: int = RESERVED_KERNELS,
    preheat: int = PREHEAT,
    preheat_apps: dict[str, int] | None = None,
) -> list[str]:
    """The Voilà command line that ``samskaping serve`` runs (Voilà with the kit's own routes:
    :mod:`kit.server.app`). ``preheat_apps``: kernels kept ready for single notebooks (file
    names), instead of ``preheat``."""
    nb_dir = notebooks or notebooks_dir()
    apps = preheat_apps or {}
    pooled = preheat > 0 or any(n > 0 for n in apps.values())
    pool = [
        # Preheated kernels (kit.server.pool): Voilà's pool, kept within the caps below.
        "--VoilaConfiguration.preheat_kernel=True",
        f"--VoilaConfiguration.default_pool_size={preheat}",
        *(f"--PooledKernels.pool_sizes={name}={n}" for name, n in sorted(apps.items())),
    ]
    return [
        sys.executable,
        "-m",
        "kit.server.app",
        str(nb_dir),
        f"--Voila.base_url={normalize_base_url(base_url)}",
        f"--port={port}",
        f"--Voila.ip={host}",
        f"--Voila.open_browser={open_browser}",
        "--Voila.port_retries=0",
        "--template=samskaping",
        "--theme=light",
        "--strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL}",
        # Kernels talk to the server over local sockets, not TCP ports: with 60 kernels starting
        # at once a TCP port picked for one could be taken before it bound, and the visitor's
        # page hung (seen in bench/live_load.py).
        "--KernelManager.transport=ipc",
        # The kernel limits (kit.server.limits): a cap, unconnected kernels shut down, a memory limit
        # applied by kit.server.kernel_launcher (the kit's kernelspec, found through JUPYTER_PATH).
        "--VoilaConfiguration.multi_kernel_manager_class=kit.server.limits.KitKernelManager",
        f"--KitKernelManager.max_kernels={max_kernels}",
        f"--KitKernelManager.connect_timeout={connect_timeout}",
        f"--KitKernelManager.memory_limit={kernel_memory_mb * 1024 * 1024}",
        f"--KitKernelManager.max_kernels_per_address={max_kernels_per_address}",
        f"--KitKernelManager.reserved_kernels={reserved_kernels}",
        *(pool if pooled else []),
    ]


def voila_env(
    base: dict[str, str] | None = None, extra: dict[str, str] | None = None
) -> dict[str, str]:
    """Environment for Voilà: finds the kit's template and passes the data folder on."""
    env = dict(os.environ if base is None else base)
    env.update(extra or {})
    paths = [str(share_dir())]
    if env.get("JUPYTER_PATH"):
        paths.append(env["JUPYTER_PATH"])
    env["JUPYTER_PATH"] = os.pathsep.join(paths)
    env.setdefault(config.DATA_DIR.name, str(data_dir()))
    return env
