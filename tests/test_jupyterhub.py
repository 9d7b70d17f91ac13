"""The JupyterHub path of docs/jupyterhub/: the hub, its proxy and two learners, each with the
kit's apps in a server of their own.

The test starts ``docs/jupyterhub/jupyterhub_config.py`` as it is (JupyterHub from PyPI, the
test extra; configurable-http-proxy from npm, package.json), on free ports of 127.0.0.1 with its
database and the learners' homes in a temporary folder. Two learners log in through the login
form, each lands on the kit's start page rendered by Voilà in a Jupyter server of their own
(a process of their own, with the page's kernel below it), and neither can reach the other's
server. Everything the hub started is stopped by process id at the end. Without JupyterHub or
the proxy the test is skipped, except under CI=true (.ci/run installs both).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT, _need, free_port, wait_for

pytestmark = [pytest.mark.server, pytest.mark.jupyterhub]

CONFIG = ROOT / "docs" / "jupyterhub" / "jupyterhub_config.py"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "kurs-passord-2026"
LEARNERS = ("ada", "bo")
START_PAGE = "voila/render/00_start.ipynb"
#: a learner's first visit starts Jupyter Server, Voilà and a kernel that imports the kit
SPAWN_TIMEOUT = 180


def proxy_command() -> str | None:
    if PROXY.exists():
        return str(PROXY)
    return shutil.which("configurable-http-proxy")


def free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(free_port())
    return sorted(ports)


# ----------------------------------------------------------------------- processes by /proc


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time in clock ticks) of a live process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), fields[19]


def descendants(root: int) -> dict[int, str]:
    """Every process below ``root`` (its children, theirs, ...) -> its start time, so a pid can
    be told from a later process that reuses it."""
    children: dict[int, list[int]] = {}
    started: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is not None:
            children.setdefault(stat[0], []).append(int(entry.name))
            started[int(entry.name)] = stat[1]
    found: dict[int, str] = {}
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop()
        if pid in started and pid not in found:
            found[pid] = started[pid]
            todo.extend(children.get(pid, []))
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    pairs = (item.decode(errors="replace").partition("=") for item in raw.split(b"\0") if item)
    return {key: value for key, _, value in pairs}


def user_servers(hub_pid: int) -> dict[str, int]:
    """Learner name -> pid of their single-user server, among the hub's processes."""
    servers: dict[str, int] = {}
    for pid in descendants(hub_pid):
        if "jupyterhub.singleuser" in cmdline(pid):
            name = environ(pid).get("JUPYTERHUB_USER")
            if name:
                servers[name] = pid
    return servers


def running(processes: dict[int, str]) -> dict[int, str]:
    """Those of ``processes`` that still run (the same process: the same start time; a zombie
    has ended)."""
    left = {}
    for pid, started in processes.items():
        stat = _stat(pid)
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if stat is not None and stat[1] == started and state != "Z":
            left[pid] = cmdline(pid)
    return left


