"""JupyterHub for a course with many learners: each learner gets the kit's apps in a Jupyter
server of their own, started on demand, behind one address.

What this file sets up (docs/jupyterhub/README.md says how to run it and what to change for a
real course; tests/test_jupyterhub.py starts exactly this file):

- the hub and its proxy (configurable-http-proxy, from npm) on 127.0.0.1 by default;
- a shared-password authenticator: every learner in ``KIT_HUB_USERS`` logs in with
  ``KIT_HUB_PASSWORD`` (a stand-in for a real login: Feide, Entra ID, LDAP, ...);
- ``SimpleLocalProcessSpawner``: each learner's server is a process on this machine, run as the
  hub's own system user (no system user per learner: **no isolation between learners**, for
  trying things out only; see the README);
- each learner's server is ``jupyterhub-singleuser`` (Jupyter Server) with Voilà as a server
  extension, the kit's Voilà template and the kit's apps as its folder, and the kit's start page
  as the address a learner lands on.

Settings from the environment (all optional but the two marked):

| variable | default |
|---|---|
| ``KIT_HUB_PASSWORD`` (required) | the shared password, at least 8 characters |
| ``KIT_HUB_USERS`` (required) | user names allowed to log in, comma-separated |
| ``KIT_HUB_IP`` | ``127.0.0.1``: where the proxy listens for browsers |
| ``KIT_HUB_PORT`` | ``8000``: the address learners open |
| ``KIT_HUB_HUB_PORT`` | ``8081``: the hub's own API (127.0.0.1 only) |
| ``KIT_HUB_PROXY_API_PORT`` | ``8001``: the proxy's API (127.0.0.1 only) |
| ``KIT_HUB_STATE`` | the current folder: the hub's database, cookie secret, pid file and the learners' home folders |
| ``KIT_HUB_PROXY`` | ``configurable-http-proxy`` from the kit's ``node_modules`` (``npm ci``), else from ``PATH`` |

Nothing here is fetched from another host at run time: the hub serves its own pages and static
files, and the learners' pages use the kit's template, which names no CDN.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821 - given by JupyterHub when it loads this file

HERE = Path(__file__).resolve().parent
#: The kit's checkout when this file is read from one (docs/jupyterhub/ in it), else None: an
#: installed kit (pip install samskaping-kit) is found by its import.
CHECKOUT = HERE.parent.parent if (HERE.parent.parent / "kit" / "__init__.py").is_file() else None


def _setting(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, "").strip() or default
    if value is None:
        raise SystemExit(f"jupyterhub_config.py: set {name} (see docs/jupyterhub/README.md)")
    return value


def _kit_folders() -> tuple[Path, Path]:
    """The kit's apps and its Jupyter share folder (the Voilà template), as the kit finds them."""
    if CHECKOUT is not None and str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))
    from kit.core.paths import notebooks_dir, share_dir

    return notebooks_dir(), share_dir()


def _proxy_command() -> str:
    given = os.environ.get("KIT_HUB_PROXY", "").strip()
    if given:
        return given
    if CHECKOUT is not None:
        local = CHECKOUT / "node_modules" / ".bin" / "configurable-http-proxy"
        if local.exists():
            return str(local)
    return shutil.which("configurable-http-proxy") or "configurable-http-proxy"


ip = _setting("KIT_HUB_IP", "127.0.0.1")
port = int(_setting("KIT_HUB_PORT", "8000"))
hub_port = int(_setting("KIT_HUB_HUB_PORT", "8081"))
proxy_api_port = int(_setting("KIT_HUB_PROXY_API_PORT", "8001"))
state = Path(_setting("KIT_HUB_STATE", os.getcwd())).resolve()
state.mkdir(parents=True, exist_ok=True)
notebooks, share = _kit_folders()

# -- the hub and its proxy -------------------------------------------------------------------
c.JupyterHub.bind_url = f"http://{ip}:{port}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [_proxy_command()]
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
# a stopped hub stops the learners' servers and the proxy it started
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# -- who may log in -------------------------------------------------------------------------
# SharedPasswordAuthenticator is JupyterHub's successor of DummyAuthenticator's password
# (deprecated in JupyterHub 5.3): one password for every listed learner. A real course replaces
# these lines with its own login (see the README).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = _setting("KIT_HUB_PASSWORD")
c.Authenticator.allowed_users = {
    name.strip() for name in _setting("KIT_HUB_USERS").split(",") if name.strip()
}

# -- each learner's server ------------------------------------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(state / "home" / "{username}")
c.Spawner.ip = "127.0.0.1"
# the hub's own Python: jupyterhub-singleuser from the environment the hub and the kit are in
c.Spawner.cmd = [sys.executable, "-m", "jupyterhub.singleuser"]
c.Spawner.notebook_dir = str(notebooks)
c.Spawner.default_url = "/voila/render/00_start.ipynb"
c.Spawner.args = [
    # Voilà as a server extension (named here too, for an environment whose install did not put
    # its jupyter_server_config.d file in place); JupyterLab and its language-server extension
    # are left out: a learner gets the apps, not an editor
    "--ServerApp.jpserver_extensions=voila.server_extension=True",
    "--ServerApp.jpserver_extensions=jupyterlab=False",
    "--ServerApp.jpserver_extensions=jupyter_lsp=False",
    # Voilà with the kit's template and the settings of `samskaping serve`
    "--VoilaConfiguration.template=samskaping",
    "--VoilaConfiguration.theme=light",
    "--VoilaConfiguration.strip_sources=True",
    "--VoilaConfiguration.show_tracebacks=False",
    # the learner's server offers no shell
    "--ServerApp.terminals_enabled=False",
]
if hasattr(os, "geteuid") and os.geteuid() == 0:
    # SimpleLocalProcessSpawner runs the servers as the hub's user; Jupyter Server refuses to run
    # as root without this (a real course runs the hub as a service user or spawns containers)
    c.Spawner.args.append("--allow-root")
environment = {
    # the kit's Voilà template (share/jupyter/voila/templates/samskaping)
    "JUPYTER_PATH": str(share),
    "PATH": os.environ.get("PATH", os.defpath),
    "LANG": os.environ.get("LANG", "C.UTF-8"),
}
# a checkout that is not installed (or a venv whose editable install is of another checkout):
# the learners' servers and kernels import the kit the hub found
if CHECKOUT is not None:
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(CHECKOUT), os.environ.get("PYTHONPATH", "")) if p
    )
c.Spawner.environment = environment
# a server's first start imports Jupyter Server, Voilà and the kit: give a loaded machine time
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
