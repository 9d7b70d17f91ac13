"""A word-spotting baseline for the case library: how far surface words alone get a learner.

The script classifies every case of the library (or of a file) from its title and text with
keyword rules and prints the hit rate per tier (lett, middels,
vanskelig): process right, and process and level right. A hard case should not be solvable by
word-spotting: the target is at most 35 % on vanskelig.

The rules were tuned on the 48 cases of the library's first version (issue 3) until words alone
got 96 % of them right: that is how easy those cases were. They are then frozen: new cases are
measured against rules that never saw them, which is the situation of a learner who has learnt the
old cases' signal words. This is a guide for case writers, not a test; it reads only the bokmål
title and text.

    python bench/keyword_baseline.py              # the library
    python bench/keyword_baseline.py --file my.xlsx --show-misses
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Signal words, weighted. Stems are matched at word starts, case-insensitively.
RULES: dict[str, list[tuple[str, float]]] = {
    "ingen": [
        (r"kjøp", 3),
        (r"anbud", 3),
        (r"kontrakt", 2),
        (r"avtale om levering", 2),
        (r"leverandør", 2),
        (r"firma", 1.5),
        (r"privat", 1.5),
        (r"informasjon", 1.5),
        (r"informerer", 2),
        (r"høring", 2),
        (r"spørreundersøkelse", 1.5),
        (r"alene", 2),
        (r"på egen hånd", 2),
        (r"egne ansatte", 2),
        (r"uten kommunen", 2.5),
        (r"egen regi", 2),
        (r"brosjyre", 1.5),
        (r"innspill", 1),
        (r"vedtar", 0.5),
        (r"tilskudd", 1),
        (r"egen ", 1.5),
        (r"eget", 1),
    ],
    "samskaping1": [
        (r"frivillighetspolitikk", 3),
        (r"samarbeidsavtale", 2),
        (r"politisk", 1.5),
        (r"kommunestyre", 1.5),
        (r"formannskap", 1.5),
        (r"rådmann", 1.5),
        (r"kommunedirektør", 1.5),
        (r"styre", 1.5),
        (r"ledelse", 1.5),
        (r"strategi", 2),
        (r"forank", 2.5),
        (r"prinsipp", 2),
        (r"rammer", 1.5),
        (r"skriftlig", 1.5),
        (r"plan", 0.5),
        (r"avtale", 1.5),
        (r"evaluer", 1.5),
        (r"forventning", 2),
        (r"erstatte", 1.5),
        (r"organisasjonene", 1),
    ],
    "samskaping2": [
        (r"sammen utvikle", 3),
        (r"utvikle", 2),
        (r"utforme", 2.5),
        (r"designe", 2.5),
        (r"arbeidsmøte", 2.5),
        (r"verksted", 2),
        (r"workshop", 2),
        (r"idé", 1.5),
        (r"løsning", 1.5),
        (r"fordele oppgav", 2),
        (r"oppgavefordeling", 2),
        (r"sammen", 1),
        (r"sette seg ned", 2),
        (r"kartlegg", 1.5),
        (r"planlegge", 1),
        (r"former", 2.5),
        (r"er med og", 2),
        (r"ordning", 1),
        (r"hvem som", 1),
    ],
    "samproduksjon": [
        (r"frivillige", 1.5),
        (r"møter opp", 2),
        (r"hver uke", 1.5),
        (r"vakt", 2),
        (r"serverer", 2),
        (r"kjører", 1.5),
        (r"følger", 1),
        (r"deltar i", 1),
        (r"gjennomfør", 1.5),
        (r"rekrutter", 1.5),
        (r"driv", 1),
        (r"sammen med de ansatte", 2),
        (r"bemann", 1.5),
        (r"holder", 1),
        (r"åpent", 1),
        (r"ettermiddag", 1),
    ],
    "verdisamskaping": [
        (r"opplev", 3),
        (r"verdi", 2),
        (r"betyr", 1.5),
        (r"tilbakemeld", 1.5),
        (r"ønsker", 1),
        (r"lar deltakerne", 2.5),
        (r"deltakerne bestemmer", 3),
        (r"selv", 1),
        (r"egne", 1),
        (r"viktig for", 1.5),
        (r"livskvalitet", 2.5),
        (r"trives", 2),
        (r"endrer", 1),
        (r"tilpass", 1.5),
        (r"forteller", 1.5),
        (r"sier at", 2),
        (r"savner", 2),
        (r"trenger", 1),
        (r"lyse", 1.5),
        (r"i stedet for", 1.5),
        (r"faktisk", 1.5),
        (r"pasientrolle", 2),
        (r"hva som", 1),
    ],
}

ANSWER = {
    "ingen": ("ingen", None),
    "samskaping1": ("samskaping", 1),
    "samskaping2": ("samskaping", 2),
    "samproduksjon": ("samproduksjon", 3),
    "verdisamskaping": ("verdisamskaping", 3),
}
#: When no word fires, guess the library's most common answer.
DEFAULT = "samskaping2"
_COMPILED = {
    label: [(re.compile(r"(?<!\w)" + pattern, re.IGNORECASE), w) for pattern, w in rules]
    for label, rules in RULES.items()
}


def classify(title: str, text: str) -> tuple[str, int | None]:
    """The answer the words point to (ties broken in RULES order)."""
    words = f"{title}. {text}"
    scores = {
        label: sum(w * len(p.findall(words)) for p, w in rules)
        for label, rules in _COMPILED.items()
    }
    best = max(scores, key=lambda label: scores[label])
    return ANSWER[best if scores[best] > 0 else DEFAULT]


def tier_of(case) -> str:
    return getattr(case, "tier", None) or "lett"


def main(argv: list[str] | None = None) -> int:
    from kit.cases.casefile import load_cases

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", help="a case file instead of the library")
    parser.add_argument(
        "--show-misses", action="store_true", help="list the hard cases words solve"
    )
    args = parser.parse_args(argv)
    cases = load_cases(args.file) if args.file else load_cases()
    total: Counter[str] = Counter()
    process_hits: Counter[str] = Counter()
    full_hits: Counter[str] = Counter()
    solved: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        tier = tier_of(case)
        process, level = classify(case.title.get("nb"), case.text.get("nb"))
        total[tier] += 1
        if process == case.process:
            process_hits[tier] += 1
            if level == case.level:
                full_hits[tier] += 1
                solved[tier].append(case.id)
    print(f"Keyword baseline on {sum(total.values())} cases (bokmål title and text only)")
    print(f"{'tier':<10} {'cases':>5} {'process right':>14} {'process+level':>14}")
    for tier in ("lett", "middels", "vanskelig"):
        n = total[tier]
        if not n:
            print(f"{tier:<10} {0:>5} {'-':>14} {'-':>14}")
            continue
        p = 100 * process_hits[tier] / n
        f = 100 * full_hits[tier] / n
        print(f"{tier:<10} {n:>5} {p:>13.0f}% {f:>13.0f}%")
    n = sum(total.values())
    print(
        f"{'all':<10} {n:>5} {100 * sum(process_hits.values()) / n:>13.0f}%"
        f" {100 * sum(full_hits.values()) / n:>13.0f}%"
    )
    print("target: process+level <= 35 % on vanskelig")
    if args.show_misses:
        for tier in ("middels", "vanskelig"):
            if solved[tier]:
                print(f"{tier} solved by words: {', '.join(solved[tier])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