def kill_left(processes: dict[int, str]) -> None:
    """SIGKILL whichever of ``processes`` still runs."""
    for pid in running(processes):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Hub:
    """``jupyterhub -f docs/jupyterhub/jupyterhub_config.py`` in its own process group."""

    def __init__(self, state: Path, proxy: str) -> None:
        self.port, self.hub_port, self.api_port = free_ports(3)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = state / "hub.log"
        env = dict(os.environ)
        env.update(
            KIT_HUB_PASSWORD=PASSWORD,
            KIT_HUB_USERS=",".join(LEARNERS),
            KIT_HUB_PORT=str(self.port),
            KIT_HUB_HUB_PORT=str(self.hub_port),
            KIT_HUB_PROXY_API_PORT=str(self.api_port),
            KIT_HUB_STATE=str(state),
            KIT_HUB_PROXY=proxy,
            # the kit of this checkout, wherever the venv's editable install points
            PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
        )
        env.pop("CONFIGPROXY_AUTH_TOKEN", None)
        self.left: dict[int, str] = {}
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)],
            cwd=state,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-6000:]

    def wait_ready(self, requests, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited early:\n{self.log()}")
            try:
                if requests.get(f"{self.url}/hub/login", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the hub did not answer after {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        """SIGTERM to the hub (it stops the learners' servers and its proxy), then SIGKILL to
        anything it started that is left: the servers and kernels run in sessions of their own,
        so they are found by pid, not by process group."""
        started = descendants(self.proc.pid)
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass
        #: what still ran 10 s after the hub had ended (then killed): should be nothing (a
        #: kernel ends a moment after its server, when it sees its parent gone)
        self.left = wait_for(lambda: running(started), lambda left: not left, timeout=10)
        kill_left(started)
        self._log.close()


def xsrf_of(page: str) -> str:
    found = re.search(r'name="_xsrf"\s+value="([^"]+)"', page)
    assert found, "the login form has no _xsrf field"
    return found.group(1)


def external_references(page: str) -> list[str]:
    """Scripts, styles and images the page would load from another host."""
    return re.findall(
        r"""<(?:link|script|img)[^>]+(?:href|src)=["']((?:https?:)?//(?!127\.0\.0\.1)[^"']*)""",
        page,
    )


def log_in(requests, hub: Hub, name: str, password: str = PASSWORD):
    session = requests.Session()
    form = session.get(f"{hub.url}/hub/login", timeout=30)
    assert form.status_code == 200
    reply = session.post(
        f"{hub.url}/hub/login",
        data={"username": name, "password": password, "_xsrf": xsrf_of(form.text)},
        timeout=60,
    )
    return session, reply


def open_own_apps(requests, hub: Hub, session, name: str):
    """The learner's address, followed as a browser would, until their server answers with the
    start page (while it starts, the hub answers with its "server starting" page)."""
    deadline = time.monotonic() + SPAWN_TIMEOUT
    target = f"{hub.url}/user/{name}/{START_PAGE}"
    while True:
        reply = session.get(f"{hub.url}/user/{name}/", timeout=SPAWN_TIMEOUT)
        if reply.url == target or time.monotonic() > deadline:
            return reply
        time.sleep(1.0)


def test_two_learners_get_the_apps_each_in_a_server_of_their_own(tmp_path):
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads the hub's processes from /proc (Linux)")
    _need(
        importlib.util.find_spec("jupyterhub") is not None,
        "JupyterHub is not installed (pip install -e '.[test]')",
    )
    proxy = proxy_command()
    _need(proxy is not None, f"configurable-http-proxy not found at {PROXY} (run: npm ci)")
    import requests  # JupyterHub's own dependency

    hub = Hub(tmp_path, proxy)
    try:
        hub.wait_ready(requests)
        login_page = requests.get(f"{hub.url}/hub/login", timeout=30).text
        assert "/hub/static/" in login_page  # the hub serves its own styles and scripts...
        assert external_references(login_page) == []  # ...and names no other host

        # positive control: a wrong password gets no session, and the apps stay closed
        stranger, refused = log_in(requests, hub, "ada", "not-the-password")
        assert refused.status_code == 403 and "/hub/login" in refused.url
        away = stranger.get(f"{hub.url}/user/ada/{START_PAGE}", timeout=30)
        assert away.url.startswith(f"{hub.url}/hub/login"), away.url

        sessions = {}
        for name in LEARNERS:
            session, reply = log_in(requests, hub, name)
            assert reply.status_code == 200, (name, reply.status_code, hub.log())
            sessions[name] = session
        pages = {name: open_own_apps(requests, hub, sessions[name], name) for name in LEARNERS}

        servers = user_servers(hub.proc.pid)
        for name, page in pages.items():
            assert page.url == f"{hub.url}/user/{name}/{START_PAGE}", (page.url, hub.log())
            assert page.status_code == 200
            text = page.text
            # the kit's start page through the kit's template: title, landmark, no sources
            assert "<title>samskaping-kit</title>" in text
            assert '<html lang="nb">' in text and "<main" in text
            assert "from kit import" not in text
            assert external_references(text) == []
            kernel = re.search(r'"kernelId":\s*"([0-9a-f-]+)"', text)
            assert kernel, "the page names no kernel"
            # the page's kernel is one of this learner's server's, a process below it
            kernels = sessions[name].get(f"{hub.url}/user/{name}/api/kernels", timeout=30)
            assert kernel.group(1) in {k["id"] for k in kernels.json()}
            kernel_pids = [
                pid
                for pid in descendants(servers[name])
                if f"kernel-{kernel.group(1)}.json" in cmdline(pid)
            ]
            assert len(kernel_pids) == 1, (name, servers)
            # the apps, not an editor: the learner's server offers no JupyterLab
            lab = sessions[name].get(f"{hub.url}/user/{name}/lab", timeout=30)
            assert lab.status_code == 404

        # a server of their own: two processes, each serving one learner under /user/<name>/
        assert set(servers) == set(LEARNERS), servers
        assert servers["ada"] != servers["bo"]
        for name, pid in servers.items():
            assert environ(pid)["JUPYTERHUB_SERVICE_PREFIX"] == f"/user/{name}/"

        # neither reaches the other's server (its API or its apps), each reaches their own
        for name, other in (("ada", "bo"), ("bo", "ada")):
            own = sessions[name].get(f"{hub.url}/user/{name}/api/status", timeout=30)
            assert own.status_code == 200 and "kernels" in own.json()
            api = sessions[name].get(f"{hub.url}/user/{other}/api/status", timeout=30)
            assert api.status_code == 403
            page = sessions[name].get(f"{hub.url}/user/{other}/{START_PAGE}", timeout=30)
            assert page.status_code == 403 and "/hub/api/oauth2/authorize" in page.url
            assert "samskaping-kit" not in page.text
        # nor does anyone who goes round the proxy to the server's own port
        direct = environ(servers["ada"])["JUPYTERHUB_SERVICE_URL"].rstrip("/")
        assert requests.get(f"{direct}/api/status", timeout=30).status_code == 403
        round_about = requests.get(f"{direct}/{START_PAGE}", timeout=30)
        assert "/hub/" in round_about.url and "samskaping-kit" not in round_about.text
    finally:
        hub.stop()
    # everything the hub started is gone: the proxy, both servers and their kernels
    assert hub.left == {}
