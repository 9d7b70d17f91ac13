"""The kernel limits and the Host check, without a server: kit.server.limits, kit.server.host_check,
kit.server.kernel_launcher. (tests/test_server_limits.py checks the same through `samskaping serve`.)"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

from kit.core import config, visitor
from kit.core.config import ConfigError
from kit.server import kernel_launcher
from kit.server.host_check import HostPolicy, host_name, url_host
from kit.server.limits import AddressFull, KitKernelManager, ServerFull, full_page

# -- the Host check ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("127.0.0.1:8866", "127.0.0.1"),
        ("LocalHost:80", "localhost"),
        ("[::1]:8866", "::1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("example.org.", "example.org"),
        ("", ""),
    ],
)
def test_host_name(header, name):
    assert host_name(header) == name


LOCAL_OK = ["127.0.0.1", "127.0.0.1:8866", "localhost", "localhost:1234", "[::1]:8866", "127.0.0.2"]
FOREIGN = ["evil.example", "evil.example:8866", "localhost.evil.example", "127.0.0.1.nip.io", ""]


def test_loopback_binding_answers_only_loopback_names():
    policy = HostPolicy("127.0.0.1")
    assert policy.loopback_only
    for header in LOCAL_OK:
        assert policy.allows(header), header
    for header in [*FOREIGN, "192.168.1.5:8866", "10.0.0.5", "[fe80::1]"]:
        assert not policy.allows(header), header


def test_loopback_binding_with_public_url_answers_that_host_too():
    host = url_host("https://kurs.example.no/samskaping/")
    assert host == "kurs.example.no"
    policy = HostPolicy("127.0.0.1", [host])
    assert policy.allows("kurs.example.no") and policy.allows("Kurs.Example.No:443")
    assert policy.allows("127.0.0.1:8866")
    assert not policy.allows("evil.example")


def test_all_interfaces_answer_addresses_and_own_names_not_other_names():
    policy = HostPolicy("0.0.0.0", own_names={"laptop", "laptop.local"})
    assert not policy.loopback_only
    for header in [
        *LOCAL_OK,
        "192.168.1.5:8866",
        "10.0.0.5",
        "[fe80::1]:8866",
        "laptop.local:8866",
    ]:
        assert policy.allows(header), header
    for header in FOREIGN:
        assert not policy.allows(header), header


def test_a_named_host_binding_answers_that_name():
    policy = HostPolicy("classroom.school.example", own_names=())
    assert policy.allows("classroom.school.example:8866")
    assert policy.allows("10.1.2.3:8866")
    assert not policy.allows("evil.example")


# -- the memory limit -------------------------------------------------------------------------


def test_limit_from_env():
    assert kernel_launcher.limit_from_env({}) is None
    assert kernel_launcher.limit_from_env({kernel_launcher.ENV: "0"}) is None
    with pytest.raises(ConfigError, match=kernel_launcher.ENV):
        kernel_launcher.limit_from_env({kernel_launcher.ENV: "lots"})
    assert kernel_launcher.limit_from_env({kernel_launcher.ENV: " 1024 "}) == 1024


_ALLOCATE = """
import resource, sys
from kit.core.config import ConfigError
from kit.server import kernel_launcher
if sys.argv[1] != "0":
    kernel_launcher.apply_limit(int(sys.argv[1]))
small = bytearray(50 * 2**20)
print("small ok", flush=True)
try:
    big = bytearray(600 * 2**20)
except MemoryError:
    print("big refused")
else:
    print("big ok")
