"""docs/hurtigstart.md, the course leaders' quick start: every command it shows is one the kit
accepts, every button or message it quotes is one the apps show, every app is in it, and the
README links to it."""

from __future__ import annotations

import re
import shlex

import pytest

from kit.core.i18n import texts
from kit.server.cli import _parser

from .conftest import ROOT

GUIDE = ROOT / "docs" / "hurtigstart.md"


def code_lines() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    inline = re.findall(r"`((?:\./run|samskaping) [^`]+)`", text)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines + inline if line]


def samskaping_args(line: str) -> list[str] | None:
    """The arguments of the samskaping command a line runs, or None if it runs none."""
    words = shlex.split(line)
    while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
        words = words[1:]  # PYTHON=python3.12 ./run ...
    if words[:2] == ["./run", "serve"]:
        return words[1:]
    if words[:2] == ["./run", "samskaping"]:
        return words[2:]
    if words and words[0].endswith("samskaping") and "/pip" not in words[0]:
        return words[1:]
    return None


def test_the_guide_shows_commands():
    commands = [args for args in map(samskaping_args, code_lines()) if args is not None]
    assert {args[0] for args in commands if args} >= {
        "serve",
        "template",
        "check-cases",
        "purge-answers",
    }


#: The samskaping commands the guide shows (not `python3 -m venv`, pip, or "./run samskaping …").
COMMANDS = [
    line for line in code_lines() if samskaping_args(line) is not None and not line.endswith("…")
]


@pytest.mark.parametrize("line", COMMANDS)
def test_every_command_in_the_guide_is_accepted(line):
    args = samskaping_args(line)
    parsed = _parser("nb").parse_args(args)  # exits (fails the test) on an unknown option
    assert parsed.command in ("serve", "template", "check-cases", "purge-answers")


def _shown_texts() -> list[str]:
    values = list(texts("nb").values())
    return values + [re.sub(r"\{\w+\}", "8866", v) for v in values]


@pytest.mark.parametrize(
    "label", sorted(set(re.findall(r"«([^»]+)»", GUIDE.read_text(encoding="utf-8"))))
)
def test_every_quoted_label_is_one_the_kit_shows(label):
    assert any(label in value for value in _shown_texts()), label


def test_every_app_is_in_the_table():
    text = GUIDE.read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if line.startswith("| ")][1:]
    names = [row.strip("| ").split("|")[0].strip() for row in table]
    titles = [v for k, v in texts("nb").items() if k.startswith("app_title_")]
    apps = [k for k in texts("nb") if k.startswith("app_title_")]
    assert len(names) == len(apps) - 2  # not the start page, not the phones' /delta page
    for name in names:
        assert any(title.startswith(name) for title in titles), name


def test_the_readme_links_the_guide():
    assert "(docs/hurtigstart.md)" in (ROOT / "README.md").read_text(encoding="utf-8")
