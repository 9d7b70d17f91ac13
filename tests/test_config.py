"""The one configuration (kit/core/config.py): every KIT_* variable is read there and nowhere else
in kit/, each setting's reading and checks, the README's table of them, ``serve --help`` and the
way a bad value reaches a person (one line naming it, never a traceback)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from kit.core import config
from kit.core.config import ConfigError
from kit.core.i18n import LANGUAGES, setting_message, t
from kit.server import cli

from .conftest import ROOT

# ---- no module but config names a KIT_* variable ----------------------------------------------

#: A string that is a KIT_* variable's name (or the start of one, in an f-string).
_NAME = re.compile(r"KIT_[A-Z0-9_]*")
#: An environment read with a KIT_* name written into it, found as text.
_ENV_READ = re.compile(
    r"""(?:environ\s*(?:\.get|\.pop|\.setdefault)?\s*[\[(]|getenv\s*\()\s*f?["']KIT_"""
)


def kit_env_names(source: str) -> list[str]:
    """Where ``source`` names a KIT_* variable in code (not in a docstring or a comment): each
    string constant that is such a name, and each environment read written with one."""
    tree = ast.parse(source)
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    found = [
        f"line {node.lineno}: {node.value!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and _NAME.fullmatch(node.value)
    ]
    found += [f"text: {m.group()!r}" for m in _ENV_READ.finditer(source)]
    return found


def test_the_check_flags_a_module_that_reads_a_kit_variable():
    """The positive control: each way of naming a variable is caught, a docstring is not."""
    for source in (
        'import os\nurl = os.environ.get("KIT_DB_URL")\n',
        "import os\nurl = os.environ['KIT_DB_URL']\n",
        'import os\nos.environ.pop("KIT_SERVE_READY", "")\n',
        'import os\nurl = os.getenv(f"KIT_{name}")\n',
        'ENV = "KIT_KERNEL_MEMORY_LIMIT"\n',
        'env = {"KIT_PUBLIC_URL": url}\n',
    ):
        assert kit_env_names(source), source
    quiet = '"""Reads ``KIT_DB_URL`` through config."""\nfrom kit.core import config\n'
    assert kit_env_names(quiet + "url = config.DB_URL.get()  # KIT_DB_URL\n") == []


def test_only_config_names_a_kit_variable():
    offenders = {}
    for path in sorted((ROOT / "kit").rglob("*.py")):
        if path == ROOT / "kit" / "core" / "config.py":
            continue
        found = kit_env_names(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(ROOT))] = found
    assert offenders == {}, "ask kit.core.config instead"


def test_config_itself_is_found_by_the_check():
    """The check would see config's own names: the exemption above is what lets them be."""
    source = (ROOT / "kit" / "core" / "config.py").read_text(encoding="utf-8")
    assert len(kit_env_names(source)) >= len(config.SETTINGS)


# ---- each setting: read when used, its default, a good and a bad value ------------------------

GOOD = [
    (config.LANG, "nn", "nn"),
    (config.DATA_DIR, "/srv/kurs/data", Path("/srv/kurs/data")),
    (config.NOTEBOOKS_DIR, "~/apps", Path("~/apps").expanduser()),
    (config.CACHE_DIR, " /tmp/cache ", Path("/tmp/cache")),
    (config.DB_URL, "sqlite:////tmp/a.sqlite3", "sqlite:////tmp/a.sqlite3"),
    (config.DB_URL, " postgresql+psycopg://kit:pw@db/kit ", "postgresql+psycopg://kit:pw@db/kit"),
    (config.DATA_HOME, "/var/lib/kit", Path("/var/lib/kit")),
    (config.SESSION_IDLE_HOURS, "2", 2.0),
    (config.SESSION_IDLE_HOURS, "0.5", 0.5),
    (config.PUBLIC_URL, "http://10.0.0.5:8866/kurs", "http://10.0.0.5:8866/kurs"),
    (config.PUBLIC_URL, "https://kurs.example", "https://kurs.example"),
    (config.TRUSTED_PROXIES, "10.0.0.5, 10.0.0.6,", frozenset({"10.0.0.5", "10.0.0.6"})),
    (config.TRUSTED_PROXIES, "0::1", frozenset({"::1"})),
    (config.FORWARDED_HEADER, "X-Real-IP", "X-Real-IP"),
    (config.FORWARDED_HEADER, " x-forwarded-for ", "X-Forwarded-For"),
    (config.FORWARDED_HEADER, "None", None),
    (config.HEADER_TIMEOUT, "2.5", 2.5),
    (config.BODY_TIMEOUT, " 90 ", 90.0),
    (config.HELD_POLLS, "500", 500),
    (config.HELD_POLLS_PER_CLIENT, "1", 1),
    (config.SERVE_READY, "Appene er klare\nhttp://x", "Appene er klare\nhttp://x"),
    (config.SERVE_FAILED, "Serveren stoppet", "Serveren stoppet"),
    (config.SERVE_TERMINAL, "5,6", "5,6"),
    (config.RUN_PATH, "../samskaping-kit/run", "../samskaping-kit/run"),
    (config.KERNEL_MEMORY_LIMIT, " 1024 ", 1024),
    (config.KERNEL_MEMORY_LIMIT, "0", 0),
    (config.RETENTION_DAYS, " 7 ", 7),
    (config.RETENTION_DAYS, "0", 0),
    (config.ROOMS_PER_HOUR, " 5 ", 5),
    (config.ROOMS_PER_HOUR, "0", 0),
    (
        config.KERNEL_FILE,
        "/run/user/1000/jupyter/kernel-1.json",
        Path("/run/user/1000/jupyter/kernel-1.json"),
    ),
    (config.VENV, ".venv310", ".venv310"),
]
BAD = [
    (config.DB_URL, "mysql://localhost/kit"),
    (config.DB_URL, "answers.sqlite3"),
    (config.SESSION_IDLE_HOURS, "abc"),
    (config.SESSION_IDLE_HOURS, "0"),
    (config.SESSION_IDLE_HOURS, "-1"),
    (config.SESSION_IDLE_HOURS, "nan"),
    (config.SESSION_IDLE_HOURS, "inf"),
    (config.PUBLIC_URL, "10.0.0.5:8866"),
    (config.PUBLIC_URL, "ftp://10.0.0.5/"),
    (config.PUBLIC_URL, "http://10.0.0.5:port/"),
    (config.PUBLIC_URL, "http:///kurs"),
    (config.TRUSTED_PROXIES, "proxy.example"),
    (config.TRUSTED_PROXIES, "10.0.0.5,10.0.0.0/24"),
    (config.FORWARDED_HEADER, "Forwarded"),
    (config.FORWARDED_HEADER, "X-Real-IP, X-Forwarded-For"),
    (config.HEADER_TIMEOUT, "0"),
    (config.HEADER_TIMEOUT, "soon"),
    (config.BODY_TIMEOUT, "-5"),
    (config.BODY_TIMEOUT, "inf"),
    (config.HELD_POLLS, "0"),
    (config.HELD_POLLS, "2.5"),
    (config.HELD_POLLS_PER_CLIENT, "-1"),
    (config.KERNEL_MEMORY_LIMIT, "lots"),
    (config.KERNEL_MEMORY_LIMIT, "-1"),
    (config.KERNEL_MEMORY_LIMIT, "1.5e9"),
    (config.RETENTION_DAYS, "a month"),
    (config.RETENTION_DAYS, "-1"),
    (config.RETENTION_DAYS, "1.5"),
    (config.ROOMS_PER_HOUR, "many"),
    (config.ROOMS_PER_HOUR, "-1"),
    (config.ROOMS_PER_HOUR, "2.5"),
]
DEFAULTS = {
    "KIT_LANG": "",
    "KIT_DATA_DIR": None,
    "KIT_NOTEBOOKS_DIR": None,
    "KIT_CACHE_DIR": None,
    "KIT_DB_URL": None,
    "KIT_DATA_HOME": None,
    "KIT_SESSION_IDLE_HOURS": 12.0,
    "KIT_RETENTION_DAYS": 30,
    "KIT_ROOMS_PER_HOUR": 30,
    "KIT_PUBLIC_URL": None,
    "KIT_TRUSTED_PROXIES": frozenset(),
    "KIT_FORWARDED_HEADER": "X-Real-IP",
    "KIT_HEADER_TIMEOUT": 20.0,
    "KIT_BODY_TIMEOUT": 60.0,
    "KIT_HELD_POLLS": None,
    "KIT_HELD_POLLS_PER_CLIENT": 1000,
    "KIT_SERVE_READY": "",
    "KIT_SERVE_FAILED": "",
    "KIT_SERVE_TERMINAL": "",
    "KIT_KERNEL_MEMORY_LIMIT": 0,
    "KIT_KERNEL_FILE": None,
    "KIT_RUN": "",
    "KIT_VENV": ".venv",
}


def test_every_setting_has_a_default_here():
    assert list(DEFAULTS) == [s.name for s in config.SETTINGS]


@pytest.mark.parametrize("setting", config.SETTINGS, ids=lambda s: s.name)
def test_unset_or_empty_is_the_default(monkeypatch, setting):
    monkeypatch.delenv(setting.name, raising=False)
    assert setting.get() == DEFAULTS[setting.name]
    monkeypatch.setenv(setting.name, "  ")
    assert setting.get() == DEFAULTS[setting.name]
    assert setting.get({}) == DEFAULTS[setting.name]


@pytest.mark.parametrize(
    ("setting", "raw", "value"), GOOD, ids=[f"{s.name}={raw!r}" for s, raw, _v in GOOD]
)
def test_a_good_value_is_read_when_asked(monkeypatch, setting, raw, value):
    monkeypatch.setenv(setting.name, raw)  # after import: read when used, never frozen
    assert setting.get() == value
    assert setting.get({setting.name: raw}) == value
    assert config.problems((setting,)) == []


@pytest.mark.parametrize(("setting", "raw"), BAD, ids=[f"{s.name}={raw!r}" for s, raw in BAD])
def test_a_bad_value_names_the_setting_and_what_is_allowed(monkeypatch, setting, raw):
    monkeypatch.setenv(setting.name, raw)
    with pytest.raises(ConfigError) as exc:
        setting.get()
    assert exc.value.name == setting.name and exc.value.value == raw
    for lang in LANGUAGES:
        message = setting_message(exc.value, lang)
        assert setting.name in message and raw in message
        assert t(setting.allowed_key, lang) in message
    assert str(exc.value) == f"{setting.name}={raw!r}"  # for logs
    assert [p.name for p in config.problems((setting,))] == [setting.name]


def test_only_settings_that_can_refuse_have_an_allowed_text():
    refusing = {s.name for s, _raw in BAD}
    assert {s.name for s in config.SETTINGS if s.allowed_key} == refusing


def test_an_option_is_named_as_the_option():
    with pytest.raises(ConfigError) as exc:
        config.PUBLIC_URL.read("nope", name="--public-url")
    message = setting_message(exc.value, "en")
    assert "--public-url" in message and "KIT_" not in message


def test_a_long_value_is_cut_in_the_message():
    exc = ConfigError(config.DB_URL, "x" * 500)
    assert len(setting_message(exc, "en")) < 300


def test_pop_reads_and_removes():
    env = {"KIT_SERVE_READY": "klar"}
    assert config.SERVE_READY.pop(env) == "klar" and env == {}
    assert config.SERVE_READY.pop(env) == ""


def test_problems_lists_every_bad_public_setting_in_order():
    env = {
        "KIT_TRUSTED_PROXIES": "x",
        "KIT_SESSION_IDLE_HOURS": "y",
        "KIT_KERNEL_MEMORY_LIMIT": "z",
    }
    names = [p.name for p in config.problems(environ=env)]
    assert names == ["KIT_SESSION_IDLE_HOURS", "KIT_TRUSTED_PROXIES"]  # the internal one: not
    assert config.problems(config.SETTINGS, env)[-1].name == "KIT_KERNEL_MEMORY_LIMIT"


def test_setting_by_name():
    assert config.setting("KIT_DB_URL") is config.DB_URL
    with pytest.raises(KeyError):
        config.setting("KIT_NOTHING")


def test_the_users_of_the_settings_follow_them(monkeypatch, tmp_path):
    from kit.core.paths import data_dir, notebooks_dir
    from kit.core.ui.charts import cache_dir
    from kit.live.handlers import trusted_proxies
    from kit.live.store import idle_timeout_default

    monkeypatch.setenv("KIT_DATA_DIR", str(tmp_path / "d"))
    monkeypatch.setenv("KIT_NOTEBOOKS_DIR", str(tmp_path / "n"))
    monkeypatch.setenv("KIT_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("KIT_SESSION_IDLE_HOURS", "3")
    monkeypatch.setenv("KIT_TRUSTED_PROXIES", "10.0.0.5")
    assert (data_dir(), notebooks_dir(), cache_dir()) == (
        tmp_path / "d",
        tmp_path / "n",
        tmp_path / "c",
    )
    assert idle_timeout_default() == timedelta(hours=3)
    assert trusted_proxies() == frozenset({"10.0.0.5"})


# ---- README.md: one table of the kit's settings, one of the tests' ------------------------------


def readme_tables() -> list[list[str]]:
    """The first column (the variable) of each table in README.md's "Settings" section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    tables: list[list[str]] = []
    in_table = False
    for line in section.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cell = line.split("|")[1].strip()
        if not in_table:
            tables.append([])
            in_table = True
        elif re.fullmatch(r"`KIT_[A-Z0-9_]+`", cell):
            tables[-1].append(cell.strip("`"))
    return tables


#: KIT_* names read in a Python file (os.environ.get / os.environ[...]) or a shell script.
_READ = re.compile(r"""environ(?:\.get\(|\[)\s*["'](KIT_\w+)|\$\{(KIT_\w+):-""")
#: ... and set by the same file (then the file talks to itself, or to its own subprocess).
_SET = re.compile(r"""setenv\(\s*["'](KIT_\w+)|\b(KIT_\w+)=""")


def settings_used_outside_the_kit() -> set[str]:
    """What the tests, the benchmarks and the CI scripts read (not set themselves)."""
    names = set()
    for path in [*ROOT.glob("tests/*.py"), *ROOT.glob("bench/*.py"), *ROOT.glob(".ci/*.sh")]:
        text = path.read_text(encoding="utf-8")
        read = {a or b for a, b in _READ.findall(text)}
        set_here = {a or b for a, b in _SET.findall(text)}
        names |= read - set_here
    return names - {s.name for s in config.SETTINGS}


def test_the_readme_lists_exactly_the_settings_config_declares():
    tables = readme_tables()
    assert len(tables) == 2, tables
    assert tables[0] == [s.name for s in config.SETTINGS]


def test_the_readme_lists_exactly_the_test_settings():
    tables = readme_tables()
    assert set(tables[1]) == settings_used_outside_the_kit()
    assert len(tables[1]) == len(set(tables[1]))


def test_the_readme_marks_the_internal_settings():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for s in config.SETTINGS:
        row = next(line for line in text.splitlines() if line.startswith(f"| `{s.name}` |"))
        assert ("internal" in row.lower()) == (s.kind == config.INTERNAL), row


# ---- samskaping serve --help ---------------------------------------------------------------------


def serve_help(lang: str, capsys, monkeypatch) -> str:
    monkeypatch.setenv("COLUMNS", "100")
    with pytest.raises(SystemExit) as exc:
        cli.main(["serve", "--help", "--lang", lang])
    assert exc.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_serve_help_lists_every_setting_a_person_gives(lang, capsys, monkeypatch):
    out = serve_help(lang, capsys, monkeypatch)
    flat = " ".join(out.split())
    assert t("cli_settings_intro", lang) in flat
    for setting in config.PUBLIC_SETTINGS:
        assert f"{setting.name}: {t(setting.doc_key, lang)}" in flat
    for setting in config.SETTINGS:
        if setting.kind == config.INTERNAL:
            assert setting.name not in out


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_options_help_names_its_setting(lang, capsys, monkeypatch):
    out = serve_help(lang, capsys, monkeypatch)
    options = out.split(t("cli_settings_intro", lang).split()[0])[0]
    with_option = [s for s in config.SETTINGS if s.option]
    assert {s.option for s in with_option} == {
        "--db",
        "--public-url",
        "--lang",
        "--retention-days",
        "--rooms-per-hour",
    }
    for setting in with_option:
        assert setting.option in options
        assert setting.name in options, setting.name


# ---- a bad value reaches a person as one line ---------------------------------------------------


def test_a_command_refuses_a_bad_setting_in_its_language(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("KIT_TRUSTED_PROXIES", "proxy.example")
    assert cli.main(["template", str(tmp_path / "mine.csv"), "--lang", "nn"]) == 2
    err = capsys.readouterr().err
    assert err == t("config_invalid", "nn", name="KIT_TRUSTED_PROXIES", value="proxy.example",
                    allowed=t("config_allowed_ip_addresses", "nn")) + "\n"  # fmt: skip
    assert not (tmp_path / "mine.csv").exists()


def test_an_option_wins_over_its_bad_setting(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("KIT_DB_URL", "mysql://nowhere/kit")
    url = f"sqlite:///{tmp_path / 'answers.sqlite3'}"
    assert cli.main(["purge-answers", "--days", "30", "--db", url, "--lang", "en"]) == 0
    assert cli.main(["purge-answers", "--days", "30", "--lang", "en"]) == 2
    assert "KIT_DB_URL" in capsys.readouterr().err


class _Exec(Exception):
    pass


def _serve_env(monkeypatch, tmp_path, *args: str) -> dict[str, str]:
    """The environment ``samskaping serve`` would start the server with (execve caught)."""
    from .conftest import free_port

    seen: dict[str, dict[str, str]] = {}

    def execve(path, argv, env):
        seen["env"] = env
        raise _Exec

    monkeypatch.setattr(cli.os, "execve", execve)
    monkeypatch.setattr(cli, "_prepare_charts", lambda lang: None)
    monkeypatch.setattr(cli._serve, "send_output_to_log", lambda path: "1,2")  # keep pytest's
    url = f"sqlite:///{tmp_path / 'answers.sqlite3'}"
    with pytest.raises(_Exec):
        cli.main(["serve", "--port", str(free_port()), "--db", url, "--log", "x.log", *args])
    return seen["env"]


def test_serve_passes_kit_public_url_on(monkeypatch, tmp_path):
    """KIT_PUBLIC_URL is the address, also when serving the network (it was replaced by the
    guessed one); --public-url wins over it."""
    monkeypatch.setenv("KIT_PUBLIC_URL", "http://kurs.example:8866/")
    env = _serve_env(monkeypatch, tmp_path, "--host", "0.0.0.0")
    assert env["KIT_PUBLIC_URL"] == "http://kurs.example:8866/"
    assert env["KIT_DB_URL"].startswith("sqlite:///")
    env = _serve_env(monkeypatch, tmp_path, "--public-url", "http://10.0.0.9:8866/")
    assert env["KIT_PUBLIC_URL"] == "http://10.0.0.9:8866/"


def test_serve_passes_the_retention_and_the_rooms_per_hour_on(monkeypatch, tmp_path):
    """The server and its kernels get the options' values, else the variables' (not the
    defaults in their place), else the defaults."""
    monkeypatch.delenv("KIT_RETENTION_DAYS", raising=False)
    monkeypatch.delenv("KIT_ROOMS_PER_HOUR", raising=False)
    env = _serve_env(monkeypatch, tmp_path)
    assert (env["KIT_RETENTION_DAYS"], env["KIT_ROOMS_PER_HOUR"]) == ("30", "30")
    monkeypatch.setenv("KIT_RETENTION_DAYS", "7")
    monkeypatch.setenv("KIT_ROOMS_PER_HOUR", "0")
    env = _serve_env(monkeypatch, tmp_path)
    assert (env["KIT_RETENTION_DAYS"], env["KIT_ROOMS_PER_HOUR"]) == ("7", "0")
    env = _serve_env(monkeypatch, tmp_path, "--retention-days", "2", "--rooms-per-hour", "5")
    assert (env["KIT_RETENTION_DAYS"], env["KIT_ROOMS_PER_HOUR"]) == ("2", "5")


def test_an_option_wins_over_a_bad_rooms_per_hour_setting(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("KIT_ROOMS_PER_HOUR", "many")
    env = _serve_env(monkeypatch, tmp_path, "--rooms-per-hour", "3")
    assert env["KIT_ROOMS_PER_HOUR"] == "3"
    assert cli.main(["serve", "--rooms-per-hour", "-2", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "--rooms-per-hour" in err and t("config_allowed_limit", "en") in err


def test_serve_refuses_a_bad_public_url_option(capsys):
    assert cli.main(["serve", "--public-url", "10.0.0.5", "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "--public-url" in err and t("config_allowed_http_url", "en") in err


def _run(module: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KIT_")}
    base["KIT_LANG"] = "nb"
    return subprocess.run(
        [sys.executable, "-m", module],
        capture_output=True,
        text=True,
        env={**base, **env},
        timeout=120,
        cwd=ROOT,
    )


def test_the_server_refuses_a_bad_setting_before_it_starts():
    """Started without ``samskaping serve`` (which checks first), the server checks itself."""
    out = _run("kit.server.app", {"KIT_SESSION_IDLE_HOURS": "soon", "KIT_SERVE_FAILED": "Stopp."})
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert out.stderr.splitlines() == [
        setting_message(ConfigError(config.SESSION_IDLE_HOURS, "soon"), "nb"),
        "Stopp.",
    ]


def test_a_kernel_with_a_bad_memory_limit_says_so():
    out = _run("kit.server.kernel_launcher", {"KIT_KERNEL_MEMORY_LIMIT": "lots"})
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr.strip() == setting_message(
        ConfigError(config.KERNEL_MEMORY_LIMIT, "lots"), "nb"
    )