try:
    resource.setrlimit(resource.RLIMIT_DATA, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
except (ValueError, OSError):
    print("cannot lift")
else:
    print("lifted")
"""


def _allocate(limit: int) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", _ALLOCATE, str(limit)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\n")[:3]


def test_memory_limit_refuses_a_big_allocation_and_cannot_be_lifted():
    assert _allocate(300 * 2**20) == ["small ok", "big refused", "cannot lift"]


def test_without_the_limit_the_same_allocation_succeeds():
    # the positive control: the refusal above is the limit's doing, not the machine's
    assert _allocate(0) == ["small ok", "big ok", "lifted"]


def test_kit_kernelspec_runs_the_launcher():
    from kit.core.paths import share_dir

    spec = json.loads(
        (share_dir() / "kernels" / "samskaping" / "kernel.json").read_text(encoding="utf-8")
    )
    assert spec["argv"][:3] == ["python", "-m", "kit.server.kernel_launcher"]
    assert "{connection_file}" in spec["argv"] and spec["language"] == "python"
    assert KitKernelManager.kit_kernel_name.default_value == "samskaping"


# -- the server-full page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "title"), [("nb", "Serveren er full"), ("en", "The server is full"), (None, "full")]
)
def test_full_page_is_in_the_visitors_language(lang, title):
    page = full_page(lang, "/voila/render/02_modellen.ipynb?lang=en&x=<b>", "/delta")
    assert f'<html lang="{lang or "nb"}">' in page
    assert title in page and "<main>" in page
    assert "x=&lt;b&gt;" in page and "<b>" not in page
    assert 'href="/delta"' in page


# -- the kernel manager, with a stand-in kernel (a sleeping Python process) --------------------

FAKE_KERNEL = "import sys, time; time.sleep(120)"
_FAILED_PIDS: list[int] = []


class FailingAfterLaunch(ServerKernelManager):
    """A kernel manager whose start fails after the process is running."""

    async def _async_post_start_kernel(self, **kw):
        await super()._async_post_start_kernel(**kw)
        _FAILED_PIDS.append(self.provisioner.process.pid)
        raise RuntimeError("simulated failure after launch")


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.fixture
def fake_specs(tmp_path):
    folder = tmp_path / "kernels" / "fake"
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-c", FAKE_KERNEL, "{connection_file}"],
                "display_name": "fake",
                "language": "python",
            }
        )
    )
    return KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])


def _manager(specs: KernelSpecManager, tmp_path: Path, **traits) -> KitKernelManager:
    return KitKernelManager(
        kernel_spec_manager=specs,
        kit_kernel_name="fake",
        connection_dir=str(tmp_path),
        root_dir=str(tmp_path),
        **traits,
    )


def _run(coro) -> None:
    """asyncio.run in a thread of its own: the session's Playwright (sync API) keeps an event
    loop running in the main thread once a browser test has run."""
    import threading

    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coro)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _pid(manager: KitKernelManager, kernel_id: str) -> int:
    return manager.get_kernel(kernel_id).provisioner.process.pid


def test_cap_holds_for_simultaneous_starts(fake_specs, tmp_path):
    async def run():
        manager = _manager(fake_specs, tmp_path, max_kernels=2, connect_timeout=0)
        try:
            results = await asyncio.gather(
                *(manager.start_kernel(kernel_name="python3") for _ in range(5)),
                return_exceptions=True,
            )
            started = [r for r in results if isinstance(r, str)]
            refused = [r for r in results if isinstance(r, ServerFull)]
            assert len(started) == 2 and len(refused) == 3, results
            assert manager.kernel_count() == 2 and manager.is_full()
            pids = [_pid(manager, k) for k in started]
            assert all(_alive(p) for p in pids)
            # the stand-in kernelspec was used for a python3 request, with the memory limit
            km = manager.get_kernel(started[0])
            assert km.kernel_name == "fake"
            env = Path(f"/proc/{pids[0]}/environ").read_bytes().split(b"\0")
            assert f"{kernel_launcher.ENV}={manager.memory_limit}".encode() in env
            await manager.shutdown_kernel(started[0], now=True)
            assert not manager.is_full()
            again = await manager.start_kernel(kernel_name="python3")  # a slot came free
            assert manager.kernel_count() == 2 and again not in started
        finally:
            await manager.shutdown_all(now=True)
        assert manager.kernel_count() == 0

    _run(run())


def test_a_start_failing_after_launch_leaves_no_process(fake_specs, tmp_path):
    async def run():
        manager = _manager(
            fake_specs,
            tmp_path,
            max_kernels=2,
            connect_timeout=0,
            kernel_manager_class=f"{__name__}.FailingAfterLaunch",
        )
        _FAILED_PIDS.clear()
        try:
            with pytest.raises(RuntimeError, match="simulated"):
                await manager.start_kernel(kernel_name="python3")
            assert len(_FAILED_PIDS) == 1
            assert manager.kernel_count() == 0 and manager._launching == {}
            deadline = time.monotonic() + 10
            while _alive(_FAILED_PIDS[0]) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert not _alive(_FAILED_PIDS[0]), "the half-started kernel is still running"
        finally:
            await manager.shutdown_all(now=True)

    _run(run())


def test_unconnected_kernel_is_shut_down_connected_one_stays(fake_specs, tmp_path):
    async def run():
        manager = _manager(fake_specs, tmp_path, max_kernels=5, connect_timeout=1.0)
        manager.shutdown_wait_time = 0.2
        try:
            lonely = await manager.start_kernel(kernel_name="python3")
            visited = await manager.start_kernel(kernel_name="python3")
            manager.notify_connect(visited)  # what a page's websocket does
            lonely_pid = _pid(manager, lonely)
            deadline = time.monotonic() + 15
            while lonely in manager and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert lonely not in manager, "the unconnected kernel was not shut down"
            assert visited in manager and _alive(_pid(manager, visited))
            while _alive(lonely_pid) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert not _alive(lonely_pid)
        finally:
            await manager.shutdown_all(now=True)

    _run(run())


def test_no_env_given_keeps_the_server_environment(fake_specs, tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_TEST_MARKER", "kept")

    async def run():
        manager = _manager(fake_specs, tmp_path, connect_timeout=0)
        try:
            kernel_id = await manager.start_kernel(kernel_name="python3")
            env = Path(f"/proc/{_pid(manager, kernel_id)}/environ").read_bytes().split(b"\0")
            assert b"KIT_TEST_MARKER=kept" in env
            assert any(e.startswith(b"PATH=") for e in env)
        finally:
            await manager.shutdown_all(now=True)

    _run(run())
    assert os.environ["KIT_TEST_MARKER"] == "kept"


def test_admit_promises_slots_refuses_beyond_the_cap_and_takes_turns(fake_specs, tmp_path):
    async def run():
        manager = _manager(
            fake_specs, tmp_path, max_kernels=3, connect_timeout=0, start_concurrency=1
        )
        order: list[str] = []
        release = asyncio.Event()

        async def page(name: str, hold: bool) -> str:
            async with manager.admit():
                order.append(f"{name} in")
                kid = await manager.start_kernel(kernel_name="python3")
                if hold:
                    await release.wait()
                order.append(f"{name} out")
                return kid

        try:
            first = asyncio.ensure_future(page("a", hold=True))
            await asyncio.sleep(0.5)
            second = asyncio.ensure_future(page("b", hold=False))
            third = asyncio.ensure_future(page("c", hold=False))
            await asyncio.sleep(0.2)
            # a renders, b and c wait their turn with a promised slot each: the cap is taken
            assert order == ["a in"]
            assert manager.kernel_count() == 3 and manager.is_full()
            with pytest.raises(ServerFull):  # a fourth visitor is told at once
                async with manager.admit():
                    pass
            release.set()
            kids = await asyncio.gather(first, second, third)
            assert order == ["a in", "a out", "b in", "b out", "c in", "c out"]
            assert len(set(kids)) == 3 and manager.kernel_count() == 3
            await manager.shutdown_kernel(kids[0], now=True)
            # a page that fails before starting its kernel gives its promised slot back
            with pytest.raises(RuntimeError):
                async with manager.admit():
                    assert manager.kernel_count() == 3
                    raise RuntimeError("render failed")
            assert manager.kernel_count() == 2 and manager._reserved == 0
        finally:
            await manager.shutdown_all(now=True)

    _run(run())


def test_a_slow_render_gives_its_turn_up_after_the_limit(fake_specs, tmp_path):
    async def run():
        manager = _manager(
            fake_specs, tmp_path, connect_timeout=0, start_concurrency=1, start_turn_limit=0.3
        )
        stuck = asyncio.Event()

        async def slow() -> None:
            async with manager.admit():
                await stuck.wait()

        blocker = asyncio.ensure_future(slow())
        await asyncio.sleep(0.05)
        start = time.monotonic()
        async with manager.admit():
            waited = time.monotonic() - start
        assert 0.2 < waited < 2.0, waited
        stuck.set()
        await blocker
        assert manager.kernel_count() == 0

    _run(run())


def test_a_kernel_whose_page_went_away_is_shut_down_one_still_visited_stays(fake_specs, tmp_path):
    async def run():
        manager = _manager(
            fake_specs, tmp_path, max_kernels=5, connect_timeout=0, disconnect_timeout=1.0
        )
        manager.shutdown_wait_time = 0.2
        try:
            left = await manager.start_kernel(kernel_name="python3")
            stays = await manager.start_kernel(kernel_name="python3")
            for kernel_id in (left, stays):
                manager.notify_connect(kernel_id)
            manager.notify_disconnect(left)  # the tab closed without the close-tab signal
            deadline = time.monotonic() + 15
            while left in manager and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            assert left not in manager, "the kernel without a page was not shut down"
            assert stays in manager and _alive(_pid(manager, stays))  # positive control
        finally:
            await manager.shutdown_all(now=True)

    _run(run())


async def _visit(manager: KitKernelManager, address: str, notebook: str = "03_klassifiser.ipynb"):
    """What a page request does: admitted for its address and notebook, then a kernel."""
    async with manager.admit(address=address, notebook=notebook):
        return await manager.start_kernel(kernel_name="python3")


def test_per_address_cap_refuses_that_address_and_admits_another(fake_specs, tmp_path):
    async def run():
        manager = _manager(
            fake_specs, tmp_path, max_kernels=10, max_kernels_per_address=2, connect_timeout=0
        )
        try:
            mine = [await _visit(manager, "10.0.0.1") for _ in range(2)]
            with pytest.raises(AddressFull) as refused:  # the page is "server full" (a 503)
                await _visit(manager, "10.0.0.1")
            assert isinstance(refused.value, ServerFull)
            # the positive control: another address still gets a kernel, the server is not full
            other = await _visit(manager, "10.0.0.2")
            assert manager.kernel_count() == 3 and not manager.is_full()
            assert manager.address_count("10.0.0.1") == 2
            assert all(_alive(_pid(manager, k)) for k in [*mine, other])
            # a kernel of that address ends: the address may have one again
            await manager.shutdown_kernel(mine[0], now=True)
            assert manager.address_count("10.0.0.1") == 1
            again = await _visit(manager, "10.0.0.1")
            assert manager.address_count("10.0.0.1") == 2 and again in manager
            # simultaneous pages of one address cannot pass the cap between them
            results = await asyncio.gather(
                *(_visit(manager, "10.0.0.3") for _ in range(4)), return_exceptions=True
            )
            assert sorted(type(r).__name__ for r in results) == ["AddressFull"] * 2 + ["str"] * 2
            assert manager.address_count("10.0.0.3") == 2 and manager.kernel_count() == 5
        finally:
            await manager.shutdown_all(now=True)
        assert manager.kernel_count() == 0 and manager.address_count("10.0.0.1") == 0

    _run(run())


def test_reserved_kernels_are_for_the_teacher_apps_only(fake_specs, tmp_path):
    async def run():
        manager = _manager(
            fake_specs, tmp_path, max_kernels=4, reserved_kernels=1, connect_timeout=0
        )
        try:
            learners = [await _visit(manager, f"10.0.0.{i}") for i in range(3)]
            # the learners' share (4 - 1) is taken: a fourth learner's app is refused ...
            with pytest.raises(ServerFull) as refused:
                await _visit(manager, "10.0.0.9")
            assert not isinstance(refused.value, AddressFull)
            assert manager.is_full() and not manager.is_full(teacher=True)
            # ... while the presenter still loads, from any address
            presenter = await _visit(manager, "10.0.0.9", "05_presentator.ipynb")
            assert manager.kernel_count() == 4 and manager.teacher_count() == 1
            with pytest.raises(ServerFull):  # the whole cap is taken now
                await _visit(manager, "10.0.0.8", "09_samarbeidsverksted.ipynb")
            # the positive control: a learner's kernel ends, and a learner gets in again
            await manager.shutdown_kernel(learners[0], now=True)
            await _visit(manager, "10.0.0.9")
            assert manager.kernel_count() == 4
            # the teacher's kernel counts in the whole cap, not in the learners' share
            await manager.shutdown_kernel(presenter, now=True)
            with pytest.raises(ServerFull):
                await _visit(manager, "10.0.0.7")
        finally:
            await manager.shutdown_all(now=True)

    _run(run())


def test_a_refused_page_leaves_nothing_counted(fake_specs, tmp_path):
    async def run():
        manager = _manager(
            fake_specs, tmp_path, max_kernels=2, max_kernels_per_address=1, connect_timeout=0
        )
        try:
            await _visit(manager, "10.0.0.1")
            for address in ("10.0.0.1", "10.0.0.1"):
                with pytest.raises(AddressFull):
                    await _visit(manager, address)
            with pytest.raises(RuntimeError):  # a render that fails before its kernel starts
                async with manager.admit(address="10.0.0.2", notebook="x.ipynb"):
                    raise RuntimeError("render failed")
            assert manager.kernel_count() == 1 and manager._reserved == 0
            assert manager.address_count("10.0.0.2") == 0
            await _visit(manager, "10.0.0.2")
            assert manager.kernel_count() == 2
        finally:
            await manager.shutdown_all(now=True)

    _run(run())


def _imports_after(setup: str) -> dict:
    code = (
        "import json, sys\n"
        f"{setup}\n"
        "import altair as alt, pandas as pd\n"
        "spec = alt.Chart(pd.DataFrame({'a': [1, 2]})).mark_bar().encode(x='a:Q').to_dict()\n"
        "print(json.dumps({'slow': sys.modules.get('rfc3987_syntax') is not None,"
        " 'mark': spec['mark']}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_kit_processes_skip_the_slow_iri_checker_and_charts_still_validate():
    """jsonschema imports rfc3987_syntax (seconds of grammar building) when it is installed;
    kit's kernels and server mark it missing and Altair's validated charts still work."""
    import importlib.util

    if importlib.util.find_spec("rfc3987_syntax") is not None:  # the positive control
        assert _imports_after("")["slow"] is True
    got = _imports_after(
        "from kit.server.kernel_launcher import skip_slow_optional_imports\nskip_slow_optional_imports()"
    )
    assert got == {"slow": False, "mark": {"type": "bar"}}


def in_kit_kernel(monkeypatch, code: str, before=None) -> tuple[str, str]:
    """What ``code`` prints in a kernel started from the kit's kernelspec (as `samskaping
    serve` starts them), and the kernel's connection file; ``before(km)`` runs once the kernel
    has started, ahead of the code."""
    from jupyter_client.manager import start_new_kernel

    from kit.core.paths import share_dir

    monkeypatch.setenv("JUPYTER_PATH", str(share_dir()))
    seen: list[str] = []
    km, kc = start_new_kernel(kernel_name="samskaping")
    try:
        if before is not None:
            before(km)
        reply = kc.execute_interactive(
            code,
            timeout=60,
            output_hook=lambda msg: seen.append(msg["content"].get("text", "")),
        )
        assert reply["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        visitor.remove_client(km.connection_file)
    return "".join(seen), km.connection_file


def test_the_kit_kernel_starts_without_the_slow_iri_checker(monkeypatch):
    out, _file = in_kit_kernel(
        monkeypatch,
        "import sys; print('blocked' if sys.modules.get('rfc3987_syntax', 1) is None else 'no')",
    )
    assert out.strip() == "blocked"


# -- whose kernel it is (the client key beside the connection file) -----------------------------


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["-f", "/run/k/kernel-1.json"], "/run/k/kernel-1.json"),
        (["-f=/run/k/kernel-2.json"], "/run/k/kernel-2.json"),
        (["--f=/run/k/kernel-3.json", "--debug"], "/run/k/kernel-3.json"),
        (["--f", "/run/k/kernel-4.json"], "/run/k/kernel-4.json"),
        (["-f", "/a.json", "-f", "/b.json"], "/b.json"),  # the last one, as ipykernel takes it
        ([], None),
        (["-f"], None),
        (["--debug"], None),
    ],
)
def test_the_launcher_finds_the_connection_file_in_its_argv(argv, found):
    assert kernel_launcher.connection_file_from_argv(argv) == found


def test_the_launcher_names_the_connection_file_absolute_or_not_at_all(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {config.KERNEL_FILE.name: "/left/by/a/parent.json"}
    assert kernel_launcher.name_connection_file(["-f", "kernel-9.json"], env) == str(
        tmp_path / "kernel-9.json"
    )
    assert env[config.KERNEL_FILE.name] == str(tmp_path / "kernel-9.json")
    assert kernel_launcher.name_connection_file(["--debug"], env) is None
    assert config.KERNEL_FILE.name not in env  # not a parent's file: no client


def test_the_client_file_is_the_owners_only_and_read_back_bounded(tmp_path):
    connection = tmp_path / "kernel-abc.json"
    env = {config.KERNEL_FILE.name: str(connection)}
    assert visitor.kernel_client(env) is None  # no file: no client
    assert visitor.kernel_client({}) is None  # no variable (JupyterLab, a test): no client
    path = visitor.write_client(connection, "10.0.0.5")
    assert path == tmp_path / "kernel-abc.kit-client"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert visitor.kernel_client(env) == "10.0.0.5"
    visitor.write_client(connection, "2001:db8::7")  # replaced whole at a hand-over
    assert visitor.kernel_client(env) == "2001:db8::7"
    path.write_text(" \n")
    assert visitor.kernel_client(env) is None
    path.write_bytes(b"\xff\xfe")
    assert visitor.kernel_client(env) is None
    path.write_text("x" * 200)
    assert visitor.kernel_client(env) is None
    visitor.remove_client(connection)
    visitor.remove_client(connection)  # twice is harmless
    assert not path.exists() and visitor.kernel_client(env) is None


def _client_file(manager: KitKernelManager, kernel_id: str) -> Path:
    return visitor.client_file(manager.get_kernel(kernel_id).connection_file)


def test_a_visitors_kernel_is_told_whose_it_is_and_the_file_goes_with_it(fake_specs, tmp_path):
    async def run():
        manager = _manager(fake_specs, tmp_path, connect_timeout=0)
        try:
            mine = await _visit(manager, "10.0.0.1", "05_presentator.ipynb")
            told = _client_file(manager, mine)
            assert told.read_text() == "10.0.0.1"
            assert stat.S_IMODE(told.stat().st_mode) == 0o600
            env = {config.KERNEL_FILE.name: manager.get_kernel(mine).connection_file}
            assert visitor.kernel_client(env) == "10.0.0.1"  # what the kernel's code reads
            # a kernel started for no visitor (the server's own) is told nothing
            own = await manager.start_kernel(kernel_name="python3")
            assert not _client_file(manager, own).exists()
            await manager.shutdown_kernel(mine, now=True)
            assert not told.exists()
        finally:
            await manager.shutdown_all(now=True)
        assert list(tmp_path.glob("*.kit-client*")) == []

    _run(run())


def test_a_client_file_that_cannot_be_written_is_logged_once_and_the_page_gets_its_kernel(
    fake_specs, tmp_path, caplog
):
    import logging

    async def run():
        manager = _manager(fake_specs, tmp_path, connect_timeout=0)
        manager.log = logging.getLogger("kit-test-told")
        ids = ["a1b2", "c3d4"]
        for kid in ids:  # a folder where the file's draft goes: the write fails
            (tmp_path / f"kernel-{kid}.kit-client.part").mkdir()
        try:
            for kid in ids:
                async with manager.admit(address="10.0.0.3", notebook="05_presentator.ipynb"):
                    assert await manager.start_kernel(kernel_name="python3", kernel_id=kid) == kid
                assert kid in manager and _alive(_pid(manager, kid))
                assert not _client_file(manager, kid).exists()
            # the positive control: a kernel whose file can be written is told
            told = await _visit(manager, "10.0.0.3")
            assert _client_file(manager, told).read_text() == "10.0.0.3"
        finally:
            await manager.shutdown_all(now=True)

    with caplog.at_level(logging.WARNING, logger="kit-test-told"):
        _run(run())
    warnings = [r for r in caplog.records if "whose it is" in r.getMessage()]
    assert len(warnings) == 1


def test_a_preheated_kernel_is_told_whose_it_is_when_a_visitor_gets_it(fake_specs, tmp_path):
    """Voilà's pool over the kit's manager (kit.server.pool), its notebook run replaced by a
    kernel start: the kernel waits with no client, and learns its visitor's at the hand-over."""
    from types import SimpleNamespace

    from traitlets import Integer, Unicode
    from traitlets.config import Configurable

    from kit.server.pool import kit_kernel_manager_factory

    class App(Configurable):
        root_dir = Unicode(str(tmp_path))
        notebook_path = None
        base_url = "/"
        server_url = "/"
        port = Integer(8866)
        ip = "127.0.0.1"

    async def run():
        cls = kit_kernel_manager_factory(KitKernelManager, True, 0)
        manager = cls(
            parent=App(),
            kernel_spec_manager=fake_specs,
            kit_kernel_name="fake",
            connection_dir=str(tmp_path),
            connect_timeout=0,
            pool_sizes={"light.ipynb": 1},
            pool_check_interval=3600.0,
        )

        async def initialize(notebook, page_config, **kwargs):  # Voilà runs the notebook here
            kernel_id = await manager.start_kernel(kernel_name="python3", env=kwargs["env"])
            return {
                "kernel_id": kernel_id,
                "task": asyncio.ensure_future(asyncio.sleep(0)),
                "renderer": SimpleNamespace(stop_generator=False, rendered_cache=[]),
            }

        manager._initialize = initialize
        try:
            manager.fill_if_needed(delay=0, notebook_name="light.ipynb")
            waiting = (await manager._pools["light.ipynb"][0])["kernel_id"]
            assert not _client_file(manager, waiting).exists()  # nobody's yet
            async with manager.admit(address="10.0.0.7", notebook="light.ipynb", pooled=True):
                _task, _cache, handed = await manager.get_rendered_notebook("light.ipynb")
            assert handed == waiting
            assert _client_file(manager, handed).read_text() == "10.0.0.7"
            assert manager.address_count("10.0.0.7") == 1
            told = _client_file(manager, handed)
            await manager.shutdown_kernel(handed, now=True)
            assert not told.exists()
        finally:
            await manager.shutdown_all(now=True)
        assert list(tmp_path.glob("*.kit-client*")) == []

    _run(run())


def test_the_kit_kernel_knows_its_connection_file(monkeypatch, tmp_path):
    """A kernel started from the kit's kernelspec names its connection file in
    KIT_KERNEL_FILE, and reads the client written beside it when asked (not at start)."""
    out, connection = in_kit_kernel(
        monkeypatch,
        "import os\n"
        "from kit.core import config\n"
        "from kit.core.visitor import kernel_client\n"
        "print(os.environ[config.KERNEL_FILE.name], kernel_client())",
        before=lambda km: visitor.write_client(km.connection_file, "10.0.0.42"),
    )
    assert out.split() == [os.path.abspath(connection), "10.0.0.42"]
