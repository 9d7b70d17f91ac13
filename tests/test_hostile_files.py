"""Hostile and oversized uploads: each answered by a clear message, fast and in little memory.

Every file is built here: a 5 KB XLSX whose <dimension> claims the whole sheet, one whose rows
really reach row 1,000,000, a deflate bomb (a zip member of 500 MB of zeros in ~500 KB), a row
of 900,000 empty cells, a 50 MB file, a CSV of 100,000 invalid rows and one of 2,000 invalid
rows (which must be reported in at most 50 lines + "… and N more"). Each goes through the
readers (read_cases/read_plans from a path, read_*_bytes) and the apps' load functions, in a
fresh Python process whose peak memory (ru_maxrss) and time (time.monotonic) are measured.

The limits are the spec: under 2 s and under 100 MB each. Positive controls show the same
constructions within the limits are read as usual.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from kit.cases.casefile import read_cases_bytes
from kit.core.tables import MAX_PROBLEM_LINES, MAX_ROWS
from kit.plans.plans import read_plans_bytes

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 2.0
MEGABYTES = 100

CASE_HEADER = ["id", "tittel", "tekst", "prosess", "nivå", "forklaring"]
CASE_ROW = ["a", "Tittel", "Tekst.", "samproduksjon", 3, "Forklaring."]
PLAN_HEADER = ["kommune", "år", "samskaping"]
PLAN_ROW = ["Prøvekommune", 2019, "ja"]
HEADERS = {"cases": (CASE_HEADER, CASE_ROW), "plans": (PLAN_HEADER, PLAN_ROW)}


# ----------------------------------------------------------------------------- builders


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite_zip(data: bytes, change: dict, extra: dict | None = None) -> bytes:
    """The zip with some members' bytes changed (name -> function) and members added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename in change:
                body = change[info.filename](body)
            target.writestr(info.filename, body)
        for name, write in (extra or {}).items():
            with target.open(name, "w") as handle:
                write(handle)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def dimension_bomb(kind: str, ref: str = "A1:XFD1048576") -> bytes:
    """A valid workbook (header + one good row) whose <dimension> claims ``ref``."""
    header, row = HEADERS[kind]

    def claim(body: bytes) -> bytes:
        body, n = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), body)
        assert n == 1
        return body

    return rewrite_zip(workbook([header, row]), {SHEET: claim})


def far_row(kind: str, row_number: int = 1_000_000, last_column: bool = True) -> bytes:
    """A workbook with a real cell at ``row_number`` (and one in the last column, XFD)."""
    header, row = HEADERS[kind]
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    sheet.append(row)
    sheet.cell(row=row_number, column=1, value="x")
    if last_column:
        sheet.cell(row=row_number, column=16384, value="y")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def deflate_bomb(kind: str, megabytes: int = 500) -> bytes:
    """A workbook with one more member: ``megabytes`` of zeros, deflated to ~1/1000."""
    header, row = HEADERS[kind]

    def zeros(handle) -> None:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(megabytes):
            handle.write(chunk)

    return rewrite_zip(workbook([header, row]), {}, {"xl/media/zeros.bin": zeros})


def wide_row(kind: str, cells: int = 900_000) -> bytes:
    """A workbook whose header row ends in ``cells`` empty ``<c/>`` elements (a few KB)."""
    header, row = HEADERS[kind]

    def widen(body: bytes) -> bytes:
        return body.replace(b"</row>", b"<c/>" * cells + b"</row>", 1)

    return rewrite_zip(workbook([header, row]), {SHEET: widen})


