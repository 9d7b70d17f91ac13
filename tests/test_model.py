"""The model as data: loading, refusing malformed files, and fidelity to the source."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

import kit
from kit.core.paths import data_dir
from kit.core.yamlio import ContentError
from kit.model.model import LEVEL_FIELDS, load_model

ROOT = Path(__file__).resolve().parent.parent
#: The model as its source states it, kept in the project (see the file's header).
REFERENCE_FILE = Path(__file__).resolve().parent / "data" / "model_reference.yaml"


@cache
def reference() -> dict:
    return yaml.safe_load(REFERENCE_FILE.read_text(encoding="utf-8"))


def ref_level(number: int) -> dict:
    (level,) = [lv for lv in reference()["levels"] if lv["number"] == number]
    return level


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


# ---- fidelity to the source, through the project's own reference table -----------------------
# data/model.yaml is checked against tests/data/model_reference.yaml everywhere; the reference is
# checked against the source texts (MODEL.md and the presentation) where they are present.

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
#: uses the glossary's wording; the comparison reads the reference with these replacements.
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


def with_glossary_wording(cell: str) -> str:
    for calque, wording in GLOSSARY_WORDING.items():
        cell = cell.replace(calque, wording)
    return cell


def covers(cell: str, items: list[str]) -> str:
    """Remove each item from the cell; return what is left (only separators if all match)."""
    rest = norm(cell)
    for item in sorted(items, key=len, reverse=True):
        n = norm(item)
        assert n in rest, f"{item!r} not found in the reference's cell {cell!r}"
        rest = rest.replace(n, " ", 1)
    return rest


def test_reference_has_every_level_and_row():
    assert [lv["number"] for lv in reference()["levels"]] == [1, 2, 3]
    for level in reference()["levels"]:
        assert list(level["model_md"]) == list(ROW_FIELDS), level["number"]
        assert level["source_nb"], level["number"]


@pytest.mark.parametrize("number", [1, 2, 3])
def test_level_names_match_the_reference(number):
    assert load_model().level(number).name.nb == ref_level(number)["name"]


@pytest.mark.parametrize("number", [1, 2, 3])
@pytest.mark.parametrize("row", list(ROW_FIELDS))
def test_level_field_matches_the_reference(number, row):
    """Every item of every field, English wording, equals the reference's cell (MODEL.md's),
    nothing left over."""
    cell = with_glossary_wording(ref_level(number)["model_md"][row])
    level = load_model().level(number)
    name = ROW_FIELDS[row]
    if name == "mode":
        assert norm(cell) == level.mode
        return
    if name == "subtitle":
        items = (
            [level.subtitle.nb]
            if norm(level.subtitle.nb) == norm(level.subtitle.en)
            else [level.subtitle.nb, level.subtitle.en]
        )
    else:
        items = [item.en for item in level.field(name)]
    rest = covers(cell, items)
    assert re.fullmatch(r"[\s,;.()]*", rest), f"the source says more than the data: {rest!r}"


def letters(text: str) -> str:
    return re.sub(r"[^a-zæøå]", "", text.lower())


@pytest.mark.parametrize("number", [1, 2, 3])
@pytest.mark.parametrize("name", LEVEL_FIELDS)
def test_bokmal_items_use_the_source_wording(number, name):
    """Each bokmål item's words occur in the presentation's text for that level (no invented
    content)."""
    source = letters(" ".join(ref_level(number)["source_nb"]))
    for item in load_model().level(number).field(name):
        words = [w for w in re.findall(r"[a-zæøå]+", item.nb.lower()) if len(w) >= 4]
        missing = [w for w in words if w not in source]
        assert not missing, f"level {number} {name}: {item.nb!r}: {missing} not in the source"


def test_concept_terms_match_the_reference():
    terms = reference()["concepts"]
    model = load_model()
    assert set(terms) == {c.key for c in model.concepts}
    for key, english in terms.items():
        assert model.concept(key).term.en == english


def test_processes_and_purposes_match_the_reference():
    model = load_model()
    for process, text in zip(model.processes, reference()["processes"], strict=True):
        assert norm(process.text.en.rstrip(".")) == norm(text.rstrip("."))
    for purpose, text in zip(model.purposes, reference()["purposes"], strict=True):
        assert norm(purpose.en.rstrip(".")) in norm(text)
    assert model.reference.doi == reference()["reference_doi"]


@pytest.mark.parametrize("key", ["frame", "feedback", "evaluation"])
def test_flows_match_the_reference(key):
    flow, ref = load_model().flow(key), reference()["flows"][key]
    assert flow.direction == ref["direction"]
    assert list(flow.levels) == ref["levels"]
    if "source_nb" in ref:
        assert flow.label.nb == ref["source_nb"]
        assert norm(flow.label.en) in norm(ref["model_md"])


def test_the_concepts_app_carries_the_source_example():
    """The Tuesday lunch (the source's own example of samproduksjon, not samskaping) is in
    data/begreper.yaml, marked as the source's, with the source's facts."""
    lessons = yaml.safe_load((data_dir() / "begreper.yaml").read_text(encoding="utf-8"))
    example = reference()["example"]
    (side,) = [
        c[side]
        for c in lessons["contrasts"]
        for side in ("a", "b")
        if c[side].get("source") is True
    ]
    assert side["process"] == "samproduksjon"
    phrase = "servere mat klokken 11 hver tirsdag"
    assert phrase in side["text"]["nb"] and phrase in example["source_nb"]
    assert "not samskaping but samproduksjon" in example["model_md"]
