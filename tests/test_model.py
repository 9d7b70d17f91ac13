"""The model as data: loading, refusing malformed files, and fidelity to the source."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

import kit
from kit.model import LEVEL_FIELDS, load_model
from kit.paths import data_dir
from kit.yamlio import ContentError

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KIT_SHARED_DIR", ROOT.parent / "shared"))
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def shared_file(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        if IN_CI:
            pytest.fail(f"{path} is missing: CI lays shared/ beside the clone")
        pytest.skip(f"{path} not present (shared/ lies beside the repository)")
    return path


def norm(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


# ---- loading ------------------------------------------------------------------------------


def test_three_levels_in_order():
    model = load_model()
    assert [lv.number for lv in model.levels] == [1, 2, 3]
    assert [lv.mode for lv in model.levels] == ["samskaping", "samskaping", "samproduksjon"]


def test_public_api_reexports():
    assert kit.load_model is load_model
    assert len(kit.load_model().levels) == 3


def test_concepts_flows_processes_present():
    model = load_model()
    assert {c.key for c in model.concepts} == {
        "samskaping",
        "samproduksjon",
        "verdisamskaping",
        "velferdstjenester",
    }
    assert {f.key: f.direction for f in model.flows} == {
        "frame": "down",
        "feedback": "up",
        "evaluation": "across",
    }
    assert model.flow("frame").levels == (1, 2, 3)
    assert model.flow("feedback").levels == (3, 2, 1)
    assert [p.kind for p in model.processes] == ["samskaping", "samproduksjon", "verdisamskaping"]
    assert len(model.purposes) == 4
    assert model.reference.doi == "10.23865/cdf.266.ch2"
    assert model.reference.year == 2025


def test_every_text_has_all_languages():
    model = load_model()
    for level in model.levels:
        for name in LEVEL_FIELDS:
            for item in level.field(name):
                for lang in kit.LANGUAGES:
                    assert item.get(lang).strip(), (level.number, name, lang)


def _write(tmp_path: Path, mutate) -> Path:
    raw = yaml.safe_load((data_dir() / "model.yaml").read_text(encoding="utf-8"))
    mutate(raw)
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda raw: raw["levels"][1].pop("tasks"), "levels[1].tasks: missing"),
        (lambda raw: raw["levels"][0]["actors"][0].pop("en"), "levels[0].actors[0].en: missing"),
        (lambda raw: raw["levels"][2].update(mode="samarbeid"), "levels[2].mode: 'samarbeid'"),
        (
            lambda raw: raw["levels"][0].update(actors=[]),
            "levels[0].actors: must be a non-empty list",
        ),
        (lambda raw: raw["levels"][2].update(number=7), "levels: numbers must be 1..3"),
        (lambda raw: raw["flows"][0].update(direction="sideways"), "flows[0].direction"),
        (lambda raw: raw["reference"].pop("doi"), "reference.doi: missing"),
        (lambda raw: raw["concepts"][1]["definition"].update(nb="  "), "concepts[1].definition.nb"),
    ],
)
def test_malformed_file_names_file_and_field(tmp_path, mutate, expected):
    path = _write(tmp_path, mutate)
    with pytest.raises(ContentError) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert expected in message


def test_invalid_yaml_names_line(tmp_path):
    path = tmp_path / "model.yaml"
    path.write_text("levels:\n  - number: 1\n    name: {nb: x\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"model\.yaml:\d+: invalid YAML"):
        load_model(path)


def test_missing_file(tmp_path):
    with pytest.raises(ContentError, match="file not found"):
        load_model(tmp_path / "nope.yaml")


# ---- fidelity to ../shared/MODEL.md and the source presentation -----------------------------

ROW_FIELDS = {
    "subtitle": "subtitle",
    "mode": "mode",
    "actors": "actors",
    "purpose (hensikt)": "purpose",
    "expectations to clarify": "expectations",
    "how": "how",
    "tasks": "tasks",
    "continuous": "continuous",
}


#: Where MODEL.md's English is a calque that data/glossary.yaml tells the texts to avoid, the data
#: uses the glossary's wording; the comparison reads MODEL.md with these replacements.
GLOSSARY_WORDING = {
    "principled and strategic clarifications": "decisions of principle and strategy",
    "principled clarifications": "decisions of principle",
}


def test_glossary_bans_what_the_comparison_replaces():
    glossary = yaml.safe_load((data_dir() / "glossary.yaml").read_text(encoding="utf-8"))
    term = next(t for t in glossary["terms"] if t["id"] == "prinsipielle-avklaringer")
    patterns = [re.compile(e["pattern"], re.I) for e in term["avoid_en"] if "pattern" in e]
    for calque, wording in GLOSSARY_WORDING.items():
        assert any(p.search(calque) for p in patterns) and term["en"] in wording


def model_md_table() -> tuple[list[str], dict[str, list[str]]]:
    text = shared_file("MODEL.md").read_text(encoding="utf-8")
    for calque, wording in GLOSSARY_WORDING.items():
        text = text.replace(calque, wording)
    section = text.split("## The three levels", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in row.strip().strip("|").split("|")] for row in rows]
    header = cells[0][1:]
    table = {row[0]: row[1:] for row in cells[2:]}
    return header, table


def covers(cell: str, items: list[str]) -> str:
    """Remove each item from the cell; return what is left (only separators if all match)."""
    rest = norm(cell)
    for item in sorted(items, key=len, reverse=True):
        n = norm(item)
        assert n in rest, f"{item!r} not found in MODEL.md cell {cell!r}"
        rest = rest.replace(n, " ", 1)
    return rest


@pytest.mark.parametrize("number", [1, 2, 3])
def test_level_names_match_model_md(number):
    header, _ = model_md_table()
    level = load_model().level(number)
    assert header[number - 1] == f"Level {number}: {level.name.nb}"


@pytest.mark.parametrize("number", [1, 2, 3])
@pytest.mark.parametrize("row", list(ROW_FIELDS))
def test_level_field_matches_model_md(number, row):
    """Every item of every field, English wording, equals MODEL.md's cell, nothing left over."""
    _, table = model_md_table()
    cell = table[row][number - 1]
    level = load_model().level(number)
    name = ROW_FIELDS[row]
    if name == "mode":
        assert norm(cell) == level.mode
        return
    if name == "subtitle":
        items = (
            [level.subtitle.nb]
            if norm(level.subtitle.nb) == norm(level.subtitle.en)
            else [
                level.subtitle.nb,
                level.subtitle.en,
            ]
        )
    else:
        items = [item.en for item in level.field(name)]
    rest = covers(cell, items)
    assert re.fullmatch(r"[\s,;.()]*", rest), f"MODEL.md says more than the data: {rest!r}"