def csv_rows(header: list[str], rows: list[list[object]]) -> bytes:
    lines = [";".join(header)] + [";".join(str(v) for v in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def invalid_csv(kind: str, n: int) -> bytes:
    """``n`` rows, every one wrong in several columns."""
    if kind == "cases":
        return csv_rows(CASE_HEADER, [[f"r{i}", "", "", "feil", 9, ""] for i in range(n)])
    return csv_rows(PLAN_HEADER, [[f"K{i}", "19x9", "kanskje"] for i in range(n)])


def fifty_megabytes(_kind: str) -> bytes:
    head = b"id;tittel\r\n"
    return head + b"x" * (50 * 1024 * 1024 - len(head))


#: name -> (builder, file ending, the problem key expected for cases and for plans)
HOSTILE = {
    "dimension_bomb": (dimension_bomb, ".xlsx", None),
    "far_row": (far_row, ".xlsx", "table_too_many_rows"),
    "deflate_bomb": (deflate_bomb, ".xlsx", "table_unpacked_too_large"),
    "wide_row": (wide_row, ".xlsx", "table_unpacked_too_large"),
    "fifty_megabytes": (fifty_megabytes, ".csv", "table_too_large"),
    "invalid_100000": (lambda kind: invalid_csv(kind, 100_000), ".csv", "table_too_many_rows"),
    "invalid_2000": (lambda kind: invalid_csv(kind, MAX_ROWS), ".csv", "many"),
}


def test_builders_make_what_they_claim():
    bomb = dimension_bomb("cases")
    assert len(bomb) < 6 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        assert b'<dimension ref="A1:XFD1048576"' in z.read(SHEET)
    with zipfile.ZipFile(io.BytesIO(far_row("cases"))) as z:
        assert b'r="1000000"' in z.read(SHEET) and b'r="XFD1000000"' in z.read(SHEET)
    deflate = deflate_bomb("cases")
    assert len(deflate) < 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(deflate)) as z:
        assert z.getinfo("xl/media/zeros.bin").file_size == 500 * 1024 * 1024
    assert len(wide_row("cases")) < 20 * 1024
    assert invalid_csv("cases", 100_000).count(b"\r\n") == 100_001


# ----------------------------------------------------------------- measured in a subprocess

#: Peak memory of this process. ru_maxrss is what getrusage reports, but on Linux a child
#: started by fork + exec inherits the parent's peak (pytest's own size) as its starting
#: ru_maxrss, which would hide growth below it; /proc/self/status VmHWM is the same peak for
#: this process's own memory only, and writing 5 to /proc/self/clear_refs resets it, so each
#: step is measured from the resident size just before it.
PEAK = r"""
import resource

def _status(field):
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass
    now = _status("VmRSS")
    return now if now is not None else peak()

def peak():
    hwm = _status("VmHWM")
    return hwm if hwm is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
"""

#: One measured step: ``run()`` gives (problem lines, the app's HTML); its time, its memory
#: growth and what it showed go into ``out[name]``.
STEP = r"""
import json, time

out = {}
def step(name, run):
    base = reset_peak()
    start = time.monotonic()
    lines, html = run()
    seconds = time.monotonic() - start
    out[name] = {"seconds": seconds, "growth": peak() - base, "lines": lines,
                 "li": html.count("<li>")}
"""

PROBE = (
    PEAK
    + STEP
    + r"""
import sys
from pathlib import Path

import openpyxl, yaml  # imported before the baseline: only the reading is measured
from kit.cases.casefile import read_cases, read_cases_bytes
from kit.plans.plans import read_plans, read_plans_bytes
from kit.classify.app import Klassifisering
from kit.plans.app import Kommuneplaner

cases_path, plans_path = Path(sys.argv[1]), Path(sys.argv[2])
classify, plans = Klassifisering(lang="nb"), Kommuneplaner(lang="nb")
plans.use_example()  # charts drawn once, so their imports are in the baseline
classify.load_file(b"id;tittel\n;\n", "warm.csv")
read_cases_bytes(open(sys.argv[3], "rb").read(), "warm.xlsx")

for name, read, path in (("read_cases", read_cases, cases_path), ("read_plans", read_plans, plans_path)):
    def run(read=read, path=path):
        r = read(path, "nb")
        out[name + "_keys"] = [p.key for p in r.problems]
        out[name + "_ok"] = len(getattr(r, "cases", getattr(r, "plans", ())))
        return r.lines(), ""
    step(name, run)
cases_data, plans_data = cases_path.read_bytes(), plans_path.read_bytes()

def bytes_cases():
    r = read_cases_bytes(cases_data, cases_path.name, "nb")
    return r.lines(), ""
def bytes_plans():
    r = read_plans_bytes(plans_data, plans_path.name, "nb")
    return r.lines(), ""
def app_cases():
    r = classify.load_file(cases_data, cases_path.name)
    return r.lines(), classify.upload_status.value
def app_plans():
    r = plans.load_file(plans_data, plans_path.name)
    return r.lines(), plans.upload_status.value
def field_cases():
    f = classify.upload_button
    f._handle_message(f, {"type": "file", "name": cases_path.name}, [memoryview(cases_data)])
    return [f.message] if f.message else [], classify.upload_status.value
def field_plans():
    f = plans.upload_button
    f._handle_message(f, {"type": "file", "name": plans_path.name}, [memoryview(plans_data)])
    return [f.message] if f.message else [], plans.upload_status.value
for name, run in (("read_cases_bytes", bytes_cases), ("read_plans_bytes", bytes_plans),
                  ("classify_load_file", app_cases), ("plans_load_file", app_plans),
                  ("classify_field", field_cases), ("plans_field", field_plans)):
    step(name, run)
print(json.dumps(out))
"""
)


@pytest.fixture(scope="module")
def warm_xlsx(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("warm") / "warm.xlsx"
    path.write_bytes(workbook([CASE_HEADER, CASE_ROW]))
    return path


def probe(tmp_path: Path, name: str, warm: Path) -> dict:
    build, ext, _key = HOSTILE[name]
    cases_path = tmp_path / f"cases_{name}{ext}"
    plans_path = tmp_path / f"plans_{name}{ext}"
    cases_path.write_bytes(build("cases"))
    plans_path.write_bytes(build("plans"))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(cases_path), str(plans_path), str(warm)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(name: str, result: dict) -> str:
    """One line of figures for a probe's ``result``: its slowest step and its largest growth."""
    steps = {step: v for step, v in result.items() if isinstance(v, dict)}
    slowest = max(steps, key=lambda step: steps[step]["seconds"])
    growth = max(v["growth"] for v in steps.values())
    return (
        f"{name}: slowest step {slowest} {steps[slowest]['seconds']:.2f} s, "
        f"peak growth {growth / 2**20:.0f} MB"
    )


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_file_answered_fast_in_little_memory(tmp_path, warm_xlsx, name):
    result = probe(tmp_path, name, warm_xlsx)
    print(report(name, result))  # the figures, with -s
    _build, _ext, key = HOSTILE[name]
    steps = [k for k, v in result.items() if isinstance(v, dict)]
    assert len(steps) == 8
    for step in steps:
        figures = result[step]
        assert figures["seconds"] < SECONDS, (step, figures["seconds"])
        assert figures["growth"] < MEGABYTES * 1024 * 1024, (step, figures["growth"] / 2**20)
        # what the course leader sees is bounded: ≤ 50 problem lines + "… and N more"
        assert len(figures["lines"]) <= MAX_PROBLEM_LINES + 1, step
        assert figures["li"] <= MAX_PROBLEM_LINES + 1, step
    if key is None:  # the dimension bomb is a valid file: read as usual, nothing to mend
        assert result["read_cases_keys"] == [] and result["read_cases_ok"] == 1
        assert result["read_plans_keys"] == [] and result["read_plans_ok"] == 1
        assert result["read_cases_bytes"]["lines"] == []
    elif key == "many":
        for step in ("read_cases", "read_plans", "classify_load_file", "plans_load_file"):
            lines = result[step]["lines"]
            assert len(lines) == MAX_PROBLEM_LINES + 1, step
            assert re.fullmatch(r"… og \d+ problemer til\..*", lines[-1]), lines[-1]
        assert result["classify_load_file"]["li"] == MAX_PROBLEM_LINES + 1
    else:
        assert result["read_cases_keys"] == [key], result["read_cases_keys"]
        assert result["read_plans_keys"] == [key], result["read_plans_keys"]
        for step in ("read_cases", "read_plans", "classify_load_file", "plans_load_file"):
            assert len(result[step]["lines"]) == 1, (step, result[step]["lines"])
    if name == "fifty_megabytes":
        # the field refuses it before anything reads it, in the app's language
        for step in ("classify_field", "plans_field"):
            (message,) = result[step]["lines"]
            assert "er for stor (50 MB)" in message and "høyst 2 MB" in message


def test_the_measurement_sees_memory_growth():
    """Positive control: the probe's way of measuring does see 150 MB being allocated."""
    code = PEAK + (
        "base = reset_peak(); block = bytearray(150 * 2**20); block[::4096] = b'x' * len(block[::4096]); "
        "del block; print(peak() - base)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(done.stdout) > MEGABYTES * 1024 * 1024


def test_report_figures():
    """The figures printed for each hostile file come from real steps measured as the probe
    measures them: a step that allocates 150 MB and one that allocates nothing, run in a
    fresh Python, are reported with the 150 MB (and not the other step's size); the slowest
    step named is the one with the most seconds, whatever order the steps came in."""
    code = (
        PEAK
        + STEP
        + r"""
def nothing():
    return ["x"], ""

def allocate():
    block = bytearray(150 * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # every page touched, so resident
    del block
    return [], "<li>x</li>"

step("nothing", nothing)
step("allocate", allocate)
out["read_cases_keys"] = []
print(json.dumps(out))
"""
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert set(result) == {"nothing", "allocate", "read_cases_keys"}
    assert result["allocate"]["li"] == 1 and result["nothing"]["lines"] == ["x"]
    line = report("control", result)
    print(line)
    figures = re.fullmatch(r"control: slowest step (\w+) (\d+\.\d\d) s, peak growth (\d+) MB", line)
    assert figures, line
    slowest, seconds, megabytes = figures[1], float(figures[2]), int(figures[3])
    assert 150 <= megabytes < 150 + 50, line  # what was allocated, and not much else
    assert result["nothing"]["growth"] < 50 * 2**20  # the other step's size is not reported
    other = {"nothing": "allocate", "allocate": "nothing"}[slowest]
    assert result[slowest]["seconds"] >= result[other]["seconds"]
    assert seconds == round(result[slowest]["seconds"], 2)
    # the same figures in the other order of steps name the same step
    swapped = {"allocate": result["allocate"], "nothing": result["nothing"]}
    assert report("control", swapped) == line


# ----------------------------------------------------------------- messages, in-process


@pytest.mark.parametrize(
    ("name", "lang", "words"),
    [
        ("far_row", "en", "more than 2000 rows"),
        ("deflate_bomb", "en", "too large when unpacked (more than 20 MB)"),
        ("fifty_megabytes", "en", "The file is too large (50 MB). It can be at most 2 MB."),
        ("fifty_megabytes", "nb", "Fila er for stor (50 MB). Den kan være på høyst 2 MB."),
        ("fifty_megabytes", "nn", "Fila er for stor (50 MB). Ho kan vere på høgst 2 MB."),
        ("invalid_100000", "nn", "fleire enn 2000 rader"),
    ],
)
def test_messages_say_the_limit(name, lang, words):
    build, ext, _ = HOSTILE[name]
    for read, kind in ((read_cases_bytes, "cases"), (read_plans_bytes, "plans")):
        lines = read(build(kind), f"fil{ext}", lang).lines()
        assert len(lines) == 1 and words in lines[0], lines


# ----------------------------------------------------------------- positive controls


def test_controls_within_the_limits_are_read():
    # a truthful dimension, a cell at row 50, a 1 MB picture, 50 empty cells in a row
    assert read_cases_bytes(dimension_bomb("cases", "A1:F2"), "a.xlsx").ok
    report = read_cases_bytes(far_row("cases", 50, last_column=False), "b.xlsx")
    assert [p.key for p in report.problems] != ["table_too_many_rows"]
    assert len(report.cases) == 1  # the two cells at row 50 are one more (bad) row
    assert read_cases_bytes(deflate_bomb("cases", 1), "c.xlsx").ok
    assert read_cases_bytes(wide_row("cases", 50), "d.xlsx").ok
    assert read_plans_bytes(deflate_bomb("plans", 1), "c.xlsx").ok
    # exactly MAX_ROWS good rows are read; one more is refused
    good = [[f"id{i}", "T", "Tekst.", "samproduksjon", 3, "F."] for i in range(MAX_ROWS)]
    report = read_cases_bytes(csv_rows(CASE_HEADER, good), "e.csv")
    assert report.ok and len(report.cases) == MAX_ROWS
    good.append(["id-extra", "T", "Tekst.", "samproduksjon", 3, "F."])
    report = read_cases_bytes(csv_rows(CASE_HEADER, good), "e.csv")
    assert [p.key for p in report.problems] == ["table_too_many_rows"]
    assert report.problems[0].row == MAX_ROWS + 2
