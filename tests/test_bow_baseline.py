"""The pure parts of bench/bow_baseline.py: what a pair's verdict is, what is left out together
and what the classifier reads (the classifier itself needs the bench extra and is not run here)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path

from kit.core.text import Text
from tests.factories import make_case

_PATH = Path(__file__).resolve().parent.parent / "bench" / "bow_baseline.py"
_SPEC = importlib.util.spec_from_file_location("bow_baseline", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
bow = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("bow_baseline", bow)  # its dataclass looks its module up
_SPEC.loader.exec_module(bow)


def held(case_id: str, truth: str, **probs: float):
    logp = {k.replace("_", "-"): math.log(p) for k, p in probs.items()}
    return bow.Held(case_id, truth, max(logp, key=lambda k: logp[k]), logp)


def test_a_pair_is_told_apart_when_its_keys_fit_better_the_right_way_round():
    # each case on its own looks like samskaping-2, but a is the likelier of the two
    a = held("a", "samskaping-2", samskaping_2=0.6, ingen_0=0.4)
    b = held("b", "ingen-0", samskaping_2=0.55, ingen_0=0.45)
    assert bow.pair_verdict(a, b) == 1.0
    assert bow.pair_verdict(b, a) == 1.0  # the order of the two does not matter
    swapped = held("b", "ingen-0", samskaping_2=0.7, ingen_0=0.3)
    assert bow.pair_verdict(a, swapped) == 0.0
    same = held("b", "ingen-0", samskaping_2=0.6, ingen_0=0.4)
    assert bow.pair_verdict(a, same) == 0.5


def test_a_key_the_model_never_saw_weighs_the_same_both_ways_and_the_other_decides():
    even = held("a", "verdisamskaping-3", samskaping_2=0.5, ingen_0=0.5)
    b = held("b", "ingen-0", samskaping_2=0.5, ingen_0=0.5)
    assert bow.pair_verdict(even, b) == 0.5
    # b looks less like "ingen" than a does: the keys fit better the wrong way round
    assert bow.pair_verdict(even, held("b", "ingen-0", samskaping_2=0.9, ingen_0=0.1)) == 0.0
    assert bow.pair_verdict(even, held("b", "ingen-0", samskaping_2=0.1, ingen_0=0.9)) == 1.0


def test_a_case_is_left_out_with_its_pair_or_its_chain():
    pairs = {"a": "par:a", "b": "par:a"}
    assert bow.group_of(make_case("a", pair="b"), pairs) == "par:a"
    assert bow.group_of(make_case("k1", chain="k"), pairs) == "chain:k"
    assert bow.group_of(make_case("c"), pairs) == "case:c"


def test_a_chain_case_is_read_as_its_title_and_marked_part():
    text = Text("Først planlegger de. Så kjører de.", en="First they plan. Then they drive.")
    chain = make_case(
        "k1",
        "samproduksjon",
        3,
        title="Skyss",
        text=text,
        chain="k",
        marked=Text("Så kjører de.", en="Then they drive."),
    )
    assert bow.document(chain, "nb") == "Skyss. Så kjører de."
    assert bow.document(chain, "en").endswith("Then they drive.")
    assert bow.document(make_case("c", title="T", text="Hele teksten."), "nb") == "T. Hele teksten."
    assert bow.label(chain) == "samproduksjon-3"
    assert bow.label(make_case("n", "ingen", None)) == "ingen-0"
