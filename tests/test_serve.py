"""`samskaping serve`: the command line, the served pages, and that learners cannot run code."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import time
import urllib.request
import uuid

import pytest

from kit.server import serve
from kit.server.cli import main

from .conftest import APP_NOTEBOOKS, samskaping_command, wait_for

pytestmark = pytest.mark.server

APPS = {
    "00_start.ipynb": "samskaping-kit",
    "01_begreper.ipynb": "Begrepene – samskaping-kit",
    "02_modellen.ipynb": "Modellen – samskaping-kit",
    "03_klassifiser.ipynb": "Klassifiser – samskaping-kit",
    "04_egen_sak.ipynb": "Samskapingskompasset – samskaping-kit",
    "05_presentator.ipynb": "Presentatør – samskaping-kit",
    "06_kommuneplaner.ipynb": "Kommuneplaner – samskaping-kit",
    "07_lysbilder.ipynb": "Lysbilder – samskaping-kit",
    "08_fasilitatorguide.ipynb": "Fasilitatorguide – samskaping-kit",
    "09_samarbeidsverksted.ipynb": "Samarbeidsverkstedet – samskaping-kit",
}


def test_every_app_has_a_title_here():
    assert set(APPS) == set(APP_NOTEBOOKS)


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=120) as resp:
        return resp.status, resp.read().decode("utf-8")


def test_help_works():
    out = subprocess.run([*samskaping_command(), "serve", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    assert "--port" in out.stdout and "--no-browser" in out.stdout
    for option in ("--max-kernels", "--kernel-connect-timeout", "--kernel-memory"):
        assert option in out.stdout


@pytest.mark.parametrize("option", ["--max-kernels", "--kernel-connect-timeout", "--kernel-memory"])
def test_negative_limit_is_refused(option, capsys):
    assert main(["serve", "--port", "8866", option, "-1"]) == 2
    err = capsys.readouterr().err
    assert f"{option} kan ikke være negativ" in err and "Traceback" not in err


def test_port_taken_gives_clear_message(capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        code = main(["serve", "--port", str(port), "--no-browser"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"Port {port} er allerede i bruk" in err
    assert "Traceback" not in err


def test_port_taken_in_english(monkeypatch, capsys):
    monkeypatch.setenv("KIT_LANG", "en")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    assert f"Port {port} is already in use" in capsys.readouterr().err


def test_invalid_port(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "70000" in capsys.readouterr().err


def test_voila_command_line_is_classroom_ready():
    argv = serve.voila_argv(8866)
    assert "--Voila.ip=127.0.0.1" in argv and "--template=samskaping" in argv
    assert "--strip_sources=True" in argv
    assert any(
        a.startswith("--MappingKernelManager.cull_idle_timeout=") and int(a.split("=")[1]) > 0
        for a in argv
    )
    # the kernel limits (kit.server.limits), with their defaults
    assert (
        "--VoilaConfiguration.multi_kernel_manager_class=kit.server.limits.KitKernelManager" in argv
    )
    assert f"--KitKernelManager.max_kernels={serve.MAX_KERNELS}" in argv
    assert f"--KitKernelManager.connect_timeout={serve.KERNEL_CONNECT_TIMEOUT}" in argv
    assert f"--KitKernelManager.memory_limit={serve.KERNEL_MEMORY_MB * 2**20}" in argv
    small = serve.voila_argv(8866, max_kernels=3, connect_timeout=5, kernel_memory_mb=0)
    assert "--KitKernelManager.max_kernels=3" in small
    assert "--KitKernelManager.connect_timeout=5" in small
    assert "--KitKernelManager.memory_limit=0" in small


def test_kernels_run_with_the_memory_limit_and_a_closed_tab_frees_them(server):
    """Kernels start through kit.server.kernel_launcher with the default limit; the page sets the
    _xsrf cookie Voilà's close-tab beacon posts back, and that beacon shuts the kernel down."""
    from pathlib import Path

    _, page = fetch(f"{server.url}voila/render/00_start.ipynb")
    assert 'document.cookie = "_xsrf="' in page  # the template's fix for the beacon
    kernel_id = _kernel_id(page)
    kernels = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and kernel_id.encode() in (entry / "cmdline").read_bytes():
                kernels.append(entry)
        except OSError:
            continue
    assert len(kernels) == 1
    assert b"kit.server.kernel_launcher" in (kernels[0] / "cmdline").read_bytes()
    limit = serve.KERNEL_MEMORY_MB * 2**20
    limits = (kernels[0] / "limits").read_text()
    assert re.search(rf"Max data size\s+{limit}\s+{limit}\s", limits), limits
    token = uuid.uuid4().hex
    beacon = urllib.request.Request(
        f"{server.url}voila/api/shutdown/{kernel_id}",
        data=f"_xsrf={token}".encode(),
        headers={"Cookie": f"_xsrf={token}"},
        method="POST",
    )
    with urllib.request.urlopen(beacon, timeout=30) as resp:
        assert resp.status == 204
    deadline = time.monotonic() + 15
    while (kernels[0] / "cmdline").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not (kernels[0] / "cmdline").exists() or not (kernels[0] / "cmdline").read_bytes()


