"""What extractors and assistive technology read from the PDF edition, on the seed and real corpus pages.

Each page is exported once (module fixture); the tests then read its text with three independent
extractors (pypdf, pdfminer.six, poppler) and walk its structure tree with pikepdf.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import exporter
from exporter.document import Book
from exporter.normalise import normalise
from exporter.options import EXPORT_OPTIONS, resolve
from exporter.resources import ResourcePolicy
from exporter.writers.pdf import PdfWriter, render
from helpers import CORPUS, SEED, page_metadata, pdf_texts, recall, reference_words, words

RECALL = 0.98

# The seed, the corpus pages with tables (one crossing a page break), links in tables, footnotes and
# note references (wikipedia), images (data-url-image), a right-to-left page and a long news article.
PAGES = ["seed", "keep-tabular-data", "links-in-tables", "wikipedia", "data-url-image", "rtl-1", "guardian-1"]


def _source(name: str) -> tuple[Path, dict]:
    if name == "seed":
        return SEED, {"title": "An independent MP", "authors": ["Jane Doe"]}
    page = CORPUS / name
    meta = page_metadata(page)
    given = {"title": meta.get("title") or name}
    if meta.get("byline"):
        given["authors"] = [meta["byline"]]
    if meta.get("lang"):
        given["language"] = meta["lang"]
    return page / "expected.html", given


@pytest.fixture(scope="module", params=PAGES)
def exported(request, tmp_path_factory) -> tuple[str, Path, Path]:
    """(name, source HTML, PDF) of one page, exported once for every test of this module."""
    source, given = _source(request.param)
    [path] = exporter.export(source, "pdf", tmp_path_factory.mktemp(request.param), offline=True, **given)
    return request.param, source, path


@pytest.fixture(scope="module")
def texts(exported) -> dict[str, str]:
    return pdf_texts(exported[2])


def test_every_extractor_reads_every_word(exported, texts):
    name, source, _ = exported
    reference = reference_words(source)
    kept = {tool: round(recall(reference, words(text)), 4) for tool, text in texts.items()}
    assert all(value >= RECALL for value in kept.values()), f"{name}: word recall {kept} (< {RECALL})"


def test_layout_hyphens_read_as_soft_hyphens(exported, texts):
    name = exported[0]
    for tool, text in texts.items():
        assert "\u2010" not in text, f"{name}: {tool} reads a hard hyphen (U+2010)"
    if name in ("seed", "guardian-1"):  # justified English prose: the layout hyphenates some words
        for tool, text in texts.items():
            assert re.search(r"\w\u00ad\s*\n\s*\w", text), f"{name}: {tool} reads no soft hyphen at a line end"


def test_a_font_with_a_missing_glyph_is_read_by_every_extractor(tmp_path):
    # A character no font has (a private-use one) is drawn as a box; WeasyPrint then gives that font a custom
    # encoding CMap that pypdf and pdfminer.six could not read ("M(“(ç(J C)U):)" for "Mike Conley").
    book = Book.of(normalise("<p>Mike Conley wrote this \ue000 sentence about the release.</p>", title="Boxes",
                             language="en"))
    settings = resolve(PdfWriter.options + EXPORT_OPTIONS, {})
    path = tmp_path / "boxes.pdf"
    assert render(PdfWriter().prepare(book, settings, ResourcePolicy()), ResourcePolicy(), path) == ["\ue000"]
    for tool, text in pdf_texts(path).items():
        assert "Mike Conley wrote this" in " ".join(text.split()), f"{tool}: {text[:80]!r}"