def letters(text: str) -> str:
    return re.sub(r"[^a-zæøå]", "", text.lower())


@pytest.mark.parametrize("number", [1, 2, 3])
@pytest.mark.parametrize("name", LEVEL_FIELDS)
def test_bokmal_items_use_the_source_wording(number, name):
    """Each bokmål item's words occur in the source presentation (no invented content)."""
    seed = letters(
        " ".join(p.read_text(encoding="utf-8") for p in shared_file("seeds").glob("*.txt"))
    )
    for item in load_model().level(number).field(name):
        words = [w for w in re.findall(r"[a-zæøå]+", item.nb.lower()) if len(w) >= 4]
        missing = [w for w in words if w not in seed]
        assert not missing, f"level {number} {name}: {item.nb!r}: {missing} not in the source"


def test_concept_terms_match_model_md():
    text = shared_file("MODEL.md").read_text(encoding="utf-8")
    section = text.split("## Core concepts", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")][1:]
    terms = {c.strip("| ").split("|")[0].strip(): c.split("|")[2].strip() for c in rows}
    model = load_model()
    assert set(terms) == {c.key for c in model.concepts}
    for key, english in terms.items():
        assert model.concept(key).term.en == english


def test_processes_purposes_and_reference_match_model_md():
    text = norm(shared_file("MODEL.md").read_text(encoding="utf-8"))
    model = load_model()
    for process in model.processes:
        assert norm(process.text.en) in text
    for purpose in model.purposes:
        assert norm(purpose.en.rstrip(".")) in text
    assert model.reference.doi in text
    assert norm(model.flow("evaluation").label.en) in text
    assert "tuesday" in text  # the source example the concepts app must carry