def test_foreign_host_is_refused(server):
    import http.client

    for host, expected in (("evil.example", 403), (f"127.0.0.1:{server.port}", 200)):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request("GET", "/", headers={"Host": host})
            assert conn.getresponse().status == expected, host
        finally:
            conn.close()


def test_serve_prints_url_and_page_is_offline(server):
    address = f"http://127.0.0.1:{server.port}/"
    # printed once the server answers its own address: maybe just after it answered ours
    assert address in wait_for(server.log, lambda log: address in log)
    status, page = fetch(server.url)
    assert status == 200 and "00_start.ipynb" in page


@pytest.mark.parametrize(("notebook", "title"), list(APPS.items()))
def test_each_app_served_without_sources(server, notebook, title):
    status, page = fetch(f"{server.url}voila/render/{notebook}")
    assert status == 200
    assert f"<title>{title}</title>" in page
    assert '<html lang="nb">' in page and "<main" in page
    assert "from kit import" not in page and "()</" not in page
    # nothing is loaded from another host: no external stylesheet or script
    external = re.findall(
        r"""<(?:link|script)[^>]+(?:href|src)=["']https?://(?!127\.0\.0\.1)""", page
    )
    assert external == []


def _kernel_id(page: str) -> str:
    config = re.search(
        r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', page, re.S
    )
    assert config, "page has no jupyter-config-data"
    return json.loads(config.group(1))["kernelId"]


def _message(msg_type: str, content: dict, channel: str = "shell") -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "learner",
            "session": uuid.uuid4().hex,
            "date": "",
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "channel": channel,
        "buffers": [],
    }


def test_learner_cannot_execute_code(server, tmp_path):
    import websocket

    _, page = fetch(f"{server.url}voila/render/02_modellen.ipynb")
    kernel_id = _kernel_id(page)
    marker = tmp_path / "executed.txt"
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}",
        timeout=10,
    )
    try:
        attack = _message(
            "execute_request",
            {
                "code": f"open({str(marker)!r}, 'w').write('ran')",
                "silent": False,
                "store_history": False,
                "user_expressions": {},
                "allow_stdin": False,
                "stop_on_error": True,
            },
        )
        ws.send(json.dumps(attack))
        probe = _message("kernel_info_request", {})
        ws.send(json.dumps(probe))
        seen: list[tuple[str, str]] = []
        deadline = time.monotonic() + 8
        got_info = False
        while time.monotonic() < deadline:
            try:
                msg = json.loads(ws.recv())
            except websocket.WebSocketTimeoutException:
                break
            parent = msg.get("parent_header", {}).get("msg_id")
            seen.append((msg["msg_type"], parent))
            if msg["msg_type"] == "kernel_info_reply" and parent == probe["header"]["msg_id"]:
                got_info = True
            if got_info and time.monotonic() > deadline - 5:
                break
        # the channel works (the allowed request was answered) ...
        assert got_info, f"kernel did not answer kernel_info_request: {seen}"
        # ... but the code was never run: no reply to it, no side effect
        attack_id = attack["header"]["msg_id"]
        assert not [s for s in seen if s[1] == attack_id], seen
        assert not marker.exists()
    finally:
        ws.close()
