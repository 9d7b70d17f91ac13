"""Case sets the LMS export tests share: the library, the README's example (the template's
row) and a course leader's file with every optional column."""

from __future__ import annotations

import csv
import io
from functools import cache

from kit.cases.case import Case
from kit.cases.casefile import COLUMNS, load_cases, read_cases_bytes, template_row

#: Every column a case file may have, two cases: a contrast pair (its second a chain case with
#: a marked sentence in every language) keyed verdisamskaping, so partial credit shows; text
#: that looks like HTML and a control character an XML file cannot hold.
FULL_ROWS = [
    {
        "id": "kafe-planlegging",
        "tittel": "Kafé <b>for</b> alle & enhver",
        "tekst": "Kommunen og frivilligsentralen planlegger en kafé sammen med brukerne.\x07",
        "prosess": "samskaping",
        "nivå": "2",
        "forklaring": "Samskaping på nivå 2: de utvikler tilbudet sammen.",
        "område": "eldreomsorg",
        "vanskelighet": "middels",
        "tittel_nn": "Kafé for alle",
        "tekst_nn": "Kommunen og frivilligsentralen planlegg ein kafé saman med brukarane.",
        "forklaring_nn": "Samskaping på nivå 2: dei utviklar tilbodet saman.",
        "tittel_en": "A café for everyone",
        "tekst_en": "The municipality and the volunteer centre plan a café with its users.",
        "forklaring_en": "Co-creation at level 2: they develop the offer together.",
        "par": "kafe-verdi",
        "fasilitator": "Spør hvem som bestemmer.",
        "fasilitator_nn": "Spør kven som bestemmer.",
        "fasilitator_en": "Ask who decides.",
        "kjede": "",
        "markert": "",
        "markert_nn": "",
        "markert_en": "",
    },
    {
        "id": "kafe-verdi",
        "tittel": "Kafeen etter et år",
        "tekst": "Kafeen har gått i et år. Gjestene sier selv hva et godt besøk er for dem.",
        "prosess": "verdisamskaping",
        "nivå": "3",
        "forklaring": "Verdisamskaping: gjestene vurderer verdien.",
        "område": "Eldreomsorg",
        "vanskelighet": "vanskelig",
        "tittel_nn": "Kafeen etter eit år",
        "tekst_nn": "Kafeen har gått i eit år. Gjestene seier sjølve kva eit godt besøk er for dei.",
        "forklaring_nn": "Verdisamskaping: gjestene vurderer verdien.",
        "tittel_en": "The café after a year",
        "tekst_en": "The café has run for a year. The guests say what a good visit is to them.",
        "forklaring_en": "Value co-creation: the guests judge the value.",
        "par": "kafe-planlegging",
        "fasilitator": "Hvem vurderer kvaliteten?",
        "fasilitator_nn": "Kven vurderer kvaliteten?",
        "fasilitator_en": "Who judges the quality?",
        "kjede": "kafeen",
        "markert": "Gjestene sier selv hva et godt besøk er for dem.",
        "markert_nn": "Gjestene seier sjølve kva eit godt besøk er for dei.",
        "markert_en": "The guests say what a good visit is to them.",
    },
]


def csv_bytes(rows: list[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _read(rows: list[dict[str, object]]) -> tuple[Case, ...]:
    report = read_cases_bytes(csv_bytes(rows), "kurs.csv")
    assert report.ok, report.lines()
    return report.cases


@cache
def case_sets() -> dict[str, tuple[Case, ...]]:
    """The library, the README's example and the file with every optional column."""
    return {
        "library": load_cases(),
        "readme": _read([{"id": "tirsdagslunsj", **template_row("nb")}]),
        "full": _read(FULL_ROWS),
    }
